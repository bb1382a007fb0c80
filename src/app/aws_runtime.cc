#include "app/aws_runtime.h"

#include <iostream>

namespace asr::app {
namespace {

// The STS client's own default credentials: never used, because every AssumeRole call passes
// its source credentials explicitly and AssumeRoleWithWebIdentity is unsigned.
class NoCredentials final : public aws::CredentialsProvider {
 public:
  Result<aws::Credentials> Get() override {
    return NotFoundError("the STS bootstrap client has no credentials of its own");
  }
};

}  // namespace

Result<std::unique_ptr<AwsRuntime>> AwsRuntime::Create(const AwsRuntimeOptions& options) {
  std::unique_ptr<AwsRuntime> rt(new AwsRuntime());  // private constructor
  const aws::EnvLookup env = aws::ProcessEnv();
  rt->sink_ = std::make_unique<StreamLogSink>(std::cerr);
  rt->logger_ = std::make_unique<Logger>(*rt->sink_, rt->clock_, options.log_level);
  ASR_ASSIGN_OR_RETURN(rt->transport_, aws::CurlTransport::Create());

  aws::ClientOptions client_options;
  client_options.region = options.region;
  if (client_options.region.empty()) {
    client_options.region = env("AWS_REGION").value_or(env("AWS_DEFAULT_REGION").value_or(""));
  }
  if (client_options.region.empty()) {
    return InvalidArgumentError("no AWS region: pass --region or set AWS_REGION (e.g. us-east-1)");
  }
  client_options.endpoints.global = options.endpoint_url;
  client_options.endpoints.env = [env](const std::string& name) { return env(name); };

  rt->no_credentials_ = std::make_unique<NoCredentials>();
  rt->sts_client_ = std::make_unique<aws::Client>(*rt->transport_, *rt->no_credentials_,
                                                  aws::BuiltinModels(), rt->clock_, rt->sleeper_,
                                                  rt->random_, rt->logger_.get(), client_options);
  rt->sts_api_ = std::make_unique<aws::ClientStsApi>(*rt->sts_client_);
  aws::ProviderContext context;
  context.env = env;
  context.transport = rt->transport_.get();
  context.sts = rt->sts_api_.get();
  context.clock = &rt->clock_;
  ASR_ASSIGN_OR_RETURN(rt->chain_, aws::DefaultCredentialsChain::Create(context));
  rt->client_ =
      std::make_unique<aws::Client>(*rt->transport_, *rt->chain_, aws::BuiltinModels(), rt->clock_,
                                    rt->sleeper_, rt->random_, rt->logger_.get(), client_options);
  rt->sessions_ = std::make_unique<remediation::StsMemberSessions>(
      *rt->chain_, *rt->sts_api_, rt->clock_, client_options.region);
  return rt;
}

}  // namespace asr::app
