// HTTP-based credential sources: the ECS/EKS container endpoint and EC2 instance metadata.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <utility>

#include "aws/credentials.h"
#include "aws/internal/credentials_util.h"
#include "common/strings.h"

namespace asr::aws {
namespace {

constexpr TransportOptions kContainerTimeouts{.connect_timeout = std::chrono::milliseconds(1000),
                                              .request_timeout = std::chrono::milliseconds(5000)};
constexpr TransportOptions kMetadataTimeouts{.connect_timeout = std::chrono::milliseconds(1000),
                                             .request_timeout = std::chrono::milliseconds(2000)};
constexpr std::chrono::seconds kMetadataTokenTtl{21600};
constexpr std::string_view kMetadataTokenHeader = "X-aws-ec2-metadata-token";

std::optional<std::string> NonEmpty(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> value = env(name);
  if (value.has_value() && value->empty()) {
    return std::nullopt;
  }
  return value;
}

// Sends `request`, once more after a connection error or a 5xx (no delay: these endpoints are
// local and a second attempt mostly catches a dropped keep-alive connection).
Result<HttpResponse> SendWithOneRetry(Transport& transport, const HttpRequest& request,
                                      const TransportOptions& options) {
  Result<HttpResponse> response = transport.Send(request, options);
  const bool retry = response.ok() ? response->status >= 500
                                   : response.status().code() == StatusCode::kUnavailable &&
                                         response.status().retryable();
  if (retry) {
    response = transport.Send(request, options);
  }
  return response;
}

Status HttpStatusError(std::string_view what, int status) {
  const std::string message = std::string(what) + ": HTTP " + std::to_string(status);
  if (status >= 500) {
    return UnavailableError(message);
  }
  return FailedPreconditionError(message);
}

// Hosts that may serve container credentials over plain http: the ECS and EKS agents' link-local
// addresses and loopback.
bool IsAllowedHttpContainerHost(const std::string& hostname) {
  if (hostname == "169.254.170.2" || hostname == "169.254.170.23" || hostname == "fd00:ec2::23" ||
      hostname == "localhost") {
    return true;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, hostname.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24U) == 127U;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, hostname.c_str(), &v6) == 1) {
    return std::memcmp(&v6, &in6addr_loopback, sizeof(v6)) == 0;
  }
  return false;
}

HttpRequest RequestFor(const internal::ParsedUrl& url, std::string method) {
  return HttpRequest{.method = std::move(method),
                     .scheme = url.scheme,
                     .host = url.host,
                     .path = url.path,
                     .query = url.query};
}

}  // namespace

ContainerCredentialsProvider::ContainerCredentialsProvider(const ProviderContext& context)
    : context_(context),
      cache_(std::make_unique<internal::RefreshingCredentials>(*context.clock)) {}

ContainerCredentialsProvider::~ContainerCredentialsProvider() = default;

Result<Credentials> ContainerCredentialsProvider::Get() {
  if (!NonEmpty(context_.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").has_value() &&
      !NonEmpty(context_.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI").has_value()) {
    return NotFoundError(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not "
        "set");
  }
  if (context_.transport == nullptr) {
    return FailedPreconditionError("container credentials: no HTTP transport configured");
  }
  return cache_->Get([this] { return Fetch(); });
}

Result<Credentials> ContainerCredentialsProvider::Fetch() {
  constexpr std::string_view kWhat = "container credentials";
  HttpRequest request;
  if (auto relative = NonEmpty(context_.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
      relative.has_value()) {
    if (!relative->starts_with('/')) {
      relative->insert(0, "/");
    }
    ASR_ASSIGN_OR_RETURN(
        const internal::ParsedUrl url,
        internal::ParseHttpUrl(context_.container_endpoint + *relative,
                               "container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"));
    request = RequestFor(url, "GET");
  } else {
    const std::string full = *NonEmpty(context_.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    ASR_ASSIGN_OR_RETURN(
        const internal::ParsedUrl url,
        internal::ParseHttpUrl(full, "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    if (url.scheme == "http" && !IsAllowedHttpContainerHost(url.hostname)) {
      return InvalidArgumentError(
          "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI host " + Quote(url.hostname) +
          " is not allowed over http; use https, a loopback address, 169.254.170.2, "
          "169.254.170.23 or [fd00:ec2::23]");
    }
    request = RequestFor(url, "GET");

    // The token file wins over the variable; it is re-read because EKS rotates it.
    std::optional<std::string> token;
    std::string token_source;
    if (const auto file = NonEmpty(context_.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        file.has_value()) {
      Result<std::string> contents = internal::ReadFileToString(*file);
      if (!contents.ok()) {
        return FailedPreconditionError(contents.status().message())
            .Annotate("container credentials: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      }
      token = std::string(TrimAscii(*contents));
      token_source = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    } else {
      token = NonEmpty(context_.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
      token_source = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    }
    if (token.has_value()) {
      if (token->find_first_of("\r\n") != std::string::npos) {
        return InvalidArgumentError("container credentials: the token from " + token_source +
                                    " contains a line break");
      }
      request.headers.emplace_back("Authorization", *token);
    }
  }
  request.headers.emplace_back("Accept", "application/json");

  const std::string what = std::string(kWhat) + " from " + request.host + request.path;
  Result<HttpResponse> response =
      SendWithOneRetry(*context_.transport, request, kContainerTimeouts);
  if (!response.ok()) {
    return response.status().Annotate(what);
  }
  if (response->status != 200) {
    return HttpStatusError(what, response->status);
  }
  return internal::ParseCredentialsJson(response->body, {.session_token = "Token"}, kWhat);
}

InstanceMetadataCredentialsProvider::InstanceMetadataCredentialsProvider(
    const ProviderContext& context)
    : context_(context),
      cache_(std::make_unique<internal::RefreshingCredentials>(*context.clock)) {}

InstanceMetadataCredentialsProvider::~InstanceMetadataCredentialsProvider() = default;

Result<Credentials> InstanceMetadataCredentialsProvider::Get() {
  if (internal::IsTrue(context_.env("AWS_EC2_METADATA_DISABLED"))) {
    return NotFoundError("instance metadata is disabled by AWS_EC2_METADATA_DISABLED");
  }
  if (context_.transport == nullptr) {
    return FailedPreconditionError("instance metadata: no HTTP transport configured");
  }
  return cache_->Get([this] { return Fetch(); });
}

Result<HttpResponse> InstanceMetadataCredentialsProvider::Call(const std::string& endpoint,
                                                               const std::string& method,
                                                               const std::string& path,
                                                               const HttpHeaders& headers) const {
  ASR_ASSIGN_OR_RETURN(internal::ParsedUrl url,
                       internal::ParseHttpUrl(endpoint, "instance metadata endpoint"));
  HttpRequest request = RequestFor(url, method);
  request.path = path;
  request.query.clear();
  request.headers = headers;
  if (method == "PUT") {
    request.body.clear();
  }
  return SendWithOneRetry(*context_.transport, request, kMetadataTimeouts);
}

Result<std::string> InstanceMetadataCredentialsProvider::Token(const std::string& endpoint) {
  const std::lock_guard<std::mutex> lock(token_mu_);
  const auto now = context_.clock->Now();
  if (!token_.empty() && token_expiry_ - now > internal::kRefreshWindow) {
    return token_;
  }
  token_.clear();
  Result<HttpResponse> response =
      Call(endpoint, "PUT", "/latest/api/token",
           {{"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kMetadataTokenTtl.count())}});
  if (!response.ok()) {
    return response.status().Annotate("instance metadata: token");
  }
  if (response->status != 200) {
    return HttpStatusError("instance metadata: token", response->status);
  }
  const std::string_view token = TrimAscii(response->body);
  if (token.empty() || token.find_first_of("\r\n") != std::string_view::npos) {
    return UnavailableError("instance metadata: token response is empty or malformed");
  }
  token_ = std::string(token);
  token_expiry_ = now + kMetadataTokenTtl;
  return token_;
}

Result<Credentials> InstanceMetadataCredentialsProvider::Fetch() {
  std::string endpoint = NonEmpty(context_.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
                             .value_or(context_.instance_metadata_endpoint);
  while (endpoint.ends_with('/')) {
    endpoint.pop_back();
  }
  // GET with the session token; a 401 means the token is no longer accepted: get a new one and
  // try once more.
  const auto get = [&](const std::string& path) -> Result<HttpResponse> {
    for (int attempt = 0;; ++attempt) {
      Result<std::string> token = Token(endpoint);
      if (!token.ok()) {
        if (token.status().code() == StatusCode::kUnavailable && token.status().retryable()) {
          // Nothing answers: most likely not on EC2. Let the chain move on.
          return NotFoundError("instance metadata service at " + endpoint +
                               " is not reachable: " + token.status().message());
        }
        return token.status();
      }
      Result<HttpResponse> response =
          Call(endpoint, "GET", path, {{std::string(kMetadataTokenHeader), *token}});
      if (response.ok() && response->status == 401 && attempt == 0) {
        const std::lock_guard<std::mutex> lock(token_mu_);
        token_.clear();
        continue;
      }
      return response;
    }
  };

  constexpr std::string_view kRolesPath = "/latest/meta-data/iam/security-credentials/";
  ASR_ASSIGN_OR_RETURN(const HttpResponse roles, get(std::string(kRolesPath)));
  if (roles.status == 404) {
    return NotFoundError("instance metadata: no IAM role is attached to this instance");
  }
  if (roles.status != 200) {
    return HttpStatusError("instance metadata: role name", roles.status);
  }
  const std::string_view role = TrimAscii(Split(roles.body, '\n').front());
  if (role.empty()) {
    return NotFoundError("instance metadata: no IAM role is attached to this instance");
  }

  ASR_ASSIGN_OR_RETURN(const HttpResponse creds, get(std::string(kRolesPath) + UriEncode(role)));
  const std::string what = "instance metadata role " + std::string(role);
  if (creds.status != 200) {
    return HttpStatusError(what, creds.status);
  }
  return internal::ParseCredentialsJson(
      creds.body, {.session_token = "Token", .success_code = "Success"}, what);
}

}  // namespace asr::aws
