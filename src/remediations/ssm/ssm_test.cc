// Unit tests of BlockSSMDocumentPublicAccess: Resolve table, reading every page of the
// permission (moto ignores NextToken), and error propagation. End-to-end behaviour is covered
// against moto in tests/integration/remediations/ssm_test.py.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/testing/scripted_transport.h"
#include "remediation/registry.h"
#include "remediation/runner.h"
#include "remediation/testing/harness.h"

namespace asr::remediation {
namespace {

using aws::HttpResponse;
using aws::testing::JsonError;
using aws::testing::JsonResponse;
using aws::testing::JsonTarget;
using aws::testing::ScriptedTransport;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kId = "BlockSSMDocumentPublicAccess";
constexpr const char* kDocArn = "arn:aws:ssm:us-east-1:111111111111:document/Runbook-1";

Target DocumentTarget(const std::string& resource_id, const std::string& partition = "aws",
                      const std::string& region = "us-east-1") {
  return {.account_id = "111111111111",
          .region = region,
          .partition = partition,
          .control_id = "SSM.4",
          .resource_type = "AwsSsmDocument",
          .resource_id = resource_id};
}

HttpResponse Page(const std::vector<std::string>& accounts, const std::string& token = "") {
  json body = {{"AccountIds", accounts}, {"AccountSharingInfoList", json::array()}};
  for (const std::string& a : accounts) {
    body["AccountSharingInfoList"].push_back(
        {{"AccountId", a}, {"SharedDocumentVersion", "$DEFAULT"}});
  }
  if (!token.empty()) {
    body["NextToken"] = token;
  }
  return JsonResponse(200, body.dump());
}

class SsmRemediationTest : public ::testing::Test {
 protected:
  ScriptedTransport& Reset() { return h_.ResetTransport(); }
  ScriptedTransport& transport() { return h_.transport(); }
  static int MutatingCalls(const RunRecord& record) {
    return testing::RemediationHarness::MutatingCalls(record);
  }
  static const Remediation& Rem() {
    const Remediation* r = testing::RemediationHarness::Get(kId);
    EXPECT_NE(r, nullptr);
    return *r;
  }
  RunRecord RunOne(const Target& target, RunMode mode) { return h_.RunOne(kId, target, mode); }

  testing::RemediationHarness h_;
};

TEST_F(SsmRemediationTest, SpecDeclaresControlAndPermissions) {
  const RemediationSpec& spec = Rem().spec();
  ASSERT_EQ(spec.controls.size(), 1U);
  EXPECT_EQ(spec.controls[0].control_id, "SSM.4");
  EXPECT_EQ(spec.permissions, (std::vector<std::string>{"ssm:DescribeDocumentPermission",
                                                        "ssm:ModifyDocumentPermission"}));
  EXPECT_EQ(spec.reversible, Reversible::kYes);
}

TEST_F(SsmRemediationTest, ResolveTakesTheDocumentNameFromAnArnOfTheFindingsAccountAndRegion) {
  struct Case {
    std::string name;
    Target target;
    std::string want_document;  // "" = InvalidArgument
    std::string want_error;
  };
  const std::vector<Case> cases = {
      {"document", DocumentTarget(kDocArn), "Runbook-1", ""},
      {"dots and underscores",
       DocumentTarget("arn:aws:ssm:us-east-1:111111111111:document/team.run_book"), "team.run_book",
       ""},
      {"china partition",
       DocumentTarget("arn:aws-cn:ssm:cn-north-1:111111111111:document/Doc", "aws-cn",
                      "cn-north-1"),
       "Doc", ""},
      {"govcloud partition",
       DocumentTarget("arn:aws-us-gov:ssm:us-gov-west-1:111111111111:document/Doc", "aws-us-gov",
                      "us-gov-west-1"),
       "Doc", ""},
      {"partition differs", DocumentTarget("arn:aws-cn:ssm:us-east-1:111111111111:document/Doc"),
       "", "partition"},
      {"other account", DocumentTarget("arn:aws:ssm:us-east-1:999999999999:document/Doc"), "",
       "999999999999"},
      {"other region", DocumentTarget("arn:aws:ssm:eu-west-1:111111111111:document/Doc"), "",
       "eu-west-1"},
      {"parameter, not a document",
       DocumentTarget("arn:aws:ssm:us-east-1:111111111111:parameter/x"), "", "document/"},
      {"other service", DocumentTarget("arn:aws:s3:::bucket"), "", "not a ssm ARN"},
      {"invalid name", DocumentTarget("arn:aws:ssm:us-east-1:111111111111:document/a b"), "",
       "document name"},
      {"name too short", DocumentTarget("arn:aws:ssm:us-east-1:111111111111:document/ab"), "",
       "document name"},
      {"garbage", DocumentTarget("Runbook-1"), "", "not an ARN"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<json> got = Rem().Resolve(c.target);
    if (c.want_document.empty()) {
      ASSERT_FALSE(got.ok()) << got->dump();
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_THAT(got.status().message(), HasSubstr(c.want_error));
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ((*got)["Name"], c.want_document);
    }
  }
}

TEST_F(SsmRemediationTest, ReadsEveryPageOfThePermission) {
  // "all" only on the second page: a reader stopping at the first page would miss it.
  transport().On(
      [](const aws::HttpRequest& r) {
        const std::string* t = r.FindHeader("X-Amz-Target");
        return t != nullptr && t->ends_with(".DescribeDocumentPermission") &&
               r.body.find("NextToken") == std::string::npos;
      },
      {Page({"444444444444"}, "page-2")});
  transport().On(JsonTarget("DescribeDocumentPermission"), {Page({"all"})});
  const RunRecord r = RunOne(DocumentTarget(kDocArn), RunMode::kDryRun);
  ASSERT_EQ(r.outcome, Outcome::kDryRun) << r.error.ToString();
  EXPECT_EQ(r.plan->current["AccountIds"], json::array({"444444444444", "all"}));
  ASSERT_EQ(r.plan->changes.size(), 1U);
  EXPECT_EQ(r.plan->changes[0].detail["AccountIdsToRemove"], json::array({"all"}));
  EXPECT_EQ(r.calls.size(), 2U);
}

TEST_F(SsmRemediationTest, PrivateOrAccountSharedDocumentIsCompliant) {
  for (const std::vector<std::string>& accounts :
       {std::vector<std::string>{}, std::vector<std::string>{"444444444444"}}) {
    SCOPED_TRACE(accounts.size());
    Reset().On(JsonTarget("DescribeDocumentPermission"), {Page(accounts)});
    const RunRecord r = RunOne(DocumentTarget(kDocArn), RunMode::kApply);
    EXPECT_EQ(r.outcome, Outcome::kAlreadyCompliant) << r.error.ToString();
    EXPECT_EQ(MutatingCalls(r), 0);
  }
}

TEST_F(SsmRemediationTest, AwsErrorsKeepTheirCodeAndRetryability) {
  struct Case {
    std::string name;
    HttpResponse error;
    StatusCode want_code;
    bool want_retryable;
  };
  const std::vector<Case> cases = {
      {"access denied", JsonError(400, "AccessDeniedException", "no"),
       StatusCode::kPermissionDenied, false},
      {"throttled", JsonError(400, "ThrottlingException", "slow"), StatusCode::kThrottled, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset().Always(c.error);
    const RunRecord r = RunOne(DocumentTarget(kDocArn), RunMode::kApply);
    EXPECT_EQ(r.outcome, Outcome::kFailed);
    EXPECT_EQ(r.failed_phase, "plan");
    EXPECT_EQ(r.error.code(), c.want_code) << r.error.ToString();
    EXPECT_EQ(r.error.retryable(), c.want_retryable);
    EXPECT_THAT(r.error.message(), HasSubstr("Runbook-1"));
  }
}

}  // namespace
}  // namespace asr::remediation
