#include "finding/internal/derive.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace asr::finding::internal {
namespace {

TEST(FindingDeriveTest, FindingType) {
  struct Case {
    std::string id;
    std::string want;
  };
  const Case cases[] = {
      {"arn:aws:securityhub:us-east-1:111111111111:subscription/"
       "aws-foundational-security-best-practices/v/1.0.0/S3.1/finding/abc",
       "aws-foundational-security-best-practices/v/1.0.0/S3.1"},
      {"arn:aws-us-gov:securityhub:us-gov-west-1:111111111111:security-control/Lambda.3/finding/x",
       "security-control/Lambda.3"},
      {"arn:aws:securityhub:us-east-1:111111111111:subscription/pci dss/v/3.2.1/PCI_1/finding/x",
       "pcidss/v/3.2.1/PCI1"},                                                     // sanitised
      {"arn:aws:securityhub:us-east-1:1111:security-control/S3.1/finding/x", ""},  // account
      {"arn:aws:config:us-east-1:111111111111:config-rule/r/finding/x", ""},       // service
      {"arn:aws:securityhub:us-east-1:111111111111:security-control/S3.1/finding/", ""},
      {"test-id", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(FindingType(c.id), c.want);
  }
}

TEST(FindingDeriveTest, StandardFromControlArn) {
  struct Case {
    std::string arn;
    bool ok;
    std::string name, version, control;
  };
  const Case cases[] = {
      {"arn:aws:securityhub:us-east-1:111111111111:control/cis-aws-foundations-benchmark/v/1.2.0/"
       "2.4",
       true, "cis-aws-foundations-benchmark", "1.2.0", "2.4"},
      {"arn:aws:securityhub:us-east-1:111111111111:control/pci-dss/v/3.2.1/PCI.IAM.6", true,
       "pci-dss", "3.2.1", "PCI.IAM.6"},
      {"arn:aws:securityhub:us-east-1:111111111111:control/std/v/1.0.0/", false, "", "", ""},
      {"arn:aws:securityhub:us-east-1:111111111111:control/std/1.0.0/X.1", false, "", "", ""},
      {"arn:aws:securityhub:us-east-1:111111111111:control/std/v/one/X.1", false, "", "", ""},
      {"arn:aws:config:us-east-1:111111111111:control/std/v/1.0.0/X.1", false, "", "", ""},
      {"", false, "", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.arn);
    const std::optional<StandardRef> ref = StandardFromControlArn(c.arn);
    ASSERT_EQ(ref.has_value(), c.ok);
    if (ref) {
      EXPECT_EQ(ref->long_name, c.name);
      EXPECT_EQ(ref->version, c.version);
      EXPECT_EQ(ref->control, c.control);
      EXPECT_EQ(ref->source, StandardSource::kStandardsControlArn);
    }
  }
}

TEST(FindingDeriveTest, StandardAndControlFromFindingId) {
  const std::optional<StandardRef> ref = StandardFromFindingId(
      "arn:aws:securityhub:us-east-1:111111111111:subscription/pci-dss/v/3.2.1/PCI.IAM.6/finding/"
      "fec91aaf");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->long_name, "pci-dss");
  EXPECT_EQ(ref->version, "3.2.1");
  EXPECT_EQ(ref->control, "PCI.IAM.6");
  EXPECT_EQ(ref->source, StandardSource::kFindingId);
  EXPECT_FALSE(StandardFromFindingId(
                   "arn:aws:securityhub:us-east-1:111111111111:subscription/std/v/1.0.0/X.1")
                   .has_value());
  EXPECT_EQ(ControlFromConsolidatedId(
                "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.12/finding/c5")
                .value_or(""),
            "S3.12");
  EXPECT_FALSE(ControlFromConsolidatedId("security-control/S3.12/finding/c5").has_value());
}

}  // namespace
}  // namespace asr::finding::internal
