#include "finding/internal/json.h"

#include <utility>

#include "common/strings.h"

namespace asr::finding::internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsIdentifier(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view JsonTypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::STRING:
      return "string";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

std::string Member(std::string_view path, std::string_view key) {
  std::string out(path);
  if (IsIdentifier(key)) {
    if (!out.empty()) {
      out += '.';
    }
    out += key;
  } else {
    out += '[';
    out += Quote(key);
    out += ']';
  }
  return out;
}

std::string Element(std::string_view path, size_t index) {
  std::string out(path);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

Status MissingError(std::string_view path) {
  return InvalidArgumentError(std::string(path) + ": missing (required)");
}

Status TypeError(std::string_view path, std::string_view want, element got) {
  std::string message(path);
  message += ": must be ";
  message += want;
  message += ", got ";
  message += JsonTypeName(got.type());
  return InvalidArgumentError(std::move(message));
}

Result<std::string_view> OptionalString(const Slot& slot, std::string_view path,
                                        std::string_view key) {
  if (!slot.present) {
    return std::string_view();
  }
  std::string_view value;
  if (slot.value.get_string().get(value) != simdjson::SUCCESS) {
    return TypeError(Member(path, key), "a string", slot.value);
  }
  return value;
}

Result<std::string_view> RequiredString(const Slot& slot, std::string_view path,
                                        std::string_view key) {
  if (!slot.present) {
    return MissingError(Member(path, key));
  }
  return OptionalString(slot, path, key);
}

Result<std::optional<simdjson::dom::object>> OptionalObject(const Slot& slot, std::string_view path,
                                                            std::string_view key) {
  if (!slot.present) {
    return std::optional<simdjson::dom::object>();
  }
  simdjson::dom::object object;
  if (slot.value.get_object().get(object) != simdjson::SUCCESS) {
    return TypeError(Member(path, key), "an object", slot.value);
  }
  return std::optional<simdjson::dom::object>(object);
}

Result<std::optional<simdjson::dom::array>> OptionalArray(const Slot& slot, std::string_view path,
                                                          std::string_view key) {
  if (!slot.present) {
    return std::optional<simdjson::dom::array>();
  }
  simdjson::dom::array array;
  if (slot.value.get_array().get(array) != simdjson::SUCCESS) {
    return TypeError(Member(path, key), "an array", slot.value);
  }
  return std::optional<simdjson::dom::array>(array);
}

Result<std::optional<int64_t>> OptionalInt(const Slot& slot, std::string_view path,
                                           std::string_view key) {
  if (!slot.present) {
    return std::optional<int64_t>();
  }
  int64_t value = 0;
  if (slot.value.get_int64().get(value) != simdjson::SUCCESS) {
    return TypeError(Member(path, key), "an integer", slot.value);
  }
  return std::optional<int64_t>(value);
}

Result<std::vector<std::string>> OptionalStrings(const Slot& slot, std::string_view path,
                                                 std::string_view key) {
  std::vector<std::string> out;
  ASR_ASSIGN_OR_RETURN(const std::optional<simdjson::dom::array> array,
                       OptionalArray(slot, path, key));
  if (!array) {
    return out;
  }
  out.reserve(array->size());
  size_t index = 0;
  for (const element item : *array) {
    std::string_view value;
    if (item.get_string().get(value) != simdjson::SUCCESS) {
      return TypeError(Element(Member(path, key), index), "a string", item);
    }
    out.emplace_back(value);
    ++index;
  }
  return out;
}

// simdjson's minify() measured fewer instructions per finding than a hand-written writer with a
// reused buffer; re-serialising raw_json is still about a third of ParseEvent's time.
std::string Minify(element value) { return simdjson::minify(value); }
std::string Minify(simdjson::dom::object value) { return simdjson::minify(value); }

}  // namespace asr::finding::internal
