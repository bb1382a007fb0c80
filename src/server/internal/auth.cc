#include "server/internal/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstddef>

#include "common/strings.h"

namespace asr::server::internal {

Result<Digest> Sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    return InternalError("SHA-256 failed in OpenSSL");
  }
  return out;
}

namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

}  // namespace

std::optional<std::string> Base64Decode(std::string_view in) {
  // Padding: at most two '=' at the very end, and only to make the length a multiple of four.
  size_t pad = 0;
  while (pad < 2 && pad < in.size() && in[in.size() - 1 - pad] == '=') {
    ++pad;
  }
  if (pad > 0 && in.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string_view body = in.substr(0, in.size() - pad);
  if (body.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(body.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    const int v = Base64Value(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
    }
  }
  // Leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1U << bits) - 1U)) != 0) {
    return std::nullopt;
  }
  return out;
}

Presented ReadCredential(const std::optional<std::string>& authorization,
                         const std::optional<std::string>& api_key) {
  Presented p;
  if (authorization.has_value()) {
    const std::string_view value = TrimAscii(*authorization);
    const size_t space = value.find(' ');
    const std::string_view scheme = value.substr(0, space);
    const std::string_view rest =
        space == std::string_view::npos ? std::string_view() : TrimAscii(value.substr(space + 1));
    if (EqualsIgnoreCase(scheme, "Bearer")) {
      if (rest.empty()) {
        p.kind = Presented::Kind::kMalformed;
        p.problem = "the Authorization header's Bearer token is empty";
        return p;
      }
      p.kind = Presented::Kind::kSecret;
      p.secret = std::string(rest);
      return p;
    }
    if (EqualsIgnoreCase(scheme, "Basic")) {
      std::optional<std::string> decoded = Base64Decode(rest);
      const size_t colon = decoded.has_value() ? decoded->find(':') : std::string::npos;
      if (!decoded.has_value() || colon == std::string::npos || colon + 1 == decoded->size()) {
        p.kind = Presented::Kind::kMalformed;
        p.problem =
            "the Authorization header's Basic credential is not base64 of \"user:secret\" with a "
            "non-empty secret";
        return p;
      }
      p.kind = Presented::Kind::kSecret;
      p.secret = decoded->substr(colon + 1);
      return p;
    }
    p.kind = Presented::Kind::kMalformed;
    p.problem =
        "the Authorization header's scheme is not supported; use \"Bearer <token>\" or "
        "\"Basic <base64(user:token)>\"";
    return p;
  }
  if (api_key.has_value()) {
    const std::string_view value = TrimAscii(*api_key);
    if (value.empty()) {
      p.kind = Presented::Kind::kMalformed;
      p.problem = "the API key header is empty";
      return p;
    }
    p.kind = Presented::Kind::kSecret;
    p.secret = std::string(value);
    return p;
  }
  return p;
}

const TokenEntry* TokenSet::Match(std::string_view secret) const {
  Result<Digest> digest = Sha256(secret);
  if (!digest.ok()) {
    return nullptr;  // fail closed
  }
  // Branch-free selection: every entry is compared and the loop's work doesn't depend on which
  // one (if any) matched.
  size_t found = 0;
  size_t any = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto equal = static_cast<size_t>(
        CRYPTO_memcmp(digest->data(), entries_[i].digest.data(), digest->size()) == 0);
    const size_t mask = size_t{0} - equal;
    found = (found & ~mask) | (i & mask);
    any |= equal;
  }
  return any != 0 ? &entries_[found] : nullptr;
}

}  // namespace asr::server::internal
