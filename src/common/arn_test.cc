#include "common/arn.h"

#include <gtest/gtest.h>

#include <optional>

namespace asr {
namespace {

TEST(ArnTest, ParseSplitsSixPartsAndKeepsColonsInTheResource) {
  const std::optional<Arn> arn = ParseArn("arn:aws-cn:iam::111111111111:role/a:b");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->partition, "aws-cn");
  EXPECT_EQ(arn->service, "iam");
  EXPECT_EQ(arn->region, "");
  EXPECT_EQ(arn->account, "111111111111");
  EXPECT_EQ(arn->resource, "role/a:b");
}

TEST(ArnTest, ParseRejectsTextThatIsNotAnArn) {
  EXPECT_FALSE(ParseArn("arn:aws:s3").has_value());
  EXPECT_FALSE(ParseArn("AWS::::Account:111111111111").has_value());
  EXPECT_FALSE(ParseArn("").has_value());
}

TEST(ArnTest, MakeArnRoundTrips) {
  const std::string text =
      MakeArn("aws-us-gov", "lambda", "us-gov-west-1", "222222222222", "function:f:1");
  EXPECT_EQ(text, "arn:aws-us-gov:lambda:us-gov-west-1:222222222222:function:f:1");
  const std::optional<Arn> arn = ParseArn(text);
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->resource, "function:f:1");
}

}  // namespace
}  // namespace asr
