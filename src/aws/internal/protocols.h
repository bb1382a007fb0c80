#pragma once

// Per-protocol entry points behind aws/protocol.h. Serializers live in serialize_*.cc, parsers in
// parse_*.cc; protocol.cc dispatches on ServiceMetadata::protocol.

#include <nlohmann/json.hpp>

#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/model.h"
#include "common/status.h"

namespace asr::aws::internal {

// Serializers (params already validated by ValidateParams).
Result<HttpRequest> SerializeQuery(const ServiceModel& model, const Operation& op,
                                   const nlohmann::json& params, const Endpoint& endpoint);
Result<HttpRequest> SerializeEc2(const ServiceModel& model, const Operation& op,
                                 const nlohmann::json& params, const Endpoint& endpoint);
Result<HttpRequest> SerializeJson(const ServiceModel& model, const Operation& op,
                                  const nlohmann::json& params, const Endpoint& endpoint);
Result<HttpRequest> SerializeRestJson(const ServiceModel& model, const Operation& op,
                                      const nlohmann::json& params, const Endpoint& endpoint);
Result<HttpRequest> SerializeRestXml(const ServiceModel& model, const Operation& op,
                                     const nlohmann::json& params, const Endpoint& endpoint);

// Checks params against the input shape like botocore's ParamValidator: unknown members, missing
// required members, wrong JSON types, ranges where the model says. Errors name the path
// ("IpPermissions[0].FromPort: expected an integer, got string").
Status ValidateParams(const Shape* input, const nlohmann::json& params);

// Parsers of successful responses.
Result<nlohmann::json> ParseQueryResponse(const ServiceModel& model, const Operation& op,
                                          const HttpResponse& response);
Result<nlohmann::json> ParseEc2Response(const ServiceModel& model, const Operation& op,
                                        const HttpResponse& response);
Result<nlohmann::json> ParseJsonResponse(const ServiceModel& model, const Operation& op,
                                         const HttpResponse& response);
Result<nlohmann::json> ParseRestJsonResponse(const ServiceModel& model, const Operation& op,
                                             const HttpResponse& response);
Result<nlohmann::json> ParseRestXmlResponse(const ServiceModel& model, const Operation& op,
                                            const HttpResponse& response);

// The AWS error (code, message, request id) of a failed response, per protocol family.
struct AwsError {
  std::string code;
  std::string message;
  std::string request_id;
};
AwsError ParseXmlError(const HttpResponse& response);   // query, ec2, rest-xml
AwsError ParseJsonError(const HttpResponse& response);  // json, rest-json

}  // namespace asr::aws::internal
