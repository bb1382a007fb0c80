#include "aws/crypto.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace asr::aws {
namespace {

TEST(CryptoTest, DigestsMatchKnownAnswers) {
  struct Case {
    std::string name;
    std::string got;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"sha256 empty", Sha256Hex(""),
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"sha256 abc", Sha256Hex("abc"),
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"sha256 raw is 32 bytes of the hex", HexLower(Sha256("abc")),
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      // RFC 4231 test case 1.
      {"hmac rfc4231 #1", HexLower(HmacSha256(std::string(20, '\x0b'), "Hi There")),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      // RFC 4231 test case 2.
      {"hmac rfc4231 #2", HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      // RFC 4231 test case 6: a key longer than the block size.
      {"hmac rfc4231 #6",
       HexLower(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"hmac empty key", HexLower(HmacSha256("", "")),
       "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
      {"md5 base64 empty", Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg=="},
      {"md5 base64 abc", Md5Base64("abc"), "kAFQmDzST7DWlj99KOF/cg=="},
      {"hex lower", HexLower(std::string("\x00\x7f\x80\xff", 4)), "007f80ff"},
      {"hex empty", HexLower(""), ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.got, c.want);
  }
}

TEST(CryptoTest, Base64EncodesRfc4648Vectors) {
  struct Case {
    std::string plain;
    std::string encoded;
  };
  const std::vector<Case> cases = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\xfb\xff", 2), "+/8="},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.encoded);
    EXPECT_EQ(Base64Encode(c.plain), c.encoded);
    const Result<std::string> decoded = Base64Decode(c.encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, c.plain);
  }
}

TEST(CryptoTest, Base64RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (size_t len = 0; len <= all.size(); ++len) {
    SCOPED_TRACE(len);
    const std::string plain = all.substr(all.size() - len);
    const Result<std::string> decoded = Base64Decode(Base64Encode(plain));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(CryptoTest, Base64DecodeRejectsMalformedInput) {
  const std::vector<std::string> cases = {
      "abc",       // not a multiple of 4
      "a===",      // three padding characters
      "====",      // only padding
      "Zg=a",      // padding in the middle
      "Zm9v!A==",  // outside the alphabet
      "Zm 9v",     // whitespace
      "Zm9v\n",    // trailing newline
      "Zm9-",      // base64url alphabet
      "Zg==Zg==",  // padding before more data
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    const Result<std::string> decoded = Base64Decode(text);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace asr::aws
