// Unit tests of the CloudTrail remediations against a scripted AWS (test_support.h). The
// integration tests (tests/integration/remediations/cloudtrail_test.py) run them against moto;
// these cover what moto cannot show: custom and advanced event selectors, organization trails,
// buckets owned by other accounts or in other regions, SSM-provided keys, error mapping, and the
// home-region routing of calls.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "remediations/cloudtrail/test_support.h"

namespace asr::cttest {
namespace {

using aws::testing::JsonError;
using aws::testing::JsonTarget;
using aws::testing::S3Error;
using nlohmann::json;
using remediation::Outcome;
using remediation::OutcomeName;

constexpr const char* kTrailArn = "arn:aws:cloudtrail:eu-west-1:111111111111:trail/my-trail";
constexpr const char* kKeyArn =
    "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr const char* kLogBucket = "so0111-access-logs-us-east-1-111111111111";
constexpr const char* kTrailBucket = "so0111-aws-cloudtrail-111111111111";

bool Contains(const std::vector<std::string>& v, std::string_view item) {
  return std::find(v.begin(), v.end(), item) != v.end();
}

// ---------------------------------------------------------------------------------------------
// Resolve

TEST(CloudTrailResolveTest, TrailArnsResolveToNameAndHomeRegion) {
  struct Case {
    std::string name;
    std::string resource_id;
    std::string partition;
    bool ok;
    std::string want_name;
    std::string want_region;
  };
  const std::vector<Case> cases = {
      {"aws", kTrailArn, "aws", true, "my-trail", "eu-west-1"},
      {"aws-cn", "arn:aws-cn:cloudtrail:cn-north-1:111111111111:trail/t.1_x", "aws-cn", true,
       "t.1_x", "cn-north-1"},
      {"aws-us-gov", "arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/gov-trail",
       "aws-us-gov", true, "gov-trail", "us-gov-west-1"},
      {"partition differs from finding", kTrailArn, "aws-cn", false, "", ""},
      {"other account", "arn:aws:cloudtrail:eu-west-1:222222222222:trail/my-trail", "aws", false,
       "", ""},
      {"other service", "arn:aws:s3:::my-trail", "aws", false, "", ""},
      {"not a trail", "arn:aws:cloudtrail:eu-west-1:111111111111:eventdatastore/x", "aws", false,
       "", ""},
      {"name too short", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/ab", "aws", false, "",
       ""},
      {"bad characters", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/a b!c", "aws", false, "",
       ""},
      {"no region", "arn:aws:cloudtrail::111111111111:trail/my-trail", "aws", false, "", ""},
      {"garbage", "my-trail", "aws", false, "", ""},
      {"empty", "", "aws", false, "", ""},
  };
  for (const char* id : {"EnableCloudTrailEncryption", "EnableCloudTrailLogFileValidation"}) {
    const remediation::Remediation* r = Registry::Global().Find(id);
    ASSERT_NE(r, nullptr) << id;
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(id) + ": " + c.name);
      Result<json> got = r->Resolve(MakeTarget(c.resource_id, "AwsCloudTrailTrail", c.partition));
      ASSERT_EQ(got.ok(), c.ok) << (got.ok() ? got->dump() : got.status().ToString());
      if (c.ok) {
        EXPECT_EQ((*got)["TrailName"], c.want_name);
        EXPECT_EQ((*got)["TrailRegion"], c.want_region);
        EXPECT_EQ((*got)["TrailArn"], c.resource_id);
      } else {
        EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      }
    }
  }
}

TEST(CloudTrailResolveTest, AccountTargetsMustNameTheFindingsAccount) {
  struct Case {
    std::string name;
    Target target;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"security hub account id", MakeTarget("AWS::::Account:111111111111", "AwsAccount"), true},
      {"other resource id form", MakeTarget("111111111111", "AwsAccount"), true},
      {"aws-cn", MakeTarget("AWS::::Account:111111111111", "AwsAccount", "aws-cn", "cn-north-1"),
       true},
      {"other account", MakeTarget("AWS::::Account:222222222222", "AwsAccount"), false},
      {"resource is a bucket", MakeTarget("arn:aws:s3:::b", "AwsS3Bucket"), false},
      {"bad region", MakeTarget("AWS::::Account:111111111111", "AwsAccount", "aws", "nowhere"),
       false},
  };
  for (const char* id : {"CreateCloudTrailMultiRegionTrail", "EnableAWSConfig"}) {
    const remediation::Remediation* r = Registry::Global().Find(id);
    ASSERT_NE(r, nullptr) << id;
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(id) + ": " + c.name);
      Result<json> got = r->Resolve(c.target);
      EXPECT_EQ(got.ok(), c.ok) << (got.ok() ? got->dump() : got.status().ToString());
    }
    Target bad = MakeTarget("AWS::::Account:111111111111", "AwsAccount");
    bad.account_id = "12345";
    EXPECT_FALSE(r->Resolve(bad).ok());
  }
}

// ---------------------------------------------------------------------------------------------
// EnableCloudTrailEncryption

json Trail(const json& extra = json::object()) {
  json t = {{"Name", "my-trail"},         {"TrailARN", kTrailArn},
            {"HomeRegion", "eu-west-1"},  {"S3BucketName", "trail-bucket"},
            {"IsMultiRegionTrail", true}, {"LogFileValidationEnabled", false}};
  t.update(extra);
  return t;
}

Target TrailTarget() { return MakeTarget(kTrailArn, "AwsCloudTrailTrail"); }

TEST(EnableCloudTrailEncryptionTest, EncryptedTrailIsCompliantAndReadInItsHomeRegion) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"), {Json({{"Trail", Trail({{"KmsKeyId", kKeyArn}})}})});
  const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant) << rec.error.ToString();
  EXPECT_EQ(env.Sent(), std::vector<std::string>{"GetTrail"});  // no SSM read either
  EXPECT_EQ(env.SignedRegions(), std::vector<std::string>{"eu-west-1"});
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(EnableCloudTrailEncryptionTest, NoKeyAnywhereFailsThePlanSayingWhatToConfigure) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"), {Json({{"Trail", Trail()}})});
  env.Transport().On(JsonTarget("GetParameter"),
                     {JsonError(400, "ParameterNotFound", "Parameter not found")});
  const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.failed_phase, "plan");
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rec.error.message().find("configure KMSKeyArn"), std::string::npos)
      << rec.error.message();
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(EnableCloudTrailEncryptionTest, UsesTheAsrMemberKeyFromSsmWhenNoKeyIsConfigured) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"),
                     {Json({{"Trail", Trail()}}), Json({{"Trail", Trail()}}),
                      Json({{"Trail", Trail({{"KmsKeyId", kKeyArn}})}})});
  env.Transport().On(
      JsonTarget("GetParameter"),
      {Json({{"Parameter",
              {{"Name", "/Solutions/SO0111/CMK_REMEDIATION_ARN"}, {"Value", kKeyArn}}}})});
  env.Transport().On(JsonTarget("UpdateTrail"), {Json(Trail({{"KmsKeyId", kKeyArn}}))});
  const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  const std::vector<aws::HttpRequest> sent = env.Transport().requests();
  const auto update = std::find_if(sent.begin(), sent.end(), [](const aws::HttpRequest& r) {
    return r.FindHeader("X-Amz-Target")->ends_with(".UpdateTrail");
  });
  ASSERT_NE(update, sent.end());
  EXPECT_EQ(json::parse(update->body), json({{"Name", kTrailArn}, {"KmsKeyId", kKeyArn}}));
  // Every call about the trail goes to its home region, the SSM read too.
  for (const std::string& region : env.SignedRegions()) {
    EXPECT_EQ(region, "eu-west-1");
  }
  ASSERT_TRUE(rec.applied.has_value());
  EXPECT_EQ(rec.applied->before["KmsKeyId"], "");
  EXPECT_EQ(rec.applied->before["AppliedKmsKeyId"], kKeyArn);
}

TEST(EnableCloudTrailEncryptionTest, RejectsAKeyParameterThatIsNotAKmsArn) {
  for (const std::string bad : {"alias/aws/cloudtrail", "1234abcd-12ab-34cd-56ef-1234567890ab",
                                "arn:aws:kms:eu-west-1:111111111111:key/not-a-uuid",
                                "arn:aws-cn:kms:cn-north-1:111111111111:alias/x"}) {
    SCOPED_TRACE(bad);
    Env env;
    env.Transport().On(JsonTarget("GetTrail"), {Json({{"Trail", Trail()}})});
    const RunRecord rec =
        env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply, {{"KMSKeyArn", bad}});
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.error.code(), StatusCode::kInvalidArgument) << rec.error.ToString();
    EXPECT_TRUE(MutatingCalls(rec).empty());
  }
}

TEST(EnableCloudTrailEncryptionTest, DryRunPlansTheConfiguredKeyAndChangesNothing) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"), {Json({{"Trail", Trail()}})});
  const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kDryRun,
                                {{"KMSKeyArn", kKeyArn}});
  EXPECT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  ASSERT_TRUE(rec.plan.has_value());
  ASSERT_EQ(rec.plan->changes.size(), 1U);
  EXPECT_EQ(rec.plan->changes[0].detail["KmsKeyId"], kKeyArn);
  EXPECT_FALSE(Contains(env.Sent(), "GetParameter"));  // the parameter wins over SSM
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(EnableCloudTrailEncryptionTest, AccessDeniedIsNotRetryableAndThrottlingIs) {
  {
    Env env;
    env.Transport().On(JsonTarget("GetTrail"), {Json({{"Trail", Trail()}})});
    env.Transport().On(JsonTarget("UpdateTrail"),
                       {JsonError(400, "AccessDeniedException", "not allowed")});
    const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply,
                                  {{"KMSKeyArn", kKeyArn}});
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.failed_phase, "apply");
    EXPECT_EQ(rec.error.code(), StatusCode::kPermissionDenied);
    EXPECT_FALSE(rec.error.retryable());
  }
  {
    Env env;
    env.Transport().On(JsonTarget("GetTrail"),
                       {JsonError(400, "ThrottlingException", "Rate exceeded")});
    const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply);
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.error.code(), StatusCode::kThrottled);
    EXPECT_TRUE(rec.error.retryable());
  }
}

TEST(EnableCloudTrailEncryptionTest, UndoRemovesOnlyTheKeyThisRunSet) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"),
                     {Json({{"Trail", Trail()}}), Json({{"Trail", Trail()}}),
                      Json({{"Trail", Trail({{"KmsKeyId", kKeyArn}})}}),
                      Json({{"Trail", Trail({{"KmsKeyId", kKeyArn}})}})});
  env.Transport().On(JsonTarget("UpdateTrail"), {Json(Trail({{"KmsKeyId", kKeyArn}}))});
  const RunRecord rec = env.Run("EnableCloudTrailEncryption", TrailTarget(), RunMode::kApply,
                                {{"KMSKeyArn", kKeyArn}});
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  Result<RunRecord> undone = env.Undo("EnableCloudTrailEncryption", rec);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(undone->outcome, Outcome::kUndone);
  const aws::HttpRequest last = env.Transport().requests().back();
  EXPECT_EQ(json::parse(last.body), json({{"Name", kTrailArn}, {"KmsKeyId", ""}}));

  // Someone put another key on the trail since: undo refuses to touch it.
  Env later;
  later.Transport().On(JsonTarget("GetTrail"),
                       {Json({{"Trail", Trail({{"KmsKeyId",
                                                "arn:aws:kms:eu-west-1:111111111111:"
                                                "key/ffffffff-12ab-34cd-56ef-"
                                                "1234567890ab"}})}})});
  Result<RunRecord> refused = later.Undo("EnableCloudTrailEncryption", rec);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Contains(later.Sent(), "UpdateTrail"));
}

// ---------------------------------------------------------------------------------------------
// EnableCloudTrailLogFileValidation

TEST(EnableCloudTrailLogFileValidationTest, TurnsValidationOnInTheHomeRegionAndUndoes) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"),
                     {Json({{"Trail", Trail()}}), Json({{"Trail", Trail()}}),
                      Json({{"Trail", Trail({{"LogFileValidationEnabled", true}})}}),
                      Json({{"Trail", Trail({{"LogFileValidationEnabled", true}})}})});
  env.Transport().On(JsonTarget("UpdateTrail"),
                     {Json(Trail({{"LogFileValidationEnabled", true}}))});
  const RunRecord rec =
      env.Run("EnableCloudTrailLogFileValidation", TrailTarget(), RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_EQ(MutatingCalls(rec), std::vector<std::string>{"cloudtrail.UpdateTrail"});
  for (const std::string& region : env.SignedRegions()) {
    EXPECT_EQ(region, "eu-west-1");
  }
  Result<RunRecord> undone = env.Undo("EnableCloudTrailLogFileValidation", rec);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(json::parse(env.Transport().requests().back().body),
            json({{"Name", kTrailArn}, {"EnableLogFileValidation", false}}));
}

TEST(EnableCloudTrailLogFileValidationTest, ValidatedTrailIsCompliant) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"),
                     {Json({{"Trail", Trail({{"LogFileValidationEnabled", true}})}})});
  const RunRecord rec =
      env.Run("EnableCloudTrailLogFileValidation", TrailTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant);
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(EnableCloudTrailLogFileValidationTest, MissingTrailIsNotFound) {
  Env env;
  env.Transport().On(JsonTarget("GetTrail"),
                     {JsonError(400, "TrailNotFoundException", "Unknown trail")});
  const RunRecord rec =
      env.Run("EnableCloudTrailLogFileValidation", TrailTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// CreateCloudTrailMultiRegionTrail

Target AccountTarget(std::string region = "us-east-1") {
  return MakeTarget("AWS::::Account:111111111111", "AwsAccount", "aws", std::move(region));
}

json MultiRegionTrail(std::string name, bool custom_selectors, const json& extra = json::object()) {
  json t = {{"Name", name},
            {"TrailARN", "arn:aws:cloudtrail:us-east-1:111111111111:trail/" + name},
            {"HomeRegion", "us-east-1"},
            {"S3BucketName", "bucket"},
            {"IsMultiRegionTrail", true},
            {"IncludeGlobalServiceEvents", true},
            {"LogFileValidationEnabled", true},
            {"HasCustomEventSelectors", custom_selectors}};
  t.update(extra);
  return t;
}

// Scripts everything the non-compliant path reads: no SSM key, buckets absent.
void ScriptAbsentBuckets(Env& env) {
  env.Transport().On(JsonTarget("GetParameter"),
                     {JsonError(400, "ParameterNotFound", "Parameter not found")});
  env.Transport().On(S3Request("HEAD", kLogBucket, ""), {Empty(404)});
  env.Transport().On(S3Request("HEAD", kTrailBucket, ""), {Empty(404)});
}

TEST(CreateCloudTrailMultiRegionTrailTest, EventSelectorsDecideCompliance) {
  struct Case {
    std::string name;
    json selectors;
    bool compliant;
  };
  const json mgmt = {{"Field", "eventCategory"}, {"Equals", {"Management"}}};
  const std::vector<Case> cases = {
      {"basic all",
       {{"EventSelectors", {{{"ReadWriteType", "All"}, {"IncludeManagementEvents", true}}}}},
       true},
      {"basic defaults", {{"EventSelectors", {json::object()}}}, true},
      {"basic read only", {{"EventSelectors", {{{"ReadWriteType", "ReadOnly"}}}}}, false},
      {"basic read + write selectors",
       {{"EventSelectors", {{{"ReadWriteType", "ReadOnly"}}, {{"ReadWriteType", "WriteOnly"}}}}},
       true},
      {"basic data events only",
       {{"EventSelectors", {{{"ReadWriteType", "All"}, {"IncludeManagementEvents", false}}}}},
       false},
      {"advanced management", {{"AdvancedEventSelectors", {{{"FieldSelectors", {mgmt}}}}}}, true},
      {"advanced management without kms",
       {{"AdvancedEventSelectors",
         {{{"FieldSelectors",
            {mgmt, {{"Field", "eventSource"}, {"NotEquals", {"kms.amazonaws.com"}}}}}}}}},
       true},
      {"advanced write only",
       {{"AdvancedEventSelectors",
         {{{"FieldSelectors", {mgmt, {{"Field", "readOnly"}, {"Equals", {"false"}}}}}}}}},
       false},
      {"advanced one event source",
       {{"AdvancedEventSelectors",
         {{{"FieldSelectors",
            {mgmt, {{"Field", "eventSource"}, {"Equals", {"s3.amazonaws.com"}}}}}}}}},
       false},
      {"advanced data only",
       {{"AdvancedEventSelectors",
         {{{"FieldSelectors", {{{"Field", "eventCategory"}, {"Equals", {"Data"}}}}}}}}},
       false},
      {"nothing", json::object(), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Env env;
    env.Transport().On(JsonTarget("DescribeTrails"),
                       {Json({{"trailList", {MultiRegionTrail("org", true)}}})});
    env.Transport().On(JsonTarget("GetTrailStatus"), {Json({{"IsLogging", true}})});
    env.Transport().On(JsonTarget("GetEventSelectors"), {Json(c.selectors)});
    ScriptAbsentBuckets(env);
    const RunRecord rec =
        env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kDryRun);
    EXPECT_EQ(rec.outcome, c.compliant ? Outcome::kAlreadyCompliant : Outcome::kDryRun)
        << OutcomeName(rec.outcome) << " " << rec.error.ToString();
    EXPECT_TRUE(MutatingCalls(rec).empty());
  }
}

TEST(CreateCloudTrailMultiRegionTrailTest, DefaultSelectorsNeedNoSelectorRead) {
  Env env;
  env.Transport().On(JsonTarget("DescribeTrails"),
                     {Json({{"trailList", {MultiRegionTrail("t1", false)}}})});
  env.Transport().On(JsonTarget("GetTrailStatus"), {Json({{"IsLogging", true}})});
  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant) << rec.error.ToString();
  EXPECT_EQ(env.Sent(), (std::vector<std::string>{"DescribeTrails", "GetTrailStatus"}));
}

TEST(CreateCloudTrailMultiRegionTrailTest, StoppedOrSingleRegionTrailsAreNotEnough) {
  Env env;
  json single = MultiRegionTrail("single", false, {{"IsMultiRegionTrail", false}});
  env.Transport().On(JsonTarget("DescribeTrails"),
                     {Json({{"trailList", {MultiRegionTrail("stopped", false), single}}})});
  env.Transport().On(JsonTarget("GetTrailStatus"), {Json({{"IsLogging", false}})});
  ScriptAbsentBuckets(env);
  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kDryRun);
  EXPECT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  ASSERT_TRUE(rec.plan.has_value());
  EXPECT_EQ(rec.plan->current["Trails"].size(), 1U);  // the single-region trail is not listed
}

TEST(CreateCloudTrailMultiRegionTrailTest, UnreadableOrganizationTrailDoesNotFailTheRun) {
  Env env;
  json org = MultiRegionTrail("org-trail", true,
                              {{"TrailARN", "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"},
                               {"IsOrganizationTrail", true}});
  env.Transport().On(JsonTarget("DescribeTrails"), {Json({{"trailList", {org}}})});
  env.Transport().On(JsonTarget("GetTrailStatus"), {Json({{"IsLogging", true}})});
  env.Transport().On(JsonTarget("GetEventSelectors"),
                     {JsonError(400, "AccessDeniedException", "member account")});
  ScriptAbsentBuckets(env);
  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kDryRun);
  EXPECT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  ASSERT_TRUE(rec.plan.has_value());
  EXPECT_TRUE(rec.plan->current["Trails"][0].contains("Unreadable"));
}

TEST(CreateCloudTrailMultiRegionTrailTest, OurTrailWithoutManagementSelectorsIsNotRewritten) {
  Env env;
  env.Transport().On(JsonTarget("DescribeTrails"),
                     {Json({{"trailList", {MultiRegionTrail("multi-region-cloud-trail", true)}}})});
  env.Transport().On(JsonTarget("GetTrailStatus"), {Json({{"IsLogging", true}})});
  env.Transport().On(JsonTarget("GetEventSelectors"),
                     {Json({{"EventSelectors", {{{"IncludeManagementEvents", false}}}}})});
  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(CreateCloudTrailMultiRegionTrailTest, CreatesBucketsAndTrailThenVerifiesAndUndoes) {
  Env env;
  json ours = MultiRegionTrail("multi-region-cloud-trail", false, {{"S3BucketName", kTrailBucket}});
  env.Transport().On(JsonTarget("DescribeTrails"),
                     {Json({{"trailList", json::array()}}), Json({{"trailList", json::array()}}),
                      Json({{"trailList", {ours}}})});
  env.Transport().On(JsonTarget("GetTrailStatus"), {Json({{"IsLogging", true}})});
  env.Transport().On(JsonTarget("GetParameter"),
                     {JsonError(400, "ParameterNotFound", "Parameter not found")});
  for (const char* bucket : {kLogBucket, kTrailBucket}) {
    env.Transport().On(S3Request("HEAD", bucket, ""), {Empty(404)});
    env.Transport().On(S3Request("PUT", bucket, ""), {Empty(200)});
    for (const char* sub : {"publicAccessBlock", "encryption", "policy", "logging"}) {
      env.Transport().On(S3Request("PUT", bucket, sub), {Empty(200)});
    }
  }
  env.Transport().On(JsonTarget("CreateTrail"), {Json(ours)});
  env.Transport().On(JsonTarget("StartLogging"), {Json(json::object())});
  env.Transport().On(JsonTarget("DeleteTrail"), {Json(json::object())});

  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  const std::vector<std::string> want = {
      "s3.CreateBucket",        "s3.PutPublicAccessBlock", "s3.PutBucketEncryption",
      "s3.PutBucketPolicy",     "s3.CreateBucket",         "s3.PutPublicAccessBlock",
      "s3.PutBucketEncryption", "s3.PutBucketPolicy",      "s3.PutBucketLogging",
      "cloudtrail.CreateTrail", "cloudtrail.StartLogging"};
  EXPECT_EQ(MutatingCalls(rec), want);

  json create_trail;
  json trail_policy;
  for (const aws::HttpRequest& r : env.Transport().requests()) {
    const std::string* target = r.FindHeader("X-Amz-Target");
    if (target != nullptr && target->ends_with(".CreateTrail")) {
      create_trail = json::parse(r.body);
    }
    if (S3Request("PUT", kTrailBucket, "policy")(r)) {
      trail_policy = json::parse(r.body);
    }
    if (S3Request("PUT", kLogBucket, "")(r)) {
      EXPECT_TRUE(r.body.empty() || r.body.find("LocationConstraint") == std::string::npos)
          << "us-east-1 takes no LocationConstraint: " << r.body;
    }
  }
  EXPECT_EQ(create_trail, json({{"Name", "multi-region-cloud-trail"},
                                {"S3BucketName", kTrailBucket},
                                {"IsMultiRegionTrail", true},
                                {"IncludeGlobalServiceEvents", true},
                                {"EnableLogFileValidation", true}}));
  ASSERT_TRUE(trail_policy.is_object());
  std::vector<std::string> sids;
  for (const json& s : trail_policy["Statement"]) {
    sids.push_back(s["Sid"]);
  }
  EXPECT_EQ(sids, (std::vector<std::string>{"AWSCloudTrailAclCheck20150319",
                                            "AWSCloudTrailWrite20150319", "AllowSSLRequestsOnly"}));
  EXPECT_EQ(trail_policy["Statement"][1]["Resource"],
            "arn:aws:s3:::so0111-aws-cloudtrail-111111111111/AWSLogs/111111111111/*");

  Result<RunRecord> undone = env.Undo("CreateCloudTrailMultiRegionTrail", rec);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_TRUE(undone->undone.has_value());
  ASSERT_EQ(undone->undone->size(), 1U);
  EXPECT_EQ((*undone->undone)[0].action, "cloudtrail:DeleteTrail");
}

TEST(CreateCloudTrailMultiRegionTrailTest, ExistingBucketPolicyIsMergedNotReplaced) {
  Env env;
  env.Transport().On(JsonTarget("DescribeTrails"), {Json({{"trailList", json::array()}})});
  env.Transport().On(JsonTarget("GetParameter"), {Json({{"Parameter", {{"Value", kKeyArn}}}})});
  env.Transport().On(S3Request("HEAD", kLogBucket, ""), {Empty(404)});
  env.Transport().On(S3Request("HEAD", kTrailBucket, ""), {Empty(200)});
  env.Transport().On(
      S3Request("GET", kTrailBucket, "publicAccessBlock"),
      {Xml(
          "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
          "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
          "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>")});
  env.Transport().On(S3Request("GET", kTrailBucket, "encryption"),
                     {Xml("<ServerSideEncryptionConfiguration><Rule>"
                          "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
                          "<KMSMasterKeyID>1234abcd-12ab-34cd-56ef-1234567890ab</KMSMasterKeyID>"
                          "</ApplyServerSideEncryptionByDefault></Rule>"
                          "</ServerSideEncryptionConfiguration>")});
  const json other = {{"Sid", "KeepMe"},
                      {"Effect", "Allow"},
                      {"Principal", {{"AWS", "arn:aws:iam::111111111111:root"}}},
                      {"Action", "s3:GetObject"},
                      {"Resource", "arn:aws:s3:::so0111-aws-cloudtrail-111111111111/*"}};
  env.Transport().On(S3Request("GET", kTrailBucket, "policy"),
                     {aws::testing::JsonResponse(
                         200, json({{"Version", "2012-10-17"}, {"Statement", {other}}}).dump())});
  env.Transport().On(S3Request("GET", kTrailBucket, "logging"),
                     {Xml("<BucketLoggingStatus><LoggingEnabled><TargetBucket>elsewhere"
                          "</TargetBucket><TargetPrefix>x/</TargetPrefix></LoggingEnabled>"
                          "</BucketLoggingStatus>")});
  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kDryRun);
  ASSERT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  std::vector<std::string> trail_bucket_actions;
  json policy;
  for (const remediation::Change& c : rec.plan->changes) {
    if (c.detail.contains("request") && c.detail["request"].value("Bucket", "") == kTrailBucket) {
      trail_bucket_actions.push_back(c.action);
      if (c.action == "s3:PutBucketPolicy") {
        policy = json::parse(c.detail["request"]["Policy"].get<std::string>());
      }
    }
  }
  // The key the bucket uses (named by key id) is the SSM key: encryption stays; logging to
  // another bucket stays; the policy gets our statements added next to the existing one.
  EXPECT_EQ(trail_bucket_actions, std::vector<std::string>{"s3:PutBucketPolicy"});
  ASSERT_EQ(policy["Statement"].size(), 4U);
  EXPECT_EQ(policy["Statement"][0], other);
  EXPECT_EQ(rec.plan->current["KmsKeyId"], kKeyArn);
}

TEST(CreateCloudTrailMultiRegionTrailTest, RefusesABucketOfAnotherAccountOrRegion) {
  struct Case {
    std::string name;
    aws::HttpResponse head;
    StatusCode want;
  };
  aws::HttpResponse moved = Empty(200);
  moved.headers.push_back({"x-amz-bucket-region", "eu-central-1"});
  const std::vector<Case> cases = {
      {"owned by another account", Empty(403), StatusCode::kPermissionDenied},
      {"in another region (redirect)", Empty(301), StatusCode::kFailedPrecondition},
      {"in another region (header)", moved, StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Env env;
    env.Transport().On(JsonTarget("DescribeTrails"), {Json({{"trailList", json::array()}})});
    env.Transport().On(JsonTarget("GetParameter"),
                       {JsonError(400, "ParameterNotFound", "Parameter not found")});
    env.Transport().On(S3Request("HEAD", kLogBucket, ""), {c.head});
    const RunRecord rec =
        env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kApply);
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.failed_phase, "plan");
    EXPECT_EQ(rec.error.code(), c.want) << rec.error.ToString();
    EXPECT_TRUE(MutatingCalls(rec).empty());
  }
}

TEST(CreateCloudTrailMultiRegionTrailTest, BucketNameTakenByAnotherAccountStopsTheRun) {
  Env env;
  env.Transport().On(JsonTarget("DescribeTrails"), {Json({{"trailList", json::array()}})});
  ScriptAbsentBuckets(env);
  env.Transport().On(S3Request("PUT", kLogBucket, ""),
                     {S3Error(409, "BucketAlreadyExists", "taken")});
  const RunRecord rec =
      env.Run("CreateCloudTrailMultiRegionTrail", AccountTarget(), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.failed_phase, "apply");
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition) << rec.error.ToString();
  EXPECT_FALSE(Contains(env.Sent(), "CreateTrail"));
}

}  // namespace
}  // namespace asr::cttest
