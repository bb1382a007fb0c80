#include "report/internal/utf8.h"

namespace asr::report::internal {

CodePoint DecodeUtf8(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[i]));
  };
  const uint32_t b0 = byte(pos);
  if (b0 < 0x80) {
    return {.value = b0, .length = 1};
  }
  size_t length = 0;
  uint32_t value = 0;
  uint32_t min = 0;
  if ((b0 & 0xE0U) == 0xC0U) {
    length = 2;
    value = b0 & 0x1FU;
    min = 0x80;
  } else if ((b0 & 0xF0U) == 0xE0U) {
    length = 3;
    value = b0 & 0x0FU;
    min = 0x800;
  } else if ((b0 & 0xF8U) == 0xF0U) {
    length = 4;
    value = b0 & 0x07U;
    min = 0x10000;
  } else {
    return {.value = kReplacementCharacter, .length = 1};
  }
  if (pos + length > s.size()) {
    return {.value = kReplacementCharacter, .length = 1};
  }
  for (size_t i = 1; i < length; ++i) {
    const uint32_t b = byte(pos + i);
    if ((b & 0xC0U) != 0x80U) {
      return {.value = kReplacementCharacter, .length = 1};
    }
    value = (value << 6U) | (b & 0x3FU);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return {.value = kReplacementCharacter, .length = 1};
  }
  return {.value = value, .length = length};
}

size_t Utf8PrefixBytes(std::string_view s, size_t max_chars) {
  size_t pos = 0;
  for (size_t n = 0; n < max_chars && pos < s.size(); ++n) {
    pos += DecodeUtf8(s, pos).length;
  }
  return pos;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size(); ++n) {
    pos += DecodeUtf8(s, pos).length;
  }
  return n;
}

}  // namespace asr::report::internal
