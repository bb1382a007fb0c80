#pragma once

#include "aws/client.h"
#include "aws/credentials.h"

namespace asr::aws {

// StsApi on top of the model-driven client: sts:AssumeRole signed with the caller's source
// credentials, sts:AssumeRoleWithWebIdentity unsigned. Calls go to the regional STS endpoint of
// the request's region (else the client's region, else us-east-1), which also works for opt-in
// regions. Borrows the client. Thread-safe.
class ClientStsApi final : public StsApi {
 public:
  explicit ClientStsApi(Client& client) : client_(client) {}

  Result<Credentials> AssumeRole(const Credentials& source,
                                 const AssumeRoleRequest& request) override;
  Result<Credentials> AssumeRoleWithWebIdentity(const WebIdentityRequest& request) override;

 private:
  Client& client_;
};

}  // namespace asr::aws
