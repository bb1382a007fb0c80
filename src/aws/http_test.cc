#include "aws/http.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace asr::aws {
namespace {

TEST(HttpTest, UriEncodeKeepsOnlyUnreservedCharacters) {
  struct Case {
    std::string name;
    std::string input;
    SlashEncoding slash;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"empty", "", SlashEncoding::kEncode, ""},
      {"unreserved", "AZaz09-_.~", SlashEncoding::kEncode, "AZaz09-_.~"},
      {"space is %20 not +", "a b", SlashEncoding::kEncode, "a%20b"},
      {"slash encoded", "a/b", SlashEncoding::kEncode, "a%2Fb"},
      {"slash kept", "/a/b/", SlashEncoding::kKeep, "/a/b/"},
      {"reserved", "+*=&%:@$!'()", SlashEncoding::kEncode, "%2B%2A%3D%26%25%3A%40%24%21%27%28%29"},
      {"utf8 upper-case hex", "\xe1\x88\xb4", SlashEncoding::kEncode, "%E1%88%B4"},
      {"control and high bytes", std::string("\x00\x7f\xff", 3), SlashEncoding::kKeep, "%00%7F%FF"},
      {"percent encoded again", "%20", SlashEncoding::kKeep, "%2520"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(UriEncode(c.input, c.slash), c.want);
  }
}

TEST(HttpTest, UriDecodeDecodesValidEscapesAndKeepsTheRest) {
  struct Case {
    std::string name;
    std::string input;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"empty", "", ""},
      {"space", "a%20b", "a b"},
      {"lower-case hex", "%e1%88%b4", "\xe1\x88\xb4"},
      {"plus kept", "a+b", "a+b"},
      {"slash", "%2F", "/"},
      {"lone percent", "%", "%"},
      {"truncated", "%4", "%4"},
      {"trailing percent", "100%", "100%"},
      {"not hex", "%zz%2", "%zz%2"},
      {"nul byte", "%00", std::string(1, '\0')},
      {"escaped percent decoded once", "%2520", "%20"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(UriDecode(c.input), c.want);
  }
}

TEST(HttpTest, UriDecodeInvertsUriEncodeForEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(UriDecode(UriEncode(all)), all);
  EXPECT_EQ(UriDecode(UriEncode(all, SlashEncoding::kKeep)), all);
}

TEST(HttpTest, UrlJoinsSchemeHostPathAndQuery) {
  struct Case {
    std::string name;
    HttpRequest request;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"no query", {.host = "s3.amazonaws.com", .path = "/b/k"}, "https://s3.amazonaws.com/b/k"},
      {"query",
       {.scheme = "http", .host = "127.0.0.1:5000", .path = "/", .query = "a=1&b=%20"},
       "http://127.0.0.1:5000/?a=1&b=%20"},
      {"default request", {.host = "example.com"}, "https://example.com/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.request.Url(), c.want);
  }
}

TEST(HttpTest, HeaderNamesCompareCaseInsensitively) {
  HttpRequest request;
  request.headers = {{"Content-Type", "a"}, {"X-Amz-Date", "1"}, {"content-type", "b"}};

  ASSERT_NE(request.FindHeader("CONTENT-TYPE"), nullptr);
  EXPECT_EQ(*request.FindHeader("CONTENT-TYPE"), "a");
  EXPECT_EQ(request.FindHeader("missing"), nullptr);

  // SetHeader replaces every value of that name and keeps the first one's position.
  request.SetHeader("content-TYPE", "c");
  const HttpHeaders want_after_set = {{"Content-Type", "c"}, {"X-Amz-Date", "1"}};
  EXPECT_EQ(request.headers, want_after_set);

  request.SetHeader("User-Agent", "asr");
  ASSERT_EQ(request.headers.size(), 3U);
  EXPECT_EQ(request.headers.back().first, "User-Agent");

  request.RemoveHeader("x-amz-date");
  request.RemoveHeader("not-there");
  const HttpHeaders want_after_remove = {{"Content-Type", "c"}, {"User-Agent", "asr"}};
  EXPECT_EQ(request.headers, want_after_remove);

  HttpResponse response;
  response.headers = {{"x-amzn-RequestId", "r1"}, {"X-AMZN-REQUESTID", "r2"}};
  ASSERT_NE(response.FindHeader("X-Amzn-RequestId"), nullptr);
  EXPECT_EQ(*response.FindHeader("X-Amzn-RequestId"), "r1");
  EXPECT_EQ(response.FindHeader("etag"), nullptr);
}

}  // namespace
}  // namespace asr::aws
