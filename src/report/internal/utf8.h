#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace asr::report::internal {

// One decoded character: its code point and how many bytes it took.
struct CodePoint {
  uint32_t value = 0;
  size_t length = 1;
};

inline constexpr uint32_t kReplacementCharacter = 0xFFFD;

// Decodes the UTF-8 sequence starting at s[pos] (pos < s.size()). A byte that does not start a
// well-formed sequence (stray continuation, overlong form, surrogate, above U+10FFFF, truncated)
// decodes as U+FFFD with length 1, so decoding always advances.
CodePoint DecodeUtf8(std::string_view s, size_t pos);

// The number of bytes of the first `max_chars` characters of `s` (as DecodeUtf8 counts them),
// so a cut there never splits a sequence.
size_t Utf8PrefixBytes(std::string_view s, size_t max_chars);

// How many characters `s` has (as DecodeUtf8 counts them).
size_t Utf8Length(std::string_view s);

}  // namespace asr::report::internal
