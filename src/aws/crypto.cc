#include "aws/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

namespace asr::aws {
namespace {

// Digests of at most 64 bytes (SHA-256, MD5). The one-shot EVP calls fail only on allocation
// failure, which we cannot report through these signatures; the result is then empty, which
// never matches a real digest, so the request fails visibly at the server.
std::string Digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    return {};
  }
  return {reinterpret_cast<const char*>(out.data()), len};
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of a base64 character, or -1.
int Base64Value(char c) {
  const size_t pos = kBase64Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::string Sha256(std::string_view data) { return Digest(EVP_sha256(), data); }

std::string Sha256Hex(std::string_view data) { return HexLower(Sha256(data)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  // HMAC() wants a non-null key pointer even for an empty key.
  static constexpr unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? &kEmpty : static_cast<const void*>(key.data());
  const auto* data_ptr = reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data_ptr, data.size(), out.data(),
           &len) == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(out.data()), len};
}

std::string Md5Base64(std::string_view data) { return Base64Encode(Digest(EVP_md5(), data)); }

std::string HexLower(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4U]);
    out.push_back(kDigits[b & 0x0FU]);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16U) |
                       (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(kBase64Alphabet[(n >> 18U) & 0x3FU]);
    out.push_back(kBase64Alphabet[(n >> 12U) & 0x3FU]);
    out.push_back(kBase64Alphabet[(n >> 6U) & 0x3FU]);
    out.push_back(kBase64Alphabet[n & 0x3FU]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16U;
    if (rest == 2) {
      n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
    }
    out.push_back(kBase64Alphabet[(n >> 18U) & 0x3FU]);
    out.push_back(kBase64Alphabet[(n >> 12U) & 0x3FU]);
    out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6U) & 0x3FU] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return InvalidArgumentError("base64: length " + std::to_string(text.size()) +
                                " is not a multiple of 4 (padding with '=' is required)");
  }
  size_t padding = 0;
  while (padding < text.size() && padding < 3 && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  if (padding > 2) {
    return InvalidArgumentError("base64: more than two '=' padding characters");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  const size_t data_len = text.size() - padding;
  for (size_t i = 0; i < data_len; ++i) {
    const int v = Base64Value(text[i]);
    if (v < 0) {
      return InvalidArgumentError("base64: invalid character at offset " + std::to_string(i) +
                                  " (accepted: A-Z a-z 0-9 + / and trailing '=')");
    }
    acc = (acc << 6U) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  // Leftover bits (at most 4) are padding; RFC 4648 lets decoders ignore their value.
  return out;
}

}  // namespace asr::aws
