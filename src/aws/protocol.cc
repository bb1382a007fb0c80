#include "aws/protocol.h"

#include <string>

#include "aws/internal/protocols.h"
#include "aws/retry.h"
#include "common/strings.h"

namespace asr::aws {

Result<HttpRequest> SerializeRequest(const ServiceModel& model, const Operation& op,
                                     const nlohmann::json& params, const Endpoint& endpoint) {
  const std::string context = model.metadata().service_name + "." + op.name;
  if (!params.is_null() && !params.is_object()) {
    return InvalidArgumentError(context + ": parameters must be a JSON object");
  }
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& p = params.is_null() ? empty : params;
  if (const Status valid = internal::ValidateParams(op.input, p); !valid.ok()) {
    return valid.Annotate(context);
  }
  const std::string& protocol = model.metadata().protocol;
  if (protocol == "query") {
    return internal::SerializeQuery(model, op, p, endpoint);
  }
  if (protocol == "ec2") {
    return internal::SerializeEc2(model, op, p, endpoint);
  }
  if (protocol == "json") {
    return internal::SerializeJson(model, op, p, endpoint);
  }
  if (protocol == "rest-json") {
    return internal::SerializeRestJson(model, op, p, endpoint);
  }
  if (protocol == "rest-xml") {
    return internal::SerializeRestXml(model, op, p, endpoint);
  }
  return InternalError(context + ": unsupported protocol " + Quote(protocol));
}

Result<nlohmann::json> ParseResponse(const ServiceModel& model, const Operation& op,
                                     const HttpResponse& response) {
  const std::string& protocol = model.metadata().protocol;
  Result<nlohmann::json> out = InternalError("unsupported protocol " + Quote(protocol));
  if (protocol == "query") {
    out = internal::ParseQueryResponse(model, op, response);
  } else if (protocol == "ec2") {
    out = internal::ParseEc2Response(model, op, response);
  } else if (protocol == "json") {
    out = internal::ParseJsonResponse(model, op, response);
  } else if (protocol == "rest-json") {
    out = internal::ParseRestJsonResponse(model, op, response);
  } else if (protocol == "rest-xml") {
    out = internal::ParseRestXmlResponse(model, op, response);
  }
  if (!out.ok()) {
    return out.status().Annotate(model.metadata().service_name + "." + op.name + ": response");
  }
  return out;
}

namespace {

StatusCode CodeFor(int http_status, std::string_view aws_code) {
  if (IsThrottlingErrorCode(aws_code) || http_status == 429) {
    return StatusCode::kThrottled;
  }
  const std::string lower = AsciiLower(aws_code);
  if (lower.find("accessdenied") != std::string::npos ||
      lower.find("unauthorized") != std::string::npos || lower == "authfailure" ||
      lower.find("signaturedoesnotmatch") != std::string::npos ||
      lower.find("invalidclienttokenid") != std::string::npos ||
      lower.find("expiredtoken") != std::string::npos || http_status == 401 || http_status == 403) {
    return StatusCode::kPermissionDenied;
  }
  if (lower.find("notfound") != std::string::npos || lower.starts_with("nosuch") ||
      lower.find(".notfound") != std::string::npos || http_status == 404) {
    return StatusCode::kNotFound;
  }
  if (lower.find("conflict") != std::string::npos || lower.find("inuse") != std::string::npos ||
      lower.find("alreadyexists") != std::string::npos || lower == "duplicate" ||
      http_status == 409) {
    return StatusCode::kConflict;
  }
  if (http_status >= 500 || IsTransientErrorCode(aws_code)) {
    return StatusCode::kUnavailable;
  }
  if (lower.find("precondition") != std::string::npos || http_status == 412) {
    return StatusCode::kFailedPrecondition;
  }
  return StatusCode::kInvalidArgument;
}

}  // namespace

Status ParseErrorResponse(const ServiceModel& model, const Operation& op,
                          const HttpResponse& response) {
  const std::string& protocol = model.metadata().protocol;
  const internal::AwsError e = (protocol == "json" || protocol == "rest-json")
                                   ? internal::ParseJsonError(response)
                                   : internal::ParseXmlError(response);
  std::string code = e.code;
  if (code.empty()) {
    code = "HTTP" + std::to_string(response.status);
  }
  std::string message = model.metadata().service_name + "." + op.name + ": " + code;
  if (!e.message.empty()) {
    message += ": " + e.message;
  }
  message += " (HTTP " + std::to_string(response.status) + ")";
  Status status(CodeFor(response.status, code), message);
  status = status.WithAwsError(code, e.request_id);
  return status.WithRetryable(IsRetryable(status) ? Retryable::kYes : Retryable::kNo);
}

}  // namespace asr::aws
