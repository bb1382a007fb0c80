#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/curl_transport.h"
#include "aws/sts.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/sessions.h"

namespace asr::app {

struct AwsRuntimeOptions {
  std::string region;        // --region; else AWS_REGION / AWS_DEFAULT_REGION
  std::string endpoint_url;  // --endpoint-url; else AWS_ENDPOINT_URL[_<SERVICE>]
  LogLevel log_level = LogLevel::kWarn;
};

// The concrete AWS stack, wired once: curl transport, the default credentials chain (whose STS
// calls go through a client of their own), and the model-driven client. Owns everything.
class AwsRuntime final {
 public:
  static Result<std::unique_ptr<AwsRuntime>> Create(const AwsRuntimeOptions& options);

  aws::Client& client() { return *client_; }
  aws::StsApi& sts() { return *sts_api_; }
  aws::CredentialsProvider& credentials() { return *chain_; }
  const Clock& clock() const { return clock_; }
  aws::Sleeper& sleeper() { return sleeper_; }
  aws::Random& random() { return random_; }
  const Logger& logger() const { return *logger_; }

  // Member-account sessions assumed from the default chain (admin → member → remediation role).
  remediation::MemberSessions& sessions() { return *sessions_; }

 private:
  AwsRuntime() = default;

  SystemClock clock_;
  aws::ThreadSleeper sleeper_;
  aws::SystemRandom random_;
  std::unique_ptr<StreamLogSink> sink_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<aws::CurlTransport> transport_;
  std::unique_ptr<aws::CredentialsProvider> no_credentials_;
  std::unique_ptr<aws::Client> sts_client_;
  std::unique_ptr<aws::ClientStsApi> sts_api_;
  std::unique_ptr<aws::CredentialsProvider> chain_;
  std::unique_ptr<aws::Client> client_;
  std::unique_ptr<remediation::StsMemberSessions> sessions_;
};

}  // namespace asr::app
