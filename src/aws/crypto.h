#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace asr::aws {

// SHA-256 of `data`, as 32 raw bytes.
[[nodiscard]] std::string Sha256(std::string_view data);
// Lower-case hex of SHA-256(data).
[[nodiscard]] std::string Sha256Hex(std::string_view data);
// HMAC-SHA256(key, data), as 32 raw bytes.
[[nodiscard]] std::string HmacSha256(std::string_view key, std::string_view data);
// MD5(data) in base64 (the Content-MD5 header).
[[nodiscard]] std::string Md5Base64(std::string_view data);
[[nodiscard]] std::string HexLower(std::string_view bytes);
[[nodiscard]] std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; whitespace is not accepted. InvalidArgument on bad input.
[[nodiscard]] Result<std::string> Base64Decode(std::string_view text);

}  // namespace asr::aws
