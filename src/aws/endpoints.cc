#include "aws/endpoints.h"

#include <array>

#include "common/strings.h"

namespace asr::aws {
namespace {

struct GlobalService {
  std::string_view service;  // boto3 name
  std::string_view partition;
  std::string_view host;
  std::string_view signing_region;
};

// Services with one endpoint per partition (botocore endpoints.json "partitionEndpoint").
constexpr std::array<GlobalService, 8> kGlobalServices = {{
    {"iam", "aws", "iam.amazonaws.com", "us-east-1"},
    {"iam", "aws-cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
    {"iam", "aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
    {"organizations", "aws", "organizations.us-east-1.amazonaws.com", "us-east-1"},
    {"organizations", "aws-cn", "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
    {"organizations", "aws-us-gov", "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
    {"cloudfront", "aws", "cloudfront.amazonaws.com", "us-east-1"},
    {"cloudfront", "aws-cn", "cloudfront.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"},
}};

Result<Endpoint> FromUrl(std::string_view url, std::string_view origin) {
  Endpoint e;
  e.custom = true;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgumentError(std::string(origin) + ": endpoint URL " + Quote(url) +
                                " has no scheme; write e.g. http://127.0.0.1:5000");
  }
  e.scheme = AsciiLower(url.substr(0, scheme_end));
  if (e.scheme != "http" && e.scheme != "https") {
    return InvalidArgumentError(std::string(origin) + ": endpoint URL " + Quote(url) +
                                " must use http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  e.host = std::string(rest.substr(0, slash));
  if (e.host.empty() || e.host.find_first_of("?#@ ") != std::string::npos) {
    return InvalidArgumentError(std::string(origin) + ": endpoint URL " + Quote(url) +
                                " has no valid host");
  }
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    if (path.find_first_of("?#") != std::string_view::npos) {
      return InvalidArgumentError(std::string(origin) + ": endpoint URL " + Quote(url) +
                                  " must not have a query or fragment");
    }
    while (!path.empty() && path.back() == '/') {
      path.remove_suffix(1);
    }
    e.base_path = std::string(path);
  }
  return e;
}

}  // namespace

PartitionInfo PartitionForRegion(std::string_view region) {
  if (region.starts_with("cn-")) {
    return {"aws-cn", "amazonaws.com.cn"};
  }
  if (region.starts_with("us-gov-")) {
    return {"aws-us-gov", "amazonaws.com"};
  }
  return {"aws", "amazonaws.com"};
}

std::string EndpointEnvName(const ServiceMetadata& metadata) {
  std::string id = metadata.service_id.empty() ? metadata.service_name : metadata.service_id;
  for (char& c : id) {
    if (c == ' ' || c == '-') {
      c = '_';
    }
  }
  return "AWS_ENDPOINT_URL_" + AsciiUpper(id);
}

EndpointOverrides EndpointOverridesFromEnv(
    const std::function<std::optional<std::string>(const std::string&)>& getenv,
    const std::vector<std::string>& env_names_to_check) {
  EndpointOverrides o;
  if (auto v = getenv("AWS_ENDPOINT_URL"); v.has_value() && !v->empty()) {
    o.env_global = *v;
  }
  for (const std::string& name : env_names_to_check) {
    if (auto v = getenv(name); v.has_value() && !v->empty()) {
      o.env_per_service[name] = *v;
    }
  }
  return o;
}

Result<Endpoint> ResolveEndpoint(const ServiceMetadata& metadata, std::string_view region,
                                 const EndpointOverrides& overrides) {
  if (!IsAwsRegionName(region)) {
    return InvalidArgumentError("region " + Quote(region) +
                                " is not a valid region name (e.g. us-east-1); set AWS_REGION or "
                                "--region");
  }
  const std::string signing_name =
      metadata.signing_name.empty() ? metadata.endpoint_prefix : metadata.signing_name;

  // Overrides, most specific first.
  const auto custom = [&](std::string_view url, std::string_view origin) -> Result<Endpoint> {
    ASR_ASSIGN_OR_RETURN(Endpoint e, FromUrl(url, origin));
    e.signing_region = std::string(region);
    e.signing_name = signing_name;
    return e;
  };
  if (const auto it = overrides.per_service.find(metadata.service_name);
      it != overrides.per_service.end()) {
    return custom(it->second, "endpoint override for " + metadata.service_name);
  }
  const std::string env_name = EndpointEnvName(metadata);
  if (const auto it = overrides.env_per_service.find(env_name);
      it != overrides.env_per_service.end()) {
    return custom(it->second, env_name);
  }
  if (overrides.env) {
    if (const auto v = overrides.env(env_name); v.has_value() && !v->empty()) {
      return custom(*v, env_name);
    }
  }
  if (!overrides.global.empty()) {
    return custom(overrides.global, "endpoint override");
  }
  if (!overrides.env_global.empty()) {
    return custom(overrides.env_global, "AWS_ENDPOINT_URL");
  }
  if (overrides.env) {
    if (const auto v = overrides.env("AWS_ENDPOINT_URL"); v.has_value() && !v->empty()) {
      return custom(*v, "AWS_ENDPOINT_URL");
    }
  }

  const PartitionInfo partition = PartitionForRegion(region);
  for (const GlobalService& g : kGlobalServices) {
    if (g.service == metadata.service_name && g.partition == partition.id) {
      return Endpoint{.scheme = "https",
                      .host = std::string(g.host),
                      .base_path = "",
                      .signing_region = std::string(g.signing_region),
                      .signing_name = signing_name,
                      .custom = false};
    }
  }
  // S3 in us-east-1 keeps its legacy global name, as botocore does by default.
  const std::string host =
      metadata.service_name == "s3" && region == "us-east-1"
          ? std::string("s3.amazonaws.com")
          : metadata.endpoint_prefix + "." + std::string(region) + "." + partition.dns_suffix;
  return Endpoint{.scheme = "https",
                  .host = host,
                  .base_path = "",
                  .signing_region = std::string(region),
                  .signing_name = signing_name,
                  .custom = false};
}

}  // namespace asr::aws
