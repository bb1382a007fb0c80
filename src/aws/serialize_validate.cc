// Parameter validation before serialization, modelled on botocore's ParamValidator: every problem
// is collected (not just the first) so that a caller fixes its input in one go.
//
// Accepted JSON per shape type (params are boto3-shaped):
//   string                 JSON string (a "jsonvalue" header member takes any JSON value)
//   integer, long          JSON integer
//   float, double          JSON number
//   boolean                JSON boolean
//   timestamp              ISO 8601 string ("2024-01-02T03:04:05Z") or epoch seconds (number)
//   blob                   JSON string holding the raw bytes as text, like the str boto3 accepts;
//                          the serializers base64-encode it where the protocol wants base64
//   list                   JSON array
//   map, structure         JSON object (a document structure takes any JSON value)
// Enum values are not enforced (botocore doesn't either, so new values work without a model
// update); the trimmed models keep no min/max constraints, so no length or range checks.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/internal/protocols.h"
#include "aws/internal/serialize_common.h"
#include "aws/model.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

class Validator final {
 public:
  // NOLINTNEXTLINE(misc-no-recursion): recursion follows the shape tree; models are shallow.
  void Check(const Shape& shape, const nlohmann::json& value, const std::string& path) {
    switch (shape.type) {
      case ShapeType::kStructure:
        CheckStructure(shape, value, path);
        return;
      case ShapeType::kList:
        if (!Expect(value.is_array(), "list (JSON array)", value, path)) {
          return;
        }
        for (size_t i = 0; i < value.size(); ++i) {
          CheckMember(shape.member, value[i], path + "[" + std::to_string(i) + "]");
        }
        return;
      case ShapeType::kMap:
        if (!Expect(value.is_object(), "map (JSON object)", value, path)) {
          return;
        }
        for (const auto& [key, item] : value.items()) {
          CheckMember(shape.value, item, Join(path, key));
        }
        return;
      case ShapeType::kString:
        Expect(value.is_string(), "string", value, path);
        return;
      case ShapeType::kInteger:
      case ShapeType::kLong:
        Expect(value.is_number_integer(), "integer", value, path);
        return;
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        Expect(value.is_number(), "number", value, path);
        return;
      case ShapeType::kBoolean:
        Expect(value.is_boolean(), "boolean", value, path);
        return;
      case ShapeType::kTimestamp:
        if (Expect(value.is_string() || value.is_number(),
                   "timestamp (ISO 8601 string or epoch seconds)", value, path)) {
          if (const auto t = ParseTimestampParam(value); !t.ok()) {
            Report(path, t.status().message());
          }
        }
        return;
      case ShapeType::kBlob:
        Expect(value.is_string(), "blob (string of raw bytes)", value, path);
        return;
    }
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  void CheckMember(const Member& member, const nlohmann::json& value, const std::string& path) {
    if (member.json_value) {
      return;  // a jsonvalue header takes any JSON value
    }
    Check(*member.shape, value, path);
  }

  [[nodiscard]] Status Outcome() const {
    if (errors_.empty()) {
      return Status::Ok();
    }
    std::string message = errors_.size() == 1 ? "invalid parameter: " : "invalid parameters: ";
    for (size_t i = 0; i < errors_.size(); ++i) {
      message += (i == 0 ? "" : "; ") + errors_[i];
    }
    return InvalidArgumentError(message);
  }

 private:
  static std::string Join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
  }

  void Report(const std::string& path, std::string_view problem) {
    errors_.push_back((path.empty() ? std::string("input") : path) + ": " + std::string(problem));
  }

  bool Expect(bool ok, std::string_view expected, const nlohmann::json& value,
              const std::string& path) {
    if (!ok) {
      Report(path, "expected " + std::string(expected) + ", got " + value.type_name());
    }
    return ok;
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  void CheckStructure(const Shape& shape, const nlohmann::json& value, const std::string& path) {
    if (shape.document) {
      return;  // any JSON value is a document
    }
    if (!Expect(value.is_object(), "structure (JSON object)", value, path)) {
      return;
    }
    if (shape.union_ && value.size() != 1) {
      std::string names;
      for (const Member& m : shape.members) {
        names += (names.empty() ? "" : ", ") + m.name;
      }
      Report(path, "exactly one of " + names + " must be set");
    }
    for (const std::string& required : shape.required) {
      if (!value.contains(required)) {
        Report(Join(path, required), "missing required parameter");
      }
    }
    for (const auto& [key, item] : value.items()) {
      const Member* member = shape.FindMember(key);
      if (member == nullptr) {
        std::string names;
        for (const Member& m : shape.members) {
          names += (names.empty() ? "" : ", ") + m.name;
        }
        Report(Join(path, key), "unknown parameter; valid parameters: " +
                                    (names.empty() ? std::string("none") : names));
        continue;
      }
      CheckMember(*member, item, Join(path, key));
    }
  }

  std::vector<std::string> errors_;
};

}  // namespace

Status ValidateParams(const Shape* input, const nlohmann::json& params) {
  if (params.is_null()) {
    return Status::Ok();  // no parameters, like {}
  }
  if (input == nullptr) {
    if (params.is_object() && params.empty()) {
      return Status::Ok();
    }
    return InvalidArgumentError("the operation takes no parameters, got " + Quote(params.dump()));
  }
  Validator v;
  v.Check(*input, params, "");
  return v.Outcome();
}

}  // namespace asr::aws::internal
