#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "workflow/api.h"

// Private to the server component: credential parsing and token matching.
namespace asr::server::internal {

// A SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

// SHA-256 of `data` (OpenSSL EVP). Internal when OpenSSL fails, which it does not for SHA-256
// short of memory exhaustion.
[[nodiscard]] Result<Digest> Sha256(std::string_view data);

// Decodes standard base64 (RFC 4648 §4, '+' and '/'), with or without '=' padding. Whitespace,
// the URL-safe alphabet, misplaced padding and non-zero trailing bits are rejected.
[[nodiscard]] std::optional<std::string> Base64Decode(std::string_view in);

// What a request presented as its credential.
struct Presented {
  enum class Kind {
    kNone,       // no Authorization and no API-key header
    kSecret,     // a secret to match against the tokens
    kMalformed,  // a credential header that can't be read; `problem` says why
  };
  Kind kind = Kind::kNone;
  std::string secret;   // for kSecret; never logged
  std::string problem;  // for kMalformed; never contains the header's value
};

// Reads the credential from the request headers. `authorization` is the Authorization header
// (nullopt when absent), `api_key` the configured API-key header (nullopt when absent).
// Authorization wins when both are present. Accepted: "Bearer <secret>", "Basic
// base64(<any user>:<secret>)" (schemes case-insensitive), or the API key's value as the secret.
[[nodiscard]] Presented ReadCredential(const std::optional<std::string>& authorization,
                                       const std::optional<std::string>& api_key);

// One configured token, without its secret: only the digest is kept.
struct TokenEntry {
  std::string name;
  workflow::Principal::Role role = workflow::Principal::Role::kViewer;
  Digest digest{};
};

// The configured tokens. Immutable after construction; thread-safe.
class TokenSet final {
 public:
  explicit TokenSet(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}

  [[nodiscard]] bool empty() const { return entries_.empty(); }

  // The token whose secret equals `secret`, or nullptr. Constant time with respect to the
  // secrets: the presented secret is hashed once and its digest compared with every configured
  // digest by CRYPTO_memcmp, without early exit, so neither the position of the matching token
  // nor the length of any secret shows in the timing. Create() guarantees secrets are unique.
  [[nodiscard]] const TokenEntry* Match(std::string_view secret) const;

 private:
  std::vector<TokenEntry> entries_;
};

}  // namespace asr::server::internal
