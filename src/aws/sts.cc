#include "aws/sts.h"

#include <string>

#include "aws/internal/iso8601.h"

namespace asr::aws {
namespace {

std::string RegionFor(const std::string& requested, const Client& client) {
  if (!requested.empty()) {
    return requested;
  }
  return client.options().region.empty() ? std::string("us-east-1") : client.options().region;
}

// Reads the Credentials member of an AssumeRole* result.
Result<Credentials> FromResult(const nlohmann::json& result, const std::string& source) {
  if (!result.contains("Credentials") || !result["Credentials"].is_object()) {
    return InternalError("sts: response has no Credentials");
  }
  const nlohmann::json& c = result["Credentials"];
  Credentials out;
  out.access_key_id = c.value("AccessKeyId", "");
  out.secret_access_key = c.value("SecretAccessKey", "");
  out.session_token = c.value("SessionToken", "");
  out.source = source;
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return InternalError("sts: response credentials are incomplete");
  }
  if (c.contains("Expiration") && c["Expiration"].is_string()) {
    ASR_ASSIGN_OR_RETURN(out.expiration,
                         internal::ParseIso8601(c["Expiration"].get<std::string>()));
  }
  return out;
}

}  // namespace

Result<Credentials> ClientStsApi::AssumeRole(const Credentials& source,
                                             const AssumeRoleRequest& request) {
  nlohmann::json params = {{"RoleArn", request.role_arn},
                           {"RoleSessionName", request.session_name},
                           {"DurationSeconds", request.duration.count()}};
  if (!request.external_id.empty()) {
    params["ExternalId"] = request.external_id;
  }
  if (!request.session_tags.empty()) {
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& [key, value] : request.session_tags) {
      tags.push_back({{"Key", key}, {"Value", value}});
    }
    params["Tags"] = tags;
  }
  StaticCredentialsProvider provider(source);
  const CallOptions options{.region = RegionFor(request.region, client_), .credentials = &provider};
  Result<nlohmann::json> result = client_.Call("sts", "AssumeRole", params, options);
  if (!result.ok()) {
    return result.status().Annotate("assume role " + request.role_arn);
  }
  return FromResult(*result, "assumed role " + request.role_arn);
}

Result<Credentials> ClientStsApi::AssumeRoleWithWebIdentity(const WebIdentityRequest& request) {
  const nlohmann::json params = {{"RoleArn", request.role_arn},
                                 {"RoleSessionName", request.session_name},
                                 {"WebIdentityToken", request.token},
                                 {"DurationSeconds", request.duration.count()}};
  const CallOptions options{.region = RegionFor(request.region, client_), .credentials = nullptr};
  Result<nlohmann::json> result = client_.Call("sts", "AssumeRoleWithWebIdentity", params, options);
  if (!result.ok()) {
    return result.status().Annotate("assume role with web identity " + request.role_arn);
  }
  return FromResult(*result, "web identity role " + request.role_arn);
}

}  // namespace asr::aws
