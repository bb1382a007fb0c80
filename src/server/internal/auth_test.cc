#include "server/internal/auth.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace asr::server::internal {
namespace {

using Role = workflow::Principal::Role;

TEST(Base64DecodeTest, DecodesCanonicalInputAndRejectsTheRest) {
  struct Case {
    std::string in;
    std::optional<std::string> want;
  };
  const std::vector<Case> cases = {
      {"", std::string()},
      {"Zg==", std::string("f")},
      {"Zm8=", std::string("fo")},
      {"Zm9v", std::string("foo")},
      {"Zm9vYg", std::string("foob")},  // padding optional
      {"dXNlcjpwYXNz", std::string("user:pass")},
      {"+/+/", std::string("\xfb\xff\xbf")},
      {"Zg=", std::nullopt},        // padding that doesn't complete a quantum
      {"Z===", std::nullopt},       // three pads
      {"Zh==", std::nullopt},       // non-zero trailing bits
      {"Zm9v YmFy", std::nullopt},  // whitespace
      {"-_-_", std::nullopt},       // URL-safe alphabet
      {"Zm=v", std::nullopt},       // padding in the middle
      {"Z", std::nullopt},          // one leftover character
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(Base64Decode(c.in), c.want);
  }
}

TEST(ReadCredentialTest, ReadsBearerBasicAndApiKey) {
  using Kind = Presented::Kind;
  struct Case {
    std::string name;
    std::optional<std::string> authorization;
    std::optional<std::string> api_key;
    Kind want_kind;
    std::string want_secret;
  };
  const std::vector<Case> cases = {
      {"nothing", std::nullopt, std::nullopt, Kind::kNone, ""},
      {"bearer", "Bearer abc", std::nullopt, Kind::kSecret, "abc"},
      {"bearer extra spaces", "  bearer   abc  ", std::nullopt, Kind::kSecret, "abc"},
      {"bearer empty", "Bearer", std::nullopt, Kind::kMalformed, ""},
      {"basic", "Basic dXNlcjpwYXNz", std::nullopt, Kind::kSecret, "pass"},
      {"basic colon in secret", "Basic dTpwOnE=", std::nullopt, Kind::kSecret, "p:q"},  // u:p:q
      {"basic empty secret", "Basic dXNlcjo=", std::nullopt, Kind::kMalformed, ""},     // user:
      {"basic not base64", "Basic ***", std::nullopt, Kind::kMalformed, ""},
      {"other scheme", "Token abc", std::nullopt, Kind::kMalformed, ""},
      {"api key", std::nullopt, " k3y ", Kind::kSecret, "k3y"},
      {"api key empty", std::nullopt, "", Kind::kMalformed, ""},
      {"authorization wins", "Bearer a", "b", Kind::kSecret, "a"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Presented p = ReadCredential(c.authorization, c.api_key);
    EXPECT_EQ(p.kind, c.want_kind);
    EXPECT_EQ(p.secret, c.want_secret);
    if (c.want_kind == Kind::kMalformed) {
      EXPECT_FALSE(p.problem.empty());
    }
  }
}

TEST(TokenSetTest, MatchesExactlyTheConfiguredSecrets) {
  std::vector<TokenEntry> entries;
  for (const auto& [name, secret, role] : std::vector<std::tuple<std::string, std::string, Role>>{
           {"a", "secret-aaaaaaaaaaaaaaaa", Role::kOperator},
           {"b", "secret-bbbbbbbbbbbbbbbb", Role::kViewer},
           {"c", "secret-cccccccccccccccc", Role::kIntake}}) {
    auto digest = Sha256(secret);
    ASSERT_TRUE(digest.ok());
    entries.push_back({.name = name, .role = role, .digest = *digest});
  }
  const TokenSet set(std::move(entries));
  EXPECT_FALSE(set.empty());
  struct Case {
    std::string secret;
    std::string want_name;  // "" = no match
  };
  const std::vector<Case> cases = {
      {"secret-aaaaaaaaaaaaaaaa", "a"}, {"secret-bbbbbbbbbbbbbbbb", "b"},
      {"secret-cccccccccccccccc", "c"}, {"secret-aaaaaaaaaaaaaaa", ""},
      {"secret-aaaaaaaaaaaaaaaaa", ""}, {"", ""},
      {"SECRET-AAAAAAAAAAAAAAAA", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.secret);
    const TokenEntry* match = set.Match(c.secret);
    EXPECT_EQ(match == nullptr ? "" : match->name, c.want_name);
  }
  EXPECT_EQ(set.Match("secret-cccccccccccccccc")->role, Role::kIntake);
  EXPECT_EQ(TokenSet({}).Match("anything"), nullptr);
}

TEST(Sha256Test, MatchesKnownVector) {
  auto digest = Sha256("abc");
  ASSERT_TRUE(digest.ok());
  // FIPS 180-2 appendix B.1.
  EXPECT_EQ((*digest)[0], 0xba);
  EXPECT_EQ((*digest)[1], 0x78);
  EXPECT_EQ((*digest)[31], 0xad);
}

}  // namespace
}  // namespace asr::server::internal
