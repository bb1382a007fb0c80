// Environment credentials, role assumption, the role session cache and the default chain.
// Profile resolution is in credentials_profile.cc; HTTP-based sources in credentials_remote.cc.
#include "aws/credentials.h"

#include <cstdlib>
#include <utility>

#include "aws/internal/credentials_util.h"
#include "aws/internal/iso8601.h"

namespace asr::aws {
namespace {

// Treats an empty variable like an unset one, as the AWS CLI does.
std::optional<std::string> NonEmpty(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> value = env(name);
  if (value.has_value() && value->empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in asr calls setenv after start-up.
    const char* value = std::getenv(key.c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

SharedConfigFiles SharedConfigFilesFromEnv(const EnvLookup& env) {
  SharedConfigFiles files;
  files.config = NonEmpty(env, "AWS_CONFIG_FILE").value_or("~/.aws/config");
  files.credentials = NonEmpty(env, "AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials");
  files.config = internal::ExpandHome(files.config, env);
  files.credentials = internal::ExpandHome(files.credentials, env);
  return files;
}

Result<Credentials> EnvironmentCredentialsProvider::Get() {
  const std::optional<std::string> key = NonEmpty(env_, "AWS_ACCESS_KEY_ID");
  const std::optional<std::string> secret = NonEmpty(env_, "AWS_SECRET_ACCESS_KEY");
  if (!key.has_value() && !secret.has_value()) {
    return NotFoundError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (!secret.has_value()) {
    return InvalidArgumentError(
        "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both or "
        "neither");
  }
  if (!key.has_value()) {
    return InvalidArgumentError(
        "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both or "
        "neither");
  }
  Credentials creds{.access_key_id = *key, .secret_access_key = *secret, .source = "environment"};
  if (auto token = NonEmpty(env_, "AWS_SESSION_TOKEN"); token.has_value()) {
    creds.session_token = *std::move(token);
  } else if (auto legacy = NonEmpty(env_, "AWS_SECURITY_TOKEN"); legacy.has_value()) {
    creds.session_token = *std::move(legacy);
  }
  if (auto expiration = NonEmpty(env_, "AWS_CREDENTIAL_EXPIRATION"); expiration.has_value()) {
    auto parsed = internal::ParseIso8601(*expiration);
    if (!parsed.ok()) {
      return parsed.status().Annotate("environment: AWS_CREDENTIAL_EXPIRATION");
    }
    creds.expiration = *parsed;
  }
  return creds;
}

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(
    std::unique_ptr<CredentialsProvider> source, StsApi& sts, AssumeRoleRequest request,
    const Clock& clock)
    : owned_source_(std::move(source)),
      source_(*owned_source_),
      sts_(sts),
      request_(std::move(request)),
      cache_(std::make_unique<internal::RefreshingCredentials>(clock)) {}

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(CredentialsProvider& source,
                                                             StsApi& sts, AssumeRoleRequest request,
                                                             const Clock& clock)
    : source_(source),
      sts_(sts),
      request_(std::move(request)),
      cache_(std::make_unique<internal::RefreshingCredentials>(clock)) {}

AssumeRoleCredentialsProvider::~AssumeRoleCredentialsProvider() = default;

Result<Credentials> AssumeRoleCredentialsProvider::Get() {
  return cache_->Get([this]() -> Result<Credentials> {
    const std::string context = "assume role " + request_.role_arn;
    Result<Credentials> source = source_.Get();
    if (!source.ok()) {
      Status status = source.status();
      if (status.code() == StatusCode::kNotFound) {
        // The role is configured; missing source credentials are a real failure.
        status = FailedPreconditionError(status.message());
      }
      return status.Annotate(context + ": source credentials");
    }
    Result<Credentials> assumed = sts_.AssumeRole(*source, request_);
    if (!assumed.ok()) {
      return assumed.status().Annotate(context);
    }
    if (assumed->source.empty()) {
      assumed->source = context;
    }
    return assumed;
  });
}

AssumeRoleCredentialsProvider& RoleSessionCache::GetOrCreate(std::string_view source_identity,
                                                             CredentialsProvider& source,
                                                             const AssumeRoleRequest& request) {
  Key key{std::string(source_identity), request.role_arn, request.external_id};
  const std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    it = sessions_
             .emplace(std::move(key), std::make_unique<AssumeRoleCredentialsProvider>(
                                          source, sts_, request, clock_))
             .first;
  }
  return *it->second;
}

size_t RoleSessionCache::size() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

Result<std::unique_ptr<DefaultCredentialsChain>> DefaultCredentialsChain::Create(
    const ProviderContext& context) {
  if (!context.env || context.transport == nullptr || context.sts == nullptr ||
      context.clock == nullptr) {
    return InvalidArgumentError(
        "credentials chain: the provider context needs env, transport, sts and clock");
  }
  std::vector<NamedCredentialsProvider> providers;
  providers.push_back(
      {"environment", std::make_unique<EnvironmentCredentialsProvider>(context.env)});
  providers.push_back({"web identity", std::make_unique<WebIdentityCredentialsProvider>(context)});
  providers.push_back({"profile", std::make_unique<ProfileCredentialsProvider>(context)});
  providers.push_back({"container", std::make_unique<ContainerCredentialsProvider>(context)});
  providers.push_back(
      {"instance metadata", std::make_unique<InstanceMetadataCredentialsProvider>(context)});
  return std::make_unique<DefaultCredentialsChain>(std::move(providers));
}

DefaultCredentialsChain::DefaultCredentialsChain(std::vector<NamedCredentialsProvider> providers)
    : providers_(std::move(providers)) {}

Result<Credentials> DefaultCredentialsChain::Get() {
  CredentialsProvider* winner = nullptr;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    winner = winner_;
    if (winner == nullptr) {
      // Scan under the lock so that concurrent first callers don't all probe every source.
      std::string tried;
      for (const NamedCredentialsProvider& entry : providers_) {
        Result<Credentials> creds = entry.provider->Get();
        if (creds.ok()) {
          winner_ = entry.provider.get();
          return creds;
        }
        if (creds.status().code() != StatusCode::kNotFound) {
          return creds.status().Annotate("credentials from " + entry.name);
        }
        tried += (tried.empty() ? "" : "; ") + entry.name + " (" + creds.status().message() + ")";
      }
      return NotFoundError("no AWS credentials found; tried " + tried);
    }
  }
  Result<Credentials> creds = winner->Get();
  if (!creds.ok()) {
    return creds.status().Annotate("credentials");
  }
  return creds;
}

}  // namespace asr::aws
