// Unit tests of EnableEncryptionForSQSQueue: Resolve table, the KmsKeyArn parameter, compliance,
// and error propagation. End-to-end behaviour is covered against moto in
// tests/integration/remediations/sqs_test.py.

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

constexpr const char* kId = "EnableEncryptionForSQSQueue";
constexpr const char* kQueueArn = "arn:aws:sqs:us-east-1:111111111111:orders";
constexpr const char* kQueueUrl = "https://sqs.us-east-1.amazonaws.com/111111111111/orders";

Target QueueTarget(const std::string& resource_id, const std::string& partition = "aws",
                   const std::string& region = "us-east-1") {
  return {.account_id = "111111111111",
          .region = region,
          .partition = partition,
          .control_id = "SQS.1",
          .resource_type = "AwsSqsQueue",
          .resource_id = resource_id};
}

HttpResponse Attributes(const json& attributes) {
  return JsonResponse(200, json{{"Attributes", attributes}}.dump());
}

class SqsRemediationTest : public ::testing::Test {
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
  // Scripts GetQueueUrl and GetQueueAttributes (answers in order, the last repeating).
  void ScriptQueue(std::vector<Result<HttpResponse>> attributes) {
    transport().On(JsonTarget("GetQueueUrl"),
                   {JsonResponse(200, json{{"QueueUrl", kQueueUrl}}.dump())});
    transport().On(JsonTarget("GetQueueAttributes"), std::move(attributes));
  }
  RunRecord RunOne(const Target& target, RunMode mode, const json& overrides = json::object()) {
    return h_.RunOne(kId, target, mode, overrides);
  }

  testing::RemediationHarness h_;
};

TEST_F(SqsRemediationTest, SpecDeclaresControlPermissionsAndDefault) {
  const RemediationSpec& spec = Rem().spec();
  ASSERT_EQ(spec.controls.size(), 1U);
  EXPECT_EQ(spec.controls[0].control_id, "SQS.1");
  EXPECT_EQ(spec.resource_type, "AwsSqsQueue");
  EXPECT_EQ(spec.permissions,
            (std::vector<std::string>{"sqs:GetQueueUrl", "sqs:GetQueueAttributes",
                                      "sqs:SetQueueAttributes", "kms:DescribeKey"}));
  ASSERT_EQ(spec.parameters.size(), 1U);
  EXPECT_EQ(spec.parameters[0].name, "KmsKeyArn");
  EXPECT_EQ(spec.parameters[0].default_json, "\"\"");
}

TEST_F(SqsRemediationTest, ResolveTakesTheQueueNameFromAnArnOfTheFindingsAccountAndRegion) {
  struct Case {
    std::string name;
    Target target;
    std::string want_queue;  // "" = InvalidArgument
    std::string want_error;
  };
  const std::vector<Case> cases = {
      {"queue", QueueTarget(kQueueArn), "orders", ""},
      {"fifo queue", QueueTarget("arn:aws:sqs:us-east-1:111111111111:jobs.fifo"), "jobs.fifo", ""},
      {"china partition",
       QueueTarget("arn:aws-cn:sqs:cn-north-1:111111111111:q-1", "aws-cn", "cn-north-1"), "q-1",
       ""},
      {"govcloud partition",
       QueueTarget("arn:aws-us-gov:sqs:us-gov-west-1:111111111111:q_2", "aws-us-gov",
                   "us-gov-west-1"),
       "q_2", ""},
      {"partition differs", QueueTarget("arn:aws-cn:sqs:us-east-1:111111111111:q"), "",
       "partition"},
      {"other account", QueueTarget("arn:aws:sqs:us-east-1:999999999999:q"), "", "999999999999"},
      {"other region", QueueTarget("arn:aws:sqs:eu-west-1:111111111111:q"), "", "eu-west-1"},
      {"other service", QueueTarget("arn:aws:sns:us-east-1:111111111111:topic"), "",
       "not a sqs ARN"},
      {"invalid name", QueueTarget("arn:aws:sqs:us-east-1:111111111111:bad/name"), "",
       "queue name"},
      {"name too long", QueueTarget("arn:aws:sqs:us-east-1:111111111111:" + std::string(81, 'q')),
       "", "queue name"},
      {"queue URL instead of ARN", QueueTarget(kQueueUrl), "", "not an ARN"},
      {"garbage", QueueTarget("orders"), "", "not an ARN"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<json> got = Rem().Resolve(c.target);
    if (c.want_queue.empty()) {
      ASSERT_FALSE(got.ok()) << got->dump();
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_THAT(got.status().message(), HasSubstr(c.want_error));
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ((*got)["QueueName"], c.want_queue);
      EXPECT_EQ((*got)["QueueOwnerAWSAccountId"], "111111111111");
    }
  }
}

TEST_F(SqsRemediationTest, CompliantWhenEitherKindOfEncryptionIsOn) {
  struct Case {
    std::string name;
    json attributes;
    bool compliant;
  };
  const std::vector<Case> cases = {
      {"SSE-SQS", {{"SqsManagedSseEnabled", "true"}}, true},
      {"SSE-KMS", {{"KmsMasterKeyId", "alias/app"}, {"SqsManagedSseEnabled", "false"}}, true},
      {"neither", {{"SqsManagedSseEnabled", "false"}}, false},
      {"attributes absent", json::object(), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    ScriptQueue({Attributes(c.attributes)});
    const RunRecord r = RunOne(QueueTarget(kQueueArn), RunMode::kDryRun);
    EXPECT_EQ(r.outcome, c.compliant ? Outcome::kAlreadyCompliant : Outcome::kDryRun)
        << r.error.ToString();
    EXPECT_EQ(MutatingCalls(r), 0);
  }
}

TEST_F(SqsRemediationTest, KmsKeyArnParameterChoosesTheEncryption) {
  const std::string key_arn =
      "arn:aws:kms:us-east-1:111111111111:key/0b5f6c4e-3d2a-4f1b-9c8d-7e6f5a4b3c2d";
  struct Case {
    std::string name;
    std::string key;
    json want_attributes;  // null = InvalidArgument
  };
  const std::vector<Case> cases = {
      {"default: SQS-managed", "", {{"SqsManagedSseEnabled", "true"}}},
      {"key ARN", key_arn, {{"KmsMasterKeyId", key_arn}}},
      {"alias ARN",
       "arn:aws:kms:us-east-1:111111111111:alias/queues",
       {{"KmsMasterKeyId", "arn:aws:kms:us-east-1:111111111111:alias/queues"}}},
      {"alias", "alias/queues", {{"KmsMasterKeyId", "alias/queues"}}},
      {"key in another region",
       "arn:aws:kms:eu-west-1:111111111111:key/0b5f6c4e-3d2a-4f1b-9c8d-7e6f5a4b3c2d", nullptr},
      {"not a KMS ARN", "arn:aws:sns:us-east-1:111111111111:topic", nullptr},
      {"bare word", "queues", nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    ScriptQueue({Attributes({{"SqsManagedSseEnabled", "false"}})});
    transport().On(JsonTarget("DescribeKey"),
                   {JsonResponse(200, R"({"KeyMetadata":{"KeyId":"k","KeyState":"Enabled"}})")});
    const RunRecord r = RunOne(QueueTarget(kQueueArn), RunMode::kDryRun, {{"KmsKeyArn", c.key}});
    if (c.want_attributes.is_null()) {
      EXPECT_EQ(r.outcome, Outcome::kFailed);
      EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument) << r.error.ToString();
      EXPECT_THAT(r.error.message(), HasSubstr("KmsKeyArn"));
      EXPECT_TRUE(r.calls.empty());
      continue;
    }
    ASSERT_EQ(r.outcome, Outcome::kDryRun) << r.error.ToString();
    ASSERT_EQ(r.plan->changes.size(), 1U);
    EXPECT_EQ(r.plan->changes[0].detail["Attributes"], c.want_attributes);
    EXPECT_EQ(r.plan->changes[0].detail["QueueUrl"], kQueueUrl);
  }
}

TEST_F(SqsRemediationTest, ApplySetsTheAttributeAndRecordsTheBeforeState) {
  ScriptQueue({Attributes({{"SqsManagedSseEnabled", "false"}}),
               Attributes({{"SqsManagedSseEnabled", "false"}}),
               Attributes({{"SqsManagedSseEnabled", "true"}})});
  transport().On(JsonTarget("SetQueueAttributes"), {JsonResponse(200, "{}")});
  const RunRecord r = RunOne(QueueTarget(kQueueArn), RunMode::kApply);
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error.ToString();
  ASSERT_TRUE(r.applied.has_value());
  EXPECT_EQ(r.applied->before["Set"], json({{"SqsManagedSseEnabled", "true"}}));
  EXPECT_EQ(r.applied->before["Attributes"]["SqsManagedSseEnabled"], "false");
  int sets = 0;
  for (const aws::HttpRequest& req : transport().requests()) {
    const std::string* target = req.FindHeader("X-Amz-Target");
    if (target != nullptr && target->ends_with(".SetQueueAttributes")) {
      ++sets;
      const json body = json::parse(req.body);
      EXPECT_EQ(body["QueueUrl"], kQueueUrl);
      EXPECT_EQ(body["Attributes"], json({{"SqsManagedSseEnabled", "true"}}));
    }
  }
  EXPECT_EQ(sets, 1);
}

TEST_F(SqsRemediationTest, RefusesAKeyThatCannotEncrypt) {
  ScriptQueue({Attributes({{"SqsManagedSseEnabled", "false"}})});
  transport().On(
      JsonTarget("DescribeKey"),
      {JsonResponse(200, R"({"KeyMetadata":{"KeyId":"k","KeyState":"PendingDeletion"}})")});
  const RunRecord r =
      RunOne(QueueTarget(kQueueArn), RunMode::kApply, {{"KmsKeyArn", "alias/queues"}});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failed_phase, "plan");
  EXPECT_EQ(r.error.code(), StatusCode::kFailedPrecondition) << r.error.ToString();
  EXPECT_THAT(r.error.message(), HasSubstr("PendingDeletion"));
  EXPECT_EQ(MutatingCalls(r), 0);
}

TEST_F(SqsRemediationTest, AwsErrorsKeepTheirCodeAndRetryability) {
  struct Case {
    std::string name;
    HttpResponse error;
    StatusCode want_code;
    bool want_retryable;
  };
  const std::vector<Case> cases = {
      {"access denied", JsonError(403, "AccessDenied", "no"), StatusCode::kPermissionDenied, false},
      {"throttled", JsonError(400, "RequestThrottled", "slow"), StatusCode::kThrottled, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset().Always(c.error);
    const RunRecord r = RunOne(QueueTarget(kQueueArn), RunMode::kApply);
    EXPECT_EQ(r.outcome, Outcome::kFailed);
    EXPECT_EQ(r.failed_phase, "plan");
    EXPECT_EQ(r.error.code(), c.want_code) << r.error.ToString();
    EXPECT_EQ(r.error.retryable(), c.want_retryable);
    EXPECT_THAT(r.error.message(), HasSubstr("orders"));
    EXPECT_EQ(MutatingCalls(r), 0);
  }
}

TEST_F(SqsRemediationTest, MissingQueueIsNotFound) {
  for (const std::string code : {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"}) {
    SCOPED_TRACE(code);
    Reset().On(JsonTarget("GetQueueUrl"),
               {JsonError(400, code, "The specified queue does not exist.")});
    const RunRecord r = RunOne(QueueTarget(kQueueArn), RunMode::kApply);
    EXPECT_EQ(r.outcome, Outcome::kFailed);
    EXPECT_EQ(r.error.code(), StatusCode::kNotFound) << r.error.ToString();
    EXPECT_EQ(r.error.aws_error_code(), code);
    EXPECT_FALSE(r.error.retryable());
    EXPECT_THAT(r.error.message(), HasSubstr("\"orders\" does not exist"));
  }
}

}  // namespace
}  // namespace asr::remediation
