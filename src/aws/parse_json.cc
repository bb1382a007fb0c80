// Response parsers of the JSON protocols (json 1.0/1.1, rest-json) and their error parser, after
// botocore's BaseJSONParser/RestJSONParser: the body is walked by the output shape, timestamps
// (epoch numbers or text) become ISO 8601 strings, blobs stay base64 text, documents are copied.
//
// Values whose JSON type doesn't fit the shape (a string where a list or structure is expected)
// are left out; botocore raises or iterates the string's characters. JSON nulls are left out of
// structures and kept in lists and maps, as botocore does. Unlike botocore, a body that is not
// JSON (or not a JSON object) is an Internal error rather than an empty result.

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "aws/crypto.h"
#include "aws/http.h"
#include "aws/internal/parse_common.h"
#include "aws/internal/protocols.h"
#include "aws/model.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

using Json = nlohmann::json;

// json passes scalars through as they are; rest-json converts them like int()/float()/
// ensure_boolean (botocore's RestJSONParser).
enum class Flavor { kJson, kRestJson };

class JsonWalker final {
 public:
  explicit JsonWalker(Flavor flavor) : flavor_(flavor) {}

  // nullopt when `value` doesn't fit the shape. Recursion follows the document's nesting.
  // NOLINTNEXTLINE(misc-no-recursion)
  std::optional<Json> Value(const Shape& shape, const Json& value) {
    if (value.is_null()) {
      return Json();
    }
    switch (shape.type) {
      case ShapeType::kStructure:
        return Structure(shape, value);
      case ShapeType::kList:
        return List(shape, value);
      case ShapeType::kMap:
        return Map(shape, value);
      case ShapeType::kTimestamp:
        return Timestamp(value);
      case ShapeType::kBoolean:
        return Boolean(value);
      case ShapeType::kInteger:
      case ShapeType::kLong:
        return Integer(value);
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        return Float(value);
      case ShapeType::kString:
      case ShapeType::kBlob:
        break;
    }
    return value;
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  std::optional<Json> Structure(const Shape& shape, const Json& value) {
    if (shape.document) {
      return value;
    }
    if (!value.is_object()) {
      return std::nullopt;
    }
    if (shape.union_) {
      if (std::optional<Json> unknown = UnknownUnionMember(shape, value); unknown.has_value()) {
        return unknown;
      }
    }
    Json out = Json::object();
    for (const Member& member : shape.members) {
      if (!member.location.empty()) {
        continue;  // rest-json: read from the status line and headers
      }
      auto it = value.find(WireName(member));
      if (it == value.end() || it->is_null()) {
        continue;
      }
      if (std::optional<Json> v = Value(*member.shape, *it); v.has_value()) {
        out[member.name] = *std::move(v);
      }
    }
    return out;
  }

 private:
  // NOLINTNEXTLINE(misc-no-recursion)
  std::optional<Json> List(const Shape& shape, const Json& value) {
    if (!value.is_array()) {
      return std::nullopt;
    }
    Json out = Json::array();
    for (const Json& item : value) {
      if (std::optional<Json> v = Value(*shape.member.shape, item); v.has_value()) {
        out.push_back(*std::move(v));
      }
    }
    return out;
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  std::optional<Json> Map(const Shape& shape, const Json& value) {
    if (!value.is_object()) {
      return std::nullopt;
    }
    Json out = Json::object();
    for (const auto& [key, item] : value.items()) {
      if (std::optional<Json> v = Value(*shape.value.shape, item); v.has_value()) {
        out[key] = *std::move(v);
      }
    }
    return out;
  }

  // A union with one member set that the model doesn't know: botocore's SDK_UNKNOWN_MEMBER.
  static std::optional<Json> UnknownUnionMember(const Shape& shape, const Json& value) {
    std::string tag;
    int set = 0;
    for (const auto& [key, item] : value.items()) {
      if (key != "__type" && !item.is_null()) {
        tag = key;
        ++set;
      }
    }
    if (set != 1) {
      return std::nullopt;
    }
    for (const Member& member : shape.members) {
      if (WireName(member) == tag) {
        return std::nullopt;
      }
    }
    return Json{{"SDK_UNKNOWN_MEMBER", {{"name", tag}}}};
  }

  static std::optional<Json> Timestamp(const Json& value) {
    if (value.is_number()) {
      std::optional<std::string> iso = TimestampFromEpoch(value.get<double>());
      return iso.has_value() ? Json(*std::move(iso)) : value;
    }
    if (value.is_string()) {
      std::optional<std::string> iso = NormalizeTimestampText(value.get_ref<const std::string&>());
      return iso.has_value() ? Json(*std::move(iso)) : value;
    }
    return std::nullopt;
  }

  [[nodiscard]] std::optional<Json> Boolean(const Json& value) const {
    if (flavor_ == Flavor::kJson || value.is_boolean()) {
      return value;
    }
    if (value.is_string()) {
      return Json(AsciiLower(value.get_ref<const std::string&>()) == "true");
    }
    return Json(false);
  }

  [[nodiscard]] std::optional<Json> Integer(const Json& value) const {
    if (flavor_ == Flavor::kJson || value.is_number_integer()) {
      return value;
    }
    if (value.is_number_float()) {
      const double d = std::trunc(value.get<double>());
      if (std::isfinite(d) && std::fabs(d) < 9.2e18) {
        return Json(static_cast<int64_t>(d));
      }
      return std::nullopt;
    }
    if (value.is_boolean()) {
      return Json(value.get<bool>() ? 1 : 0);
    }
    if (value.is_string()) {
      return ParseIntegerText(value.get_ref<const std::string&>());
    }
    return std::nullopt;
  }

  [[nodiscard]] std::optional<Json> Float(const Json& value) const {
    if (flavor_ == Flavor::kJson || value.is_number_float()) {
      return value;
    }
    if (value.is_number()) {
      return Json(value.get<double>());
    }
    if (value.is_string()) {
      return ParseFloatText(value.get_ref<const std::string&>());
    }
    return std::nullopt;
  }

  Flavor flavor_;
};

// The body as a JSON object; an empty body is {}.
Result<Json> ParseBodyObject(const std::string& body) {
  if (body.empty()) {
    return Json::object();
  }
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return InternalError("invalid JSON body: " + Quote(body, 80));
  }
  if (!parsed.is_object()) {
    return InternalError(std::string("JSON body is not an object but ") + parsed.type_name());
  }
  return parsed;
}

Result<Json> ParseRestJsonBody(const Operation& op, const HttpResponse& response) {
  if (op.output == nullptr) {
    return Json::object();
  }
  const Shape& output = *op.output;
  Json out = ParseLocatedMembers(output, response, BooleanText::kCaseInsensitive);
  JsonWalker walker(Flavor::kRestJson);
  if (!output.payload.empty()) {
    const Member& payload = *output.FindMember(output.payload);
    if (payload.shape->type == ShapeType::kString) {
      out[payload.name] = response.body;
    } else if (payload.shape->type == ShapeType::kBlob) {
      out[payload.name] = Base64Encode(response.body);
    } else {
      ASR_ASSIGN_OR_RETURN(Json body, ParseBodyObject(response.body));
      if (std::optional<Json> v = walker.Value(*payload.shape, body); v.has_value()) {
        out[payload.name] = *std::move(v);
      }
    }
    return out;
  }
  ASR_ASSIGN_OR_RETURN(Json body, ParseBodyObject(response.body));
  if (std::optional<Json> v = walker.Structure(output, body); v.has_value()) {
    out.update(*v);
  }
  return out;
}

std::string AsText(const Json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  return value.is_null() ? "" : value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The first of `keys` present in `object`, or nullptr.
const Json* FindFirst(const Json& object, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (auto it = object.find(key); it != object.end()) {
      return &*it;
    }
  }
  return nullptr;
}

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException:http://..." → the bare name.
std::string BareErrorCode(std::string code) {
  if (const size_t colon = code.find(':'); colon != std::string::npos) {
    code.resize(colon);
  }
  if (const size_t hash = code.rfind('#'); hash != std::string::npos) {
    code.erase(0, hash + 1);
  }
  return code;
}

}  // namespace

Result<Json> ParseJsonResponse(const ServiceModel& model, const Operation& op,
                               const HttpResponse& response) {
  try {
    if (op.output == nullptr) {
      return Json::object();
    }
    ASR_ASSIGN_OR_RETURN(Json body, ParseBodyObject(response.body));
    std::optional<Json> out = JsonWalker(Flavor::kJson).Structure(*op.output, body);
    return ApplyAfterCallCustomizations(model, op,
                                        out.has_value() ? *std::move(out) : Json::object());
  } catch (const Json::exception& e) {
    return InternalError(std::string("parsing the JSON body: ") + e.what());
  }
}

Result<Json> ParseRestJsonResponse(const ServiceModel& model, const Operation& op,
                                   const HttpResponse& response) {
  try {
    ASR_ASSIGN_OR_RETURN(Json out, ParseRestJsonBody(op, response));
    return ApplyAfterCallCustomizations(model, op, std::move(out));
  } catch (const Json::exception& e) {
    return InternalError(std::string("parsing the JSON body: ") + e.what());
  }
}

AwsError ParseJsonError(const HttpResponse& response) {
  AwsError error;
  error.request_id = RequestIdFromHeaders(response);
  const std::string_view trimmed = TrimAscii(response.body);
  if (response.status >= 500 && (trimmed.empty() || trimmed.starts_with("<html>"))) {
    error.code = std::to_string(response.status);
    error.message = std::string(ReasonPhrase(response.status));
    return error;
  }
  try {
    // Like botocore: a body that isn't a JSON object is the message.
    Json body = Json::object();
    if (!response.body.empty()) {
      body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded() || !body.is_object()) {
        body = Json{{"message", response.body}};
      }
    }
    if (const Json* message = FindFirst(body, {"message", "Message"}); message != nullptr) {
      error.message = AsText(*message);
    }
    // json: "__type"; rest-json: the x-amzn-ErrorType header or a "code" member; else the
    // HTTP status.
    std::string code = std::to_string(response.status);
    if (auto it = body.find("__type"); it != body.end()) {
      code = AsText(*it);
    }
    if (std::optional<std::string> type = HeaderValue(response, "x-amzn-ErrorType");
        type.has_value()) {
      code = *type;
    } else if (const Json* member = FindFirst(body, {"code", "Code"}); member != nullptr) {
      code = AsText(*member);
    }
    error.code = BareErrorCode(std::move(code));
    // awsQueryCompatible services (sqs) name the query-protocol code: "Code;Sender".
    if (std::optional<std::string> query = HeaderValue(response, "x-amzn-query-error");
        query.has_value()) {
      const auto parts = Split(*query, ';');
      if (parts.size() == 2 && !parts[0].empty()) {
        error.code = std::string(parts[0]);
      }
    }
  } catch (const Json::exception& e) {
    error.message = std::string("unreadable error body: ") + e.what();
  }
  return error;
}

}  // namespace asr::aws::internal
