#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "common/clock.h"

namespace asr::remediation {

// Member-account credentials for one run: assumes each role of `role_arns` in turn from the
// admin credentials (role chaining: member role, then the remediation's own role). The session
// name carries the run or job id, so the member account's CloudTrail shows which run made each
// call. The returned provider is owned by the caller and borrows from this object, which must
// outlive it. Thread-safe.
class MemberSessions {
 public:
  virtual ~MemberSessions() = default;
  virtual std::unique_ptr<aws::CredentialsProvider> Chain(const std::vector<std::string>& role_arns,
                                                          const std::string& external_id,
                                                          const std::string& session_name) = 0;
};

// Through STS, starting from `admin` (the engine's own credentials). Borrows everything.
class StsMemberSessions final : public MemberSessions {
 public:
  StsMemberSessions(aws::CredentialsProvider& admin, aws::StsApi& sts, const Clock& clock,
                    std::string sts_region)
      : admin_(admin), sts_(sts), clock_(clock), sts_region_(std::move(sts_region)) {}

  std::unique_ptr<aws::CredentialsProvider> Chain(const std::vector<std::string>& role_arns,
                                                  const std::string& external_id,
                                                  const std::string& session_name) override;

 private:
  aws::CredentialsProvider& admin_;
  aws::StsApi& sts_;
  const Clock& clock_;
  std::string sts_region_;
};

// Session names show up in CloudTrail: "asr-<id>", cut to STS's 64-character limit.
std::string SessionNameFor(const std::string& run_or_job_id);

}  // namespace asr::remediation
