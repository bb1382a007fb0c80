#pragma once

// JSON access helpers shared by the ASFF and OCSF mappers: one-pass field lookup, typed reads
// that produce path-naming errors, and path formatting. Private to src/finding/.

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace asr::finding::internal {

// A field looked up by Pick(). `present` is false when the key is absent or its value is null.
struct Slot {
  simdjson::dom::element value;
  bool present = false;
};

// Looks up `keys` in `object` in one pass over its fields (cheaper than one at_key() scan per
// key on the wide ASFF objects). When a key repeats, the last occurrence wins.
template <size_t N>
std::array<Slot, N> Pick(simdjson::dom::object object,
                         const std::array<std::string_view, N>& keys) {
  std::array<Slot, N> slots{};
  for (const simdjson::dom::key_value_pair field : object) {
    for (size_t i = 0; i < N; ++i) {
      if (field.key == keys[i]) {
        slots[i] = Slot{field.value, !field.value.is_null()};
        break;
      }
    }
  }
  return slots;
}

// "object", "array", "string", "number", "boolean" or "null".
std::string_view JsonTypeName(simdjson::dom::element_type type);

// Path of a member: ("detail", "findings") -> "detail.findings"; ("", "Id") -> "Id"; keys that
// are not plain identifiers are bracketed: ("ProductFields", "aws/x") -> ProductFields["aws/x"].
std::string Member(std::string_view path, std::string_view key);
// Path of an array element: ("Resources", 2) -> "Resources[2]".
std::string Element(std::string_view path, size_t index);

// "<path>: missing (required)".
Status MissingError(std::string_view path);
// "<path>: must be <want>, got <type>".
Status TypeError(std::string_view path, std::string_view want, simdjson::dom::element got);

// Typed reads of a picked member `key` of the object at `path`. The path is only formatted
// when an error is returned.
// The string, or "" when absent.
Result<std::string_view> OptionalString(const Slot& slot, std::string_view path,
                                        std::string_view key);
// The string; MissingError when absent.
Result<std::string_view> RequiredString(const Slot& slot, std::string_view path,
                                        std::string_view key);
// The object, or nullopt when absent.
Result<std::optional<simdjson::dom::object>> OptionalObject(const Slot& slot, std::string_view path,
                                                            std::string_view key);
// The array, or nullopt when absent.
Result<std::optional<simdjson::dom::array>> OptionalArray(const Slot& slot, std::string_view path,
                                                          std::string_view key);
// The integer, or nullopt when absent. Numbers that are not integers are type errors.
Result<std::optional<int64_t>> OptionalInt(const Slot& slot, std::string_view path,
                                           std::string_view key);
// An array of strings; empty when absent.
Result<std::vector<std::string>> OptionalStrings(const Slot& slot, std::string_view path,
                                                 std::string_view key);

// Compact JSON text of a value.
std::string Minify(simdjson::dom::element value);
std::string Minify(simdjson::dom::object value);

}  // namespace asr::finding::internal
