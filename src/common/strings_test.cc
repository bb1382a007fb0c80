#include "common/strings.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace asr {
namespace {

TEST(StringsTest, CaseHelpers) {
  EXPECT_EQ(AsciiLower("AutoScaling.5"), "autoscaling.5");
  EXPECT_EQ(AsciiUpper("sc-ec2.1"), "SC-EC2.1");
  EXPECT_TRUE(EqualsIgnoreCase("Autoscaling.5", "AutoScaling.5"));
  EXPECT_FALSE(EqualsIgnoreCase("S3.1", "S3.10"));
}

TEST(StringsTest, SplitKeepsEmptyParts) {
  const auto parts = Split("arn:aws:s3:::bucket", ':');
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_EQ(parts[2], "s3");
  EXPECT_EQ(parts[3], "");
  EXPECT_EQ(parts[5], "bucket");
}

TEST(StringsTest, IsDigits) {
  EXPECT_TRUE(IsDigits("111111111111", 12));
  EXPECT_FALSE(IsDigits("11111111111", 12));
  EXPECT_FALSE(IsDigits("11111111111a", 12));
}

TEST(StringsTest, IsAwsRegionName) {
  for (const char* ok : {"us-east-1", "us-gov-west-1", "cn-northwest-1", "ap-south-2"}) {
    SCOPED_TRACE(ok);
    EXPECT_TRUE(IsAwsRegionName(ok));
  }
  for (const char* bad :
       {"", "usa", "US-EAST-1", "us east 1", "-us-east-1", "us-east-1-", "evil.com/x"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(IsAwsRegionName(bad));
  }
}

TEST(StringsTest, GlobMatch) {
  struct Case {
    const char* pattern;
    const char* text;
    bool want;
  };
  const Case cases[] = {
      {"arn:aws:s3:::prod-*", "arn:aws:s3:::prod-logs", true},
      {"arn:aws:s3:::prod-*", "arn:aws:s3:::dev-logs", false},
      {"*", "", true},
      {"a*b*c", "axxbyyc", true},
      {"a*b*c", "axxbyy", false},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"exact", "exact", true},
      {"exact", "exactly", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " ~ " + c.text);
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.want);
  }
}

TEST(StringsTest, QuoteEscapesAndTruncates) {
  EXPECT_EQ(Quote("a\"b\n"), "\"a\\\"b\\x0a\"");
  EXPECT_EQ(Quote("abcdef", 3), "\"abc...\"");
}

TEST(StringsTest, CaseInsensitiveMap) {
  std::map<std::string, int, CaseInsensitiveLess> m{{"Autoscaling.5", 1}};
  EXPECT_EQ(m.count("AutoScaling.5"), 1u);
  EXPECT_EQ(m.count("AutoScaling.50"), 0u);
}

}  // namespace
}  // namespace asr
