// The query and ec2 protocols: a form-encoded POST body "Action=...&Version=...&..." with nested
// members flattened into dotted names, as botocore's QuerySerializer and EC2Serializer do.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/crypto.h"
#include "aws/internal/protocols.h"
#include "aws/internal/serialize_common.h"
#include "aws/model.h"
#include "common/status.h"

namespace asr::aws::internal {
namespace {

enum class Dialect { kQuery, kEc2 };

using Fields = std::vector<std::pair<std::string, std::string>>;

class FormWriter final {
 public:
  explicit FormWriter(Dialect dialect) : dialect_(dialect) {}

  void Add(std::string key, std::string value) {
    fields_.emplace_back(std::move(key), std::move(value));
  }
  [[nodiscard]] const Fields& Written() const { return fields_; }

  // NOLINTNEXTLINE(misc-no-recursion): recursion follows the shape tree.
  Status Structure(const Shape& shape, const nlohmann::json& value, const std::string& prefix) {
    // Model member order, so the body is deterministic whatever order the caller used.
    for (const Member& m : shape.members) {
      const auto it = value.find(m.name);
      if (it == value.end()) {
        continue;
      }
      std::string name = prefix;
      if (!name.empty()) {
        name += '.';
      }
      name += SerializedName(m, m.name);
      ASR_RETURN_IF_ERROR(Value(m, *it, name));
    }
    return Status::Ok();
  }

 private:
  // The name a member goes by: ec2 prefers queryName, then the locationName capitalised.
  [[nodiscard]] std::string SerializedName(const Member& m, std::string_view fallback) const {
    if (dialect_ == Dialect::kQuery) {
      return std::string(WireName(m, fallback));
    }
    if (!m.query_name.empty()) {
      return m.query_name;
    }
    std::string name(WireName(m, ""));
    if (name.empty()) {
      return std::string(fallback);
    }
    if (name[0] >= 'a' && name[0] <= 'z') {
      name[0] = static_cast<char>(name[0] - 'a' + 'A');
    }
    return name;
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  Status Value(const Member& m, const nlohmann::json& value, const std::string& prefix) {
    const Shape& shape = *m.shape;
    switch (shape.type) {
      case ShapeType::kStructure:
        return Structure(shape, value, prefix);
      case ShapeType::kList:
        return List(m, value, prefix);
      case ShapeType::kMap:
        return Map(m, value, prefix);
      case ShapeType::kBlob:
        fields_.emplace_back(prefix, Base64Encode(value.get_ref<const std::string&>()));
        return Status::Ok();
      case ShapeType::kTimestamp: {
        ASR_ASSIGN_OR_RETURN(std::string text,
                             FormatTimestampText(value, TimestampFormatOf(m, "iso8601")));
        fields_.emplace_back(prefix, std::move(text));
        return Status::Ok();
      }
      default:
        fields_.emplace_back(prefix, ScalarText(value));
        return Status::Ok();
    }
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  Status List(const Member& m, const nlohmann::json& value, const std::string& prefix) {
    const Member& element = m.shape->member;
    if (dialect_ == Dialect::kEc2) {
      // ec2 lists are always flattened: Name.1, Name.2 (nothing for an empty list).
      for (size_t i = 0; i < value.size(); ++i) {
        ASR_RETURN_IF_ERROR(Value(element, value[i], prefix + "." + std::to_string(i + 1)));
      }
      return Status::Ok();
    }
    if (value.empty()) {
      fields_.emplace_back(prefix, "");  // the query protocol sends empty lists
      return Status::Ok();
    }
    std::string list_prefix;
    if (m.flattened) {
      list_prefix = prefix;
      if (const std::string_view name = WireName(element, ""); !name.empty()) {
        // A flattened list with a member name replaces the last component: Foo.Bar → Foo.Name.
        const size_t dot = prefix.rfind('.');
        list_prefix = (dot == std::string::npos ? std::string() : prefix.substr(0, dot + 1)) +
                      std::string(name);
      }
    } else {
      list_prefix = prefix + "." + std::string(WireName(element, "member"));
    }
    for (size_t i = 0; i < value.size(); ++i) {
      ASR_RETURN_IF_ERROR(Value(element, value[i], list_prefix + "." + std::to_string(i + 1)));
    }
    return Status::Ok();
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  Status Map(const Member& m, const nlohmann::json& value, const std::string& prefix) {
    const Shape& shape = *m.shape;
    const std::string base = m.flattened ? prefix : prefix + ".entry";
    const std::string key_name(SerializedName(shape.key, "key"));
    const std::string value_name(SerializedName(shape.value, "value"));
    size_t i = 0;
    for (const auto& [key, item] : value.items()) {
      const std::string entry = base + "." + std::to_string(++i) + ".";
      fields_.emplace_back(entry + key_name, key);
      ASR_RETURN_IF_ERROR(Value(shape.value, item, entry + value_name));
    }
    return Status::Ok();
  }

  Dialect dialect_;
  Fields fields_;
};

// boto3 base64-encodes EC2 user data for the caller (handlers.base64_encode_user_data); callers
// of asr pass the script text as they would to boto3.
nlohmann::json WithEncodedUserData(const ServiceModel& model, const Operation& op,
                                   const nlohmann::json& params) {
  const std::string& service = model.metadata().service_name;
  const bool encodes = (service == "ec2" && op.name == "RunInstances") ||
                       (service == "autoscaling" && op.name == "CreateLaunchConfiguration");
  const auto it = params.find("UserData");
  if (!encodes || it == params.end() || !it->is_string()) {
    return params;
  }
  nlohmann::json copy = params;
  copy["UserData"] = Base64Encode(it->get_ref<const std::string&>());
  return copy;
}

Result<HttpRequest> Serialize(Dialect dialect, const ServiceModel& model, const Operation& op,
                              const nlohmann::json& raw_params, const Endpoint& endpoint) {
  const nlohmann::json params = WithEncodedUserData(model, op, raw_params);
  FormWriter writer(dialect);
  writer.Add("Action", op.name);
  writer.Add("Version", model.metadata().api_version);
  if (op.input != nullptr) {
    try {
      ASR_RETURN_IF_ERROR(writer.Structure(*op.input, params, ""));
    } catch (const nlohmann::json::exception& e) {
      // Params are validated first, so this means a validation gap, not bad input.
      return InternalError(std::string("query body: ") + e.what());
    }
  }
  HttpRequest request;
  request.method = op.http_method;
  ASR_ASSIGN_OR_RETURN(const std::string host_prefix, ExpandHostPrefix(op, params));
  AimAt(endpoint, host_prefix, "/", request);
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  for (const auto& [key, value] : writer.Written()) {
    if (!request.body.empty()) {
      request.body += '&';
    }
    request.body += FormEncode(key);
    request.body += '=';
    request.body += FormEncode(value);
  }
  ASR_RETURN_IF_ERROR(AddRequestChecksum(op, params, request));
  return request;
}

}  // namespace

Result<HttpRequest> SerializeQuery(const ServiceModel& model, const Operation& op,
                                   const nlohmann::json& params, const Endpoint& endpoint) {
  return Serialize(Dialect::kQuery, model, op, params, endpoint);
}

Result<HttpRequest> SerializeEc2(const ServiceModel& model, const Operation& op,
                                 const nlohmann::json& params, const Endpoint& endpoint) {
  return Serialize(Dialect::kEc2, model, op, params, endpoint);
}

}  // namespace asr::aws::internal
