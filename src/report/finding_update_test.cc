#include "report/finding_update.h"

#include <gtest/gtest.h>

#include <string>

#include "report/internal/utf8.h"

namespace asr::report {
namespace {

TEST(FindingUpdateTest, NotesAreLeftAloneUpToTheLimit) {
  const std::string at_limit(kNoteTextMaxChars, 'x');
  EXPECT_EQ(FlagNoteText(at_limit), at_limit);
  EXPECT_EQ(FlagNoteText(""), "");
  EXPECT_EQ(FlagNoteText("short"), "short");
}

TEST(FindingUpdateTest, LongNotesKeep509CharactersAndAnEllipsis) {
  const std::string long_text(kNoteTextMaxChars + 1, 'x');
  const std::string got = FlagNoteText(long_text);
  EXPECT_EQ(got, std::string(kNoteTextMaxChars - 3, 'x') + "...");
  EXPECT_EQ(got.size(), kNoteTextMaxChars);
}

TEST(FindingUpdateTest, TruncationCountsCharactersAndNeverSplitsUtf8) {
  const struct {
    std::string name;
    std::string unit;  // one character
  } cases[] = {{"2-byte", "\xc3\xa9"}, {"3-byte", "\xe2\x82\xac"}, {"4-byte", "\xf0\x9f\x98\x80"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string at_limit;
    for (size_t i = 0; i < kNoteTextMaxChars; ++i) {
      at_limit += c.unit;
    }
    EXPECT_EQ(FlagNoteText(at_limit), at_limit);  // 512 characters fit, whatever their bytes
    const std::string got = FlagNoteText(at_limit + c.unit);
    std::string want;
    for (size_t i = 0; i < kNoteTextMaxChars - 3; ++i) {
      want += c.unit;
    }
    EXPECT_EQ(got, want + "...");
    EXPECT_EQ(internal::Utf8Length(got), kNoteTextMaxChars);
  }
}

TEST(FindingUpdateTest, ResolvedNoteIsPrefixedAndThePrefixCountsTowardTheLimit) {
  EXPECT_EQ(ResolvedNoteText("Remediation succeeded"),
            "[automated-security-response-on-aws] Remediation succeeded");
  const std::string got = ResolvedNoteText(std::string(600, 'y'));
  EXPECT_EQ(got.size(), kNoteTextMaxChars);
  EXPECT_TRUE(got.starts_with(kResolvedNotePrefix));
  EXPECT_TRUE(got.ends_with("y..."));
  EXPECT_EQ(NoteText(FindingUpdateKind::kResolve, "m"), ResolvedNoteText("m"));
  EXPECT_EQ(NoteText(FindingUpdateKind::kFlag, "m"), "m");
}

TEST(FindingUpdateTest, ProductArnIsForcedToTheProductForm) {
  const struct {
    std::string in;
    std::string want;
  } cases[] = {
      {"arn:aws:securityhub:us-east-1::product/aws/securityhub",
       "arn:aws:securityhub:us-east-1::product/aws/securityhub"},
      {"arn:aws:securityhub:us-east-1:111111111111:product/aws/securityhub",
       "arn:aws:securityhub:us-east-1::product/aws/securityhub"},
      {"arn:aws:securityhub:us-east-1::productv2/aws/securityhub",
       "arn:aws:securityhub:us-east-1::product/aws/securityhub"},
      {"arn:aws-us-gov:securityhub:us-gov-west-1:111111111111:productv2/aws/securityhub",
       "arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/securityhub"},
      {"arn:aws-cn:securityhub:cn-north-1:111111111111:product/aws/guardduty",
       "arn:aws-cn:securityhub:cn-north-1::product/aws/guardduty"},
      // A custom integration's product belongs to its account: kept.
      {"arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default",
       "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"},
      {"not an arn", "not an arn"},
      {"", ""},
      {"arn:aws:sns:us-east-1:111111111111:product/aws/x",
       "arn:aws:sns:us-east-1:111111111111:product/aws/x"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(ProductArnV1(c.in), c.want);
  }
}

TEST(FindingUpdateTest, OutboxPayloadCarriesNoteStatusAndUpdatedBy) {
  const nlohmann::json resolved = SecurityHubOutboxPayload(
      {.region = "us-east-1",
       .finding_id = "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.2/finding/1",
       .product_arn = "arn:aws:securityhub:us-east-1:111111111111:product/aws/securityhub",
       .message = "fixed",
       .kind = FindingUpdateKind::kResolve});
  EXPECT_EQ(resolved, nlohmann::json::parse(R"({
    "region": "us-east-1",
    "finding_id": "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.2/finding/1",
    "product_arn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
    "note": "[automated-security-response-on-aws] fixed",
    "updated_by": "update_text_and_status",
    "status": "RESOLVED"})"));
  const nlohmann::json flagged = SecurityHubOutboxPayload({.region = "eu-west-1",
                                                           .finding_id = "f",
                                                           .product_arn = "p",
                                                           .message = "no runbook",
                                                           .kind = FindingUpdateKind::kFlag});
  EXPECT_EQ(flagged["status"], "NOTIFIED");
  EXPECT_EQ(flagged["note"], "no runbook");
  EXPECT_EQ(flagged["product_arn"], "p");
}

}  // namespace
}  // namespace asr::report
