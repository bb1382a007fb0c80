#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/model.h"
#include "common/status.h"

namespace asr::aws {

// Where one call goes and how it is signed.
struct Endpoint {
  std::string scheme = "https";
  std::string host;       // "ec2.us-east-1.amazonaws.com", "127.0.0.1:5000"
  std::string base_path;  // path prefix of a custom endpoint URL, "" or "/prefix" (no '/' end)
  std::string signing_region;
  std::string signing_name;
  bool custom = false;  // from AWS_ENDPOINT_URL* or a programmatic override
};

struct PartitionInfo {
  std::string id;          // "aws", "aws-cn", "aws-us-gov"
  std::string dns_suffix;  // "amazonaws.com", "amazonaws.com.cn"
};

// The partition of a region name: cn-* → aws-cn, us-gov-* → aws-us-gov, else aws.
PartitionInfo PartitionForRegion(std::string_view region);

// Endpoint overrides, highest precedence first: programmatic per service, AWS_ENDPOINT_URL_<ID>
// (ID = the model's serviceId upper-cased with spaces as '_', e.g. AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL_SECURITYHUB), programmatic global, AWS_ENDPOINT_URL.
struct EndpointOverrides {
  std::map<std::string, std::string, std::less<>> per_service;      // boto3 service name → URL
  std::map<std::string, std::string, std::less<>> env_per_service;  // env var name → URL
  std::string global;      // programmatic, for every service
  std::string env_global;  // AWS_ENDPOINT_URL
  // When set, consulted at resolution time for AWS_ENDPOINT_URL_<ID> and AWS_ENDPOINT_URL (after
  // the maps above), so the process environment can be used without listing every service.
  std::function<std::optional<std::string>(const std::string&)> env;
};

// Reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_* through `getenv` (injectable for tests).
EndpointOverrides EndpointOverridesFromEnv(
    const std::function<std::optional<std::string>(const std::string&)>& getenv,
    const std::vector<std::string>& env_names_to_check);

// The environment variable name for a service's endpoint: AWS_ENDPOINT_URL_<SERVICE_ID>.
std::string EndpointEnvName(const ServiceMetadata& metadata);

// Resolves the endpoint for `metadata` in `region`: overrides first (signing region = `region`),
// then global services (iam, organizations, cloudfront: one endpoint per partition with a fixed
// signing region), then `<endpointPrefix>.<region>.<dnsSuffix>`. STS is regional. InvalidArgument
// for an empty or malformed region or override URL.
Result<Endpoint> ResolveEndpoint(const ServiceMetadata& metadata, std::string_view region,
                                 const EndpointOverrides& overrides);

}  // namespace asr::aws
