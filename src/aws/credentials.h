#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "aws/http.h"
#include "common/clock.h"
#include "common/status.h"

namespace asr::aws {
namespace internal {
class RefreshingCredentials;
}  // namespace internal

// AWS credentials. Never log them: the logging facade redacts the usual keys, but callers must
// not pass these values to a logger at all.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" for long-term credentials
  // When temporary credentials stop working; nullopt for long-term ones.
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // where they came from, e.g. "environment", "profile default", for messages
};

// Supplies credentials, refreshing them when needed. Implementations are thread-safe.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // NotFound when this source has nothing (the chain then tries the next one); other errors are
  // real failures (e.g. an unreadable file, an STS error).
  virtual Result<Credentials> Get() = 0;
};

// Fixed credentials; for tests and for `--access-key` style use.
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  Result<Credentials> Get() override { return credentials_; }

 private:
  Credentials credentials_;
};

// ---------------------------------------------------------------------------------------------
// Environment

// Looks up an environment variable: its value, or nullopt when unset. Components take one of
// these instead of calling getenv, so tests control the environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv). For default factories in app/ only.
[[nodiscard]] EnvLookup ProcessEnv();
// A fixed environment; variables not in `vars` are unset.
[[nodiscard]] EnvLookup MapEnv(std::map<std::string, std::string> vars);

// ---------------------------------------------------------------------------------------------
// STS, as the providers need it. Implemented by the model-driven client (and by fakes in tests),
// so that this file does not depend on the client.

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id;  // "" for none
  std::chrono::seconds duration{3600};
  std::vector<std::pair<std::string, std::string>> session_tags;
  std::string region;  // "" lets the implementation choose (AWS_REGION, the global endpoint)
};

struct WebIdentityRequest {
  std::string role_arn;
  std::string session_name;
  std::string token;
  std::chrono::seconds duration{3600};
  std::string region;
};

// Thread-safe implementations. Errors as the client reports them (PermissionDenied for
// AccessDenied, Throttled, Unavailable, ...).
class StsApi {
 public:
  virtual ~StsApi() = default;
  // sts:AssumeRole signed with `source`.
  virtual Result<Credentials> AssumeRole(const Credentials& source,
                                         const AssumeRoleRequest& request) = 0;
  // sts:AssumeRoleWithWebIdentity (unsigned).
  virtual Result<Credentials> AssumeRoleWithWebIdentity(const WebIdentityRequest& request) = 0;
};

// ---------------------------------------------------------------------------------------------
// What the providers need from the outside world. Borrowed pointers must outlive every provider
// built from the context. Copyable.

// Paths of the shared config and credentials files.
struct SharedConfigFiles {
  std::string config;       // AWS_CONFIG_FILE, else ~/.aws/config
  std::string credentials;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
};
// The paths the AWS CLI would use; "~/" is expanded with HOME.
[[nodiscard]] SharedConfigFiles SharedConfigFilesFromEnv(const EnvLookup& env);

struct ProviderContext {
  EnvLookup env;                   // required
  Transport* transport = nullptr;  // required by the container and instance-metadata providers
  StsApi* sts = nullptr;           // required for role_arn profiles and web identity
  const Clock* clock = nullptr;    // required
  // Shared files; nullopt: SharedConfigFilesFromEnv(env) at the time of use.
  std::optional<SharedConfigFiles> files;
  // Base URL for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (tests point it at a fake server).
  std::string container_endpoint = "http://169.254.170.2";
  // IMDS base URL when AWS_EC2_METADATA_SERVICE_ENDPOINT is unset.
  std::string instance_metadata_endpoint = "http://169.254.169.254";
  // Limits for `credential_process` commands.
  std::chrono::milliseconds credential_process_timeout{60000};
  size_t credential_process_max_output = size_t{64} * 1024;
};

// ---------------------------------------------------------------------------------------------
// Providers. All are thread-safe. Messages name the source and the variable, file, profile or
// field involved, never a secret value.

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN (or the legacy
// AWS_SECURITY_TOKEN) and AWS_CREDENTIAL_EXPIRATION (ISO 8601). Read on every Get().
// NotFound when neither key is set; InvalidArgument when only one is, or the expiration is bad.
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(EnvLookup env) : env_(std::move(env)) {}
  Result<Credentials> Get() override;

 private:
  EnvLookup env_;
};

// Assumes a role with credentials from `source`, caching the session and refreshing it when less
// than 5 minutes remain. If a refresh fails while the old session has more than a minute left,
// the old one is returned. Concurrent callers share one refresh. A source that returns NotFound
// is reported as FailedPrecondition (a configured role never makes a chain move on). Role
// chaining: make the source another AssumeRoleCredentialsProvider.
class AssumeRoleCredentialsProvider final : public CredentialsProvider {
 public:
  // Owns `source`.
  AssumeRoleCredentialsProvider(std::unique_ptr<CredentialsProvider> source, StsApi& sts,
                                AssumeRoleRequest request, const Clock& clock);
  // Borrows `source`, `sts` and `clock`, which must outlive this provider.
  AssumeRoleCredentialsProvider(CredentialsProvider& source, StsApi& sts, AssumeRoleRequest request,
                                const Clock& clock);
  ~AssumeRoleCredentialsProvider() override;

  Result<Credentials> Get() override;
  [[nodiscard]] const AssumeRoleRequest& request() const { return request_; }

 private:
  std::unique_ptr<CredentialsProvider> owned_source_;
  CredentialsProvider& source_;
  StsApi& sts_;
  const AssumeRoleRequest request_;
  std::unique_ptr<internal::RefreshingCredentials> cache_;
};

// One AssumeRoleCredentialsProvider per (source identity, role ARN, external id): the engine's
// per-(account, role) session cache. Thread-safe; providers live as long as the cache.
class RoleSessionCache final {
 public:
  // Borrows `sts` and `clock`.
  RoleSessionCache(StsApi& sts, const Clock& clock) : sts_(sts), clock_(clock) {}

  // The provider for (source_identity, request.role_arn, request.external_id), created with
  // `source` (borrowed; must outlive the cache) and `request` on first use. Later calls with the
  // same key get the same provider, whose session name stays the one it was created with.
  // `source_identity` names the source credentials, e.g. "admin" or the ARN of the role they
  // come from.
  AssumeRoleCredentialsProvider& GetOrCreate(std::string_view source_identity,
                                             CredentialsProvider& source,
                                             const AssumeRoleRequest& request);
  [[nodiscard]] size_t size() const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  StsApi& sts_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<Key, std::unique_ptr<AssumeRoleCredentialsProvider>> sessions_;  // guarded by mu_
};

// A web identity token file and the role to assume with it.
struct WebIdentityConfig {
  std::string token_file;
  std::string role_arn;
  std::string session_name;  // "" for a generated one
  std::string region;
};

// sts:AssumeRoleWithWebIdentity with a token re-read from its file on every refresh (EKS rotates
// it). Without an explicit config it reads AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and
// AWS_ROLE_SESSION_NAME: NotFound when neither of the first two is set, InvalidArgument when
// only one is. Cached and refreshed like AssumeRoleCredentialsProvider.
class WebIdentityCredentialsProvider final : public CredentialsProvider {
 public:
  explicit WebIdentityCredentialsProvider(const ProviderContext& context);
  WebIdentityCredentialsProvider(const ProviderContext& context, WebIdentityConfig config);
  ~WebIdentityCredentialsProvider() override;
  Result<Credentials> Get() override;

 private:
  Result<Credentials> Fetch(const WebIdentityConfig& config) const;
  const ProviderContext context_;
  const std::optional<WebIdentityConfig> config_;
  std::unique_ptr<internal::RefreshingCredentials> cache_;
};

// The named profile of the shared config/credentials files, resolved like the AWS CLI:
// role_arn (with source_profile, credential_source or web_identity_token_file), then static keys,
// then credential_process. The profile is AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default",
// unless given. Files are read on the first Get() that finds the profile; the resolved providers
// are then reused.
// NotFound when the files or the default profile don't exist or the profile has no credentials;
// FailedPrecondition when an explicitly selected profile doesn't exist; InvalidArgument for
// a malformed profile (cycle, unknown credential_source, role_arn without a source, ...); the
// errors of a configured source (STS, credential_process) otherwise.
class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ProfileCredentialsProvider(ProviderContext context);
  ProfileCredentialsProvider(ProviderContext context, std::string profile);
  ~ProfileCredentialsProvider() override;
  Result<Credentials> Get() override;

 private:
  const ProviderContext context_;
  const std::string explicit_profile_;  // "" when chosen from the environment
  std::mutex mu_;
  std::unique_ptr<CredentialsProvider> resolved_;  // guarded by mu_
};

// ECS/EKS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (against
// context.container_endpoint) or AWS_CONTAINER_CREDENTIALS_FULL_URI (http only to loopback,
// 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; https anywhere), with the Authorization
// header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN for a full URI. One retry on connection errors and 5xx.
// NotFound when neither URI variable is set; InvalidArgument for a disallowed URI or token;
// Unavailable / FailedPrecondition for endpoint failures. Cached and refreshed.
class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ContainerCredentialsProvider(const ProviderContext& context);
  ~ContainerCredentialsProvider() override;
  Result<Credentials> Get() override;

 private:
  Result<Credentials> Fetch();
  const ProviderContext context_;
  std::unique_ptr<internal::RefreshingCredentials> cache_;
};

// EC2 instance metadata, IMDSv2 only: a session token from PUT /latest/api/token (TTL 6 h,
// reused until 5 minutes before it expires), then the role name and its credentials from
// /latest/meta-data/iam/security-credentials/. Endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT
// or context.instance_metadata_endpoint. Timeouts of 1 s to connect and 2 s per request, one
// retry; a 401 drops the token and retries once with a new one.
// NotFound when AWS_EC2_METADATA_DISABLED=true, when the service is unreachable (not on EC2)
// or no role is attached; FailedPrecondition / Unavailable for other failures. Cached and
// refreshed.
class InstanceMetadataCredentialsProvider final : public CredentialsProvider {
 public:
  explicit InstanceMetadataCredentialsProvider(const ProviderContext& context);
  ~InstanceMetadataCredentialsProvider() override;
  Result<Credentials> Get() override;

 private:
  Result<Credentials> Fetch();
  Result<std::string> Token(const std::string& endpoint);
  Result<HttpResponse> Call(const std::string& endpoint, const std::string& method,
                            const std::string& path, const HttpHeaders& headers) const;
  const ProviderContext context_;
  std::mutex token_mu_;
  std::string token_;                                   // guarded by token_mu_
  std::chrono::system_clock::time_point token_expiry_;  // guarded by token_mu_
  std::unique_ptr<internal::RefreshingCredentials> cache_;
};

// A credentials provider with the name used in messages.
struct NamedCredentialsProvider {
  std::string name;
  std::unique_ptr<CredentialsProvider> provider;
};

// Tries providers in order; the first that returns anything but NotFound decides: its
// credentials, or its error (a configured source that fails is not skipped). After a success the
// chain keeps using that provider (which refreshes itself). NotFound from every provider gives
// NotFound listing each source and why it had nothing. Thread-safe.
class DefaultCredentialsChain final : public CredentialsProvider {
 public:
  // The standard chain: environment, web identity (environment), profile, container, instance
  // metadata. InvalidArgument when the context lacks env, transport, sts or clock.
  static Result<std::unique_ptr<DefaultCredentialsChain>> Create(const ProviderContext& context);
  // A chain of the given providers, for tests and custom setups.
  explicit DefaultCredentialsChain(std::vector<NamedCredentialsProvider> providers);

  Result<Credentials> Get() override;

 private:
  std::vector<NamedCredentialsProvider> providers_;
  std::mutex mu_;
  CredentialsProvider* winner_ = nullptr;  // guarded by mu_; points into providers_
};

}  // namespace asr::aws
