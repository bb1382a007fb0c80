// The json protocol (JSON 1.0/1.1 RPC: POST / with X-Amz-Target) and the JSON body encoding that
// rest-json shares.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/crypto.h"
#include "aws/internal/protocols.h"
#include "aws/internal/serialize_common.h"
#include "aws/model.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

// botocore's JSON serializers write timestamps as integer epoch seconds unless the model says
// otherwise.
constexpr std::string_view kJsonTimestampFormat = "unixTimestamp";

Result<nlohmann::json> Encode(const Shape& shape, std::string_view timestamp_format,
                              const nlohmann::json& value);

// NOLINTNEXTLINE(misc-no-recursion): recursion follows the shape tree.
Result<nlohmann::json> EncodeMember(const Member& member, const nlohmann::json& value) {
  return Encode(*member.shape, TimestampFormatOf(member, kJsonTimestampFormat), value);
}

// NOLINTNEXTLINE(misc-no-recursion)
Result<nlohmann::json> Encode(const Shape& shape, std::string_view timestamp_format,
                              const nlohmann::json& value) {
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (shape.document) {
        return value;
      }
      nlohmann::json out = nlohmann::json::object();
      for (const Member& m : shape.members) {
        const auto it = value.find(m.name);
        if (it == value.end()) {
          continue;
        }
        ASR_ASSIGN_OR_RETURN(out[std::string(WireName(m, m.name))], EncodeMember(m, *it));
      }
      return out;
    }
    case ShapeType::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const nlohmann::json& item : value) {
        ASR_ASSIGN_OR_RETURN(nlohmann::json encoded, EncodeMember(shape.member, item));
        out.push_back(std::move(encoded));
      }
      return out;
    }
    case ShapeType::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, item] : value.items()) {
        ASR_ASSIGN_OR_RETURN(out[key], EncodeMember(shape.value, item));
      }
      return out;
    }
    case ShapeType::kTimestamp: {
      if (EqualsIgnoreCase(timestamp_format, "unixTimestamp")) {
        ASR_ASSIGN_OR_RETURN(const Timestamp t, ParseTimestampParam(value));
        return nlohmann::json(t.seconds);
      }
      ASR_ASSIGN_OR_RETURN(std::string text, FormatTimestampText(value, timestamp_format));
      return nlohmann::json(std::move(text));
    }
    case ShapeType::kBlob:
      return nlohmann::json(Base64Encode(value.get_ref<const std::string&>()));
    default:
      return value;
  }
}

}  // namespace

Result<nlohmann::json> ToJsonBody(const Shape& shape, const nlohmann::json& value) {
  try {
    return Encode(shape, kJsonTimestampFormat, value);
  } catch (const nlohmann::json::exception& e) {
    // Params are validated first, so this means a validation gap, not bad input.
    return InternalError(std::string("JSON body: ") + e.what());
  }
}

Result<HttpRequest> SerializeJson(const ServiceModel& model, const Operation& op,
                                  const nlohmann::json& params, const Endpoint& endpoint) {
  const ServiceMetadata& meta = model.metadata();
  HttpRequest request;
  request.method = op.http_method;
  ASR_ASSIGN_OR_RETURN(const std::string host_prefix, ExpandHostPrefix(op, params));
  AimAt(endpoint, host_prefix, "/", request);
  request.SetHeader("X-Amz-Target", meta.target_prefix + "." + op.name);
  request.SetHeader("Content-Type", "application/x-amz-json-" + meta.json_version);
  if (meta.aws_query_compatible) {
    // Asks the service for query-protocol error codes (sqs, cloudwatch), as botocore does.
    request.SetHeader("x-amzn-query-mode", "true");
  }
  nlohmann::json body = nlohmann::json::object();
  if (op.input != nullptr) {
    ASR_ASSIGN_OR_RETURN(body, ToJsonBody(*op.input, params));
  }
  request.body =
      body.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
  ASR_RETURN_IF_ERROR(AddRequestChecksum(op, params, request));
  return request;
}

}  // namespace asr::aws::internal
