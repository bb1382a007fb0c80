// Unit tests of EnableAWSConfig against a scripted AWS (cloudtrail/test_support.h). The integration
// test (tests/integration/remediations/config_test.py) runs it against moto; these cover what moto
// cannot show: service-linked recorders, the service-linked role, topic policy merging and error
// mapping.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "remediations/cloudtrail/test_support.h"

namespace asr::cttest {
namespace {

using aws::testing::JsonError;
using aws::testing::JsonTarget;
using aws::testing::QueryAction;
using aws::testing::QueryError;
using nlohmann::json;
using remediation::Outcome;

constexpr const char* kLogBucket = "so0111-accesslogs-111111111111-us-east-1";
constexpr const char* kConfigBucket = "so0111-aws-config-us-east-1-111111111111";
constexpr const char* kTopicArn =
    "arn:aws:sns:us-east-1:111111111111:SO0111-ASR-AWSConfigNotification";

Target AccountTarget() { return MakeTarget("AWS::::Account:111111111111", "AwsAccount"); }

json Recorder(std::string name = "default", const json& extra = json::object()) {
  json r = {{"name", std::move(name)},
            {"roleARN", "arn:aws:iam::111111111111:role/my-config-role"},
            {"recordingGroup", {{"allSupported", false}, {"resourceTypes", {"AWS::S3::Bucket"}}}}};
  r.update(extra);
  return r;
}

json Status(const std::string& name, bool recording) {
  return {{"ConfigurationRecordersStatus", {{{"name", name}, {"recording", recording}}}}};
}

const json kChannel = {
    {"DeliveryChannels", {{{"name", "mine"}, {"s3BucketName", "their-bucket"}}}}};
const json kNoChannel = {{"DeliveryChannels", json::array()}};

aws::HttpResponse Query(const std::string& op, const std::string& result) {
  return Xml("<" + op + "Response><" + op + "Result>" + result + "</" + op + "Result></" + op +
             "Response>");
}

std::string TopicAttributes(const json& policy) {
  std::string escaped;
  for (const char c : policy.dump()) {
    escaped += c == '"' ? std::string("&quot;") : std::string(1, c);
  }
  return "<Attributes><entry><key>Policy</key><value>" + escaped + "</value></entry></Attributes>";
}

TEST(EnableAWSConfigTest, RecordingRecorderWithChannelIsCompliant) {
  Env env;
  env.Transport().On(JsonTarget("DescribeConfigurationRecorders"),
                     {Json({{"ConfigurationRecorders", {Recorder()}}})});
  env.Transport().On(JsonTarget("DescribeConfigurationRecorderStatus"),
                     {Json(Status("default", true))});
  env.Transport().On(JsonTarget("DescribeDeliveryChannels"), {Json(kChannel)});
  const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant) << rec.error.ToString();
  EXPECT_TRUE(MutatingCalls(rec).empty());
  EXPECT_EQ(env.Sent(), (std::vector<std::string>{"DescribeConfigurationRecorders",
                                                  "DescribeConfigurationRecorderStatus",
                                                  "DescribeDeliveryChannels"}));
}

TEST(EnableAWSConfigTest, StoppedRecorderIsStartedWithoutBeingRewrittenAndUndoStopsIt) {
  Env env;
  env.Transport().On(JsonTarget("DescribeConfigurationRecorders"),
                     {Json({{"ConfigurationRecorders", {Recorder("custom")}}})});
  env.Transport().On(
      JsonTarget("DescribeConfigurationRecorderStatus"),
      {Json(Status("custom", false)), Json(Status("custom", false)), Json(Status("custom", true))});
  env.Transport().On(JsonTarget("DescribeDeliveryChannels"), {Json(kChannel)});
  env.Transport().On(JsonTarget("StartConfigurationRecorder"), {Json(json::object())});
  env.Transport().On(JsonTarget("StopConfigurationRecorder"), {Json(json::object())});
  const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_EQ(MutatingCalls(rec), std::vector<std::string>{"config.StartConfigurationRecorder"});
  // No topic, bucket, role or key lookups: nothing but the recorder needed fixing.
  for (const std::string& sent : env.Sent()) {
    EXPECT_EQ(sent.find("S3 "), std::string::npos) << sent;
    EXPECT_NE(sent, "GetTopicAttributes");
    EXPECT_NE(sent, "GetRole");
  }
  for (const aws::HttpRequest& r : env.Transport().requests()) {
    if (JsonTarget("StartConfigurationRecorder")(r)) {
      EXPECT_EQ(json::parse(r.body), json({{"ConfigurationRecorderName", "custom"}}));
    }
  }

  Result<RunRecord> undone = env.Undo("EnableAWSConfig", rec);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_EQ(undone->undone->size(), 1U);
  EXPECT_EQ((*undone->undone)[0].action, "config:StopConfigurationRecorder");
}

// Scripts a region where Config was never set up; `recorders` lets a test add service-linked ones.
void ScriptFreshRegion(Env& env, const json& recorders) {
  env.Transport().On(JsonTarget("DescribeConfigurationRecorders"),
                     {Json({{"ConfigurationRecorders", recorders}})});
  env.Transport().On(JsonTarget("DescribeDeliveryChannels"), {Json(kNoChannel)});
  env.Transport().On(JsonTarget("GetParameter"),
                     {JsonError(400, "ParameterNotFound", "Parameter not found")});
  env.Transport().On(S3Request("HEAD", kLogBucket, ""), {Empty(404)});
  env.Transport().On(S3Request("HEAD", kConfigBucket, ""), {Empty(404)});
}

TEST(EnableAWSConfigTest, ServiceLinkedRecordersDoNotCountAndMissingRoleIsCreated) {
  Env env;
  ScriptFreshRegion(env, {Recorder("AWSConfigurationRecorderForSecurityHub",
                                   {{"servicePrincipal", "securityhub.amazonaws.com"}})});
  env.Transport().On(QueryAction("GetRole"), {QueryError(404, "NoSuchEntity", "no role")});
  env.Transport().On(QueryAction("GetTopicAttributes"), {QueryError(404, "NotFound", "no topic")});
  const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kDryRun);
  ASSERT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  std::vector<std::string> actions;
  for (const remediation::Change& c : rec.plan->changes) {
    actions.push_back(c.action);
  }
  const std::vector<std::string> want = {"iam:CreateServiceLinkedRole",
                                         "sns:CreateTopic",
                                         "sns:SetTopicAttributes",
                                         "s3:CreateBucket",
                                         "s3:PutBucketPublicAccessBlock",
                                         "s3:PutEncryptionConfiguration",
                                         "s3:PutBucketPolicy",
                                         "s3:CreateBucket",
                                         "s3:PutBucketPublicAccessBlock",
                                         "s3:PutEncryptionConfiguration",
                                         "s3:PutBucketPolicy",
                                         "s3:PutBucketLogging",
                                         "config:PutConfigurationRecorder",
                                         "config:PutDeliveryChannel",
                                         "config:StartConfigurationRecorder"};
  EXPECT_EQ(actions, want);
  EXPECT_TRUE(MutatingCalls(rec).empty());
  const json recorder = rec.plan->changes[12].detail["ConfigurationRecorder"];
  EXPECT_EQ(recorder["roleARN"],
            "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig");
  EXPECT_EQ(recorder["recordingGroup"],
            json({{"allSupported", true}, {"includeGlobalResourceTypes", true}}));
  const json channel = rec.plan->changes[13].detail["DeliveryChannel"];
  EXPECT_EQ(channel["s3BucketName"], kConfigBucket);
  EXPECT_EQ(channel["snsTopicARN"], kTopicArn);
}

TEST(EnableAWSConfigTest, AMissingCustomRoleIsNotCreated) {
  Env env;
  ScriptFreshRegion(env, json::array());
  env.Transport().On(QueryAction("GetRole"), {QueryError(404, "NoSuchEntity", "no role")});
  const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply,
                                {{"AWSServiceRoleForConfig", "service-role/my-config-role"}});
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition) << rec.error.ToString();
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(EnableAWSConfigTest, RejectsBadParameters) {
  for (const json& overrides : {json({{"SNSTopicName", "bad topic"}}),
                                json({{"AWSServiceRoleForConfig", "role with spaces"}}),
                                json({{"KMSKeyArn", "alias/aws/sns"}})}) {
    SCOPED_TRACE(overrides.dump());
    Env env;
    ScriptFreshRegion(env, json::array());
    env.Transport().On(QueryAction("GetRole"),
                       {Query("GetRole", "<Role><RoleName>r</RoleName></Role>")});
    const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply, overrides);
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.error.code(), StatusCode::kInvalidArgument) << rec.error.ToString();
  }
}

TEST(EnableAWSConfigTest, ExistingTopicPolicyKeepsItsStatementsAndRecorderIsKept) {
  Env env;
  env.Transport().On(JsonTarget("DescribeConfigurationRecorders"),
                     {Json({{"ConfigurationRecorders", {Recorder()}}})});
  env.Transport().On(JsonTarget("DescribeConfigurationRecorderStatus"),
                     {Json(Status("default", false)), Json(Status("default", false)),
                      Json(Status("default", true))});
  env.Transport().On(JsonTarget("DescribeDeliveryChannels"),
                     {Json(kNoChannel), Json(kNoChannel), Json(kChannel)});
  env.Transport().On(JsonTarget("GetParameter"),
                     {JsonError(400, "ParameterNotFound", "Parameter not found")});
  const json owner = {{"Sid", "__default_statement_ID"},
                      {"Effect", "Allow"},
                      {"Principal", {{"AWS", "*"}}},
                      {"Action", "SNS:GetTopicAttributes"},
                      {"Resource", kTopicArn},
                      {"Condition", {{"StringEquals", {{"AWS:SourceOwner", "111111111111"}}}}}};
  const json policy = {{"Version", "2008-10-17"}, {"Statement", {owner}}};
  env.Transport().On(QueryAction("GetTopicAttributes"),
                     {Query("GetTopicAttributes", TopicAttributes(policy))});
  env.Transport().On(QueryAction("SetTopicAttributes"), {Query("SetTopicAttributes", "")});
  for (const char* bucket : {kLogBucket, kConfigBucket}) {
    env.Transport().On(S3Request("HEAD", bucket, ""), {Empty(404)});
    env.Transport().On(S3Request("PUT", bucket, ""), {Empty(200)});
    for (const char* sub : {"publicAccessBlock", "encryption", "policy", "logging"}) {
      env.Transport().On(S3Request("PUT", bucket, sub), {Empty(200)});
    }
  }
  env.Transport().On(JsonTarget("PutDeliveryChannel"), {Json(json::object())});
  env.Transport().On(JsonTarget("StartConfigurationRecorder"), {Json(json::object())});
  const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  std::string set_policy;
  for (const aws::HttpRequest& r : env.Transport().requests()) {
    if (QueryAction("SetTopicAttributes")(r)) {
      set_policy = r.body;
    }
  }
  ASSERT_FALSE(set_policy.empty());
  EXPECT_NE(set_policy.find("__default_statement_ID"), std::string::npos) << set_policy;
  EXPECT_NE(set_policy.find("AWSConfigSNSPolicy"), std::string::npos) << set_policy;
  const std::vector<std::string> mutating = MutatingCalls(rec);
  // The existing recorder is kept as it is; the topic exists, so it is not created.
  EXPECT_EQ(std::count(mutating.begin(), mutating.end(), "config.PutConfigurationRecorder"), 0);
  EXPECT_EQ(std::count(mutating.begin(), mutating.end(), "sns.CreateTopic"), 0);
  EXPECT_EQ(mutating.back(), "config.StartConfigurationRecorder");

  // Undo stops the recorder and deletes the channel this run created, and keeps the recorder.
  env.Transport().On(JsonTarget("StopConfigurationRecorder"), {Json(json::object())});
  env.Transport().On(JsonTarget("DeleteDeliveryChannel"), {Json(json::object())});
  Result<RunRecord> undone = env.Undo("EnableAWSConfig", rec);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  std::vector<std::string> actions;
  for (const remediation::Change& c : *undone->undone) {
    actions.push_back(c.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"config:StopConfigurationRecorder",
                                               "config:DeleteDeliveryChannel"}));
}

TEST(EnableAWSConfigTest, AccessDeniedIsNotRetryableAndThrottlingIs) {
  {
    Env env;
    env.Transport().On(JsonTarget("DescribeConfigurationRecorders"),
                       {JsonError(400, "AccessDeniedException", "no")});
    const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply);
    EXPECT_EQ(rec.error.code(), StatusCode::kPermissionDenied);
    EXPECT_FALSE(rec.error.retryable());
  }
  {
    Env env;
    env.Transport().On(JsonTarget("DescribeConfigurationRecorders"),
                       {JsonError(400, "ThrottlingException", "slow down")});
    const RunRecord rec = env.Run("EnableAWSConfig", AccountTarget(), RunMode::kApply);
    EXPECT_EQ(rec.error.code(), StatusCode::kThrottled);
    EXPECT_TRUE(rec.error.retryable());
  }
}

}  // namespace
}  // namespace asr::cttest
