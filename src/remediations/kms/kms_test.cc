// Unit tests of EnableKeyRotation: the Resolve table, and the keys moto cannot produce (AWS
// managed keys, imported material, replicas) through a scripted transport.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/testing/scripted_transport.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/params.h"
#include "remediation/registry.h"
#include "remediation/runner.h"

namespace asr::remediation {
namespace {

using aws::testing::JsonError;
using aws::testing::JsonResponse;
using aws::testing::JsonTarget;
using aws::testing::ScriptedTransport;
using nlohmann::json;

constexpr char kAccount[] = "111111111111";
constexpr char kKeyId[] = "1234abcd-12ab-34cd-56ef-1234567890ab";

std::string KeyArn(const std::string& region = "us-east-1") {
  return "arn:aws:kms:" + region + ":" + kAccount + ":key/" + kKeyId;
}

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*duration*/) override {}
};

class ZeroRandom final : public aws::Random {
 public:
  double Uniform() override { return 0; }
};

json Metadata(json overrides = json::object()) {
  json meta = {{"KeyId", kKeyId},
               {"Arn", KeyArn()},
               {"KeyManager", "CUSTOMER"},
               {"KeySpec", "SYMMETRIC_DEFAULT"},
               {"CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"},
               {"KeyUsage", "ENCRYPT_DECRYPT"},
               {"KeyState", "Enabled"},
               {"Origin", "AWS_KMS"},
               {"Enabled", true}};
  meta.update(overrides);
  return meta;
}

aws::HttpResponse Describe(const json& meta) {
  return JsonResponse(200, json({{"KeyMetadata", meta}}).dump());
}

aws::HttpResponse Rotation(bool enabled) {
  return JsonResponse(200, json({{"KeyRotationEnabled", enabled}}).dump());
}

const Remediation& Rem() {
  const Remediation* r = Registry::Global().Find("EnableKeyRotation");
  EXPECT_NE(r, nullptr);
  return *r;
}

Target KeyTarget(const std::string& resource_id, const std::string& partition = "aws") {
  return {.account_id = kAccount,
          .region = "us-east-1",
          .partition = partition,
          .control_id = "KMS.4",
          .resource_type = "AwsKmsKey",
          .resource_id = resource_id};
}

// A client answering from a script, and a fake clock; one per scenario.
struct Env {
  RunRecord RunIt(const Target& target, RunMode mode = RunMode::kApply) {
    Context ctx(client, Rem().spec(), clock, sleeper, logger, {.region = target.region});
    Result<Params> params =
        ResolveParams(Rem().spec(), target.control_id, json::object(), json::object());
    EXPECT_TRUE(params.ok());
    RunRecord record = Run(Rem(), ctx, target, params.ok() ? *params : Params(), sleeper,
                           {.mode = mode, .verify_attempts = 1});
    calls = ctx.calls();
    return record;
  }

  std::vector<std::string> Ops() const {
    std::vector<std::string> out;
    for (const CallRecord& c : calls) {
      out.push_back(c.operation);
    }
    return out;
  }

  ScriptedTransport transport;
  aws::StaticCredentialsProvider credentials{
      aws::Credentials{.access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret"}};
  FakeClock clock{std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000))};
  NoSleep sleeper;
  ZeroRandom rng;
  MemoryLogSink sink;
  Logger logger{sink, clock, LogLevel::kError};
  aws::Client client{transport,
                     credentials,
                     aws::BuiltinModels(),
                     clock,
                     sleeper,
                     rng,
                     &logger,
                     aws::ClientOptions{.region = "us-east-1"}};
  std::vector<CallRecord> calls;
};

TEST(KmsTest, ResolveTable) {
  struct Case {
    std::string name;
    std::string resource_id;
    std::string partition = "aws";
    json want;  // null: InvalidArgument expected, with `error` in the message
    std::string error;
  };
  const std::vector<Case> cases = {
      {.name = "key ARN",
       .resource_id = KeyArn(),
       .want = {{"KeyId", kKeyId}, {"KeyArn", KeyArn()}, {"Region", "us-east-1"}}},
      {.name = "key in another region than the finding's",
       .resource_id = KeyArn("eu-west-1"),
       .want = {{"KeyId", kKeyId}, {"KeyArn", KeyArn("eu-west-1")}, {"Region", "eu-west-1"}}},
      {.name = "multi-Region key",
       .resource_id = std::string("arn:aws:kms:us-east-1:") + kAccount +
                      ":key/mrk-1234abcd12ab34cd56ef1234567890ab",
       .want = {{"KeyId", "mrk-1234abcd12ab34cd56ef1234567890ab"},
                {"KeyArn", std::string("arn:aws:kms:us-east-1:") + kAccount +
                               ":key/mrk-1234abcd12ab34cd56ef1234567890ab"},
                {"Region", "us-east-1"}}},
      {.name = "aws-cn partition",
       .resource_id = std::string("arn:aws-cn:kms:cn-north-1:") + kAccount + ":key/" + kKeyId,
       .partition = "aws-cn",
       .want = {{"KeyId", kKeyId},
                {"KeyArn", std::string("arn:aws-cn:kms:cn-north-1:") + kAccount + ":key/" + kKeyId},
                {"Region", "cn-north-1"}}},
      {.name = "aws-us-gov ARN in an aws finding",
       .resource_id =
           std::string("arn:aws-us-gov:kms:us-gov-west-1:") + kAccount + ":key/" + kKeyId,
       .error = "partition"},
      {.name = "another account",
       .resource_id = std::string("arn:aws:kms:us-east-1:222222222222:key/") + kKeyId,
       .error = "names account 222222222222"},
      {.name = "an alias",
       .resource_id = std::string("arn:aws:kms:us-east-1:") + kAccount + ":alias/x",
       .error = "key/"},
      {.name = "another service",
       .resource_id = std::string("arn:aws:rds:us-east-1:") + kAccount + ":key/" + kKeyId,
       .error = "not a kms ARN"},
      {.name = "not a key id",
       .resource_id = std::string("arn:aws:kms:us-east-1:") + kAccount + ":key/abc",
       .error = "KMS key id"},
      {.name = "no region",
       .resource_id = std::string("arn:aws:kms::") + kAccount + ":key/" + kKeyId,
       .error = "no valid region"},
      {.name = "garbage", .resource_id = kKeyId, .error = "not an ARN"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<json> got = Rem().Resolve(KeyTarget(c.resource_id, c.partition));
    if (c.want.is_null()) {
      ASSERT_FALSE(got.ok()) << got->dump();
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(got.status().message().find(c.error), std::string::npos) << got.status().message();
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, c.want);
    }
  }
}

TEST(KmsTest, KeysKmsCannotRotateFailWithTheReasonAndNoChange) {
  struct Case {
    std::string name;
    json meta;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"AWS managed key", Metadata({{"KeyManager", "AWS"}}), "AWS rotates AWS managed keys"},
      {"asymmetric key", Metadata({{"KeySpec", "RSA_2048"}, {"CustomerMasterKeySpec", "RSA_2048"}}),
       "key spec \"RSA_2048\""},
      {"HMAC key", Metadata({{"KeySpec", "HMAC_256"}}), "symmetric encryption keys"},
      {"imported key material", Metadata({{"Origin", "EXTERNAL"}}), "origin \"EXTERNAL\""},
      {"custom key store", Metadata({{"Origin", "AWS_CLOUDHSM"}}), "rotate it manually"},
      {"multi-Region replica",
       Metadata({{"MultiRegionConfiguration",
                  {{"MultiRegionKeyType", "REPLICA"},
                   {"PrimaryKey", {{"Arn", "arn:aws:kms:eu-west-1:111111111111:key/mrk-1"}}}}}}),
       "follows the primary key arn:aws:kms:eu-west-1:111111111111:key/mrk-1"},
      {"disabled key", Metadata({{"KeyState", "Disabled"}, {"Enabled", false}}), "\"Disabled\""},
      {"key pending deletion", Metadata({{"KeyState", "PendingDeletion"}}), "PendingDeletion"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Env env;
    env.transport.On(JsonTarget("DescribeKey"), {Describe(c.meta)});
    const RunRecord rec = env.RunIt(KeyTarget(KeyArn()));
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.failed_phase, "plan");
    EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(rec.error.message().find(c.reason), std::string::npos) << rec.error.message();
    EXPECT_EQ(env.Ops(), std::vector<std::string>{"DescribeKey"});
  }
}

TEST(KmsTest, RotationIsEnabledAndVerified) {
  Env env;
  env.transport.On(JsonTarget("DescribeKey"), {Describe(Metadata())});
  env.transport.On(JsonTarget("GetKeyRotationStatus"),
                   {Rotation(false), Rotation(false), Rotation(true)});
  env.transport.On(JsonTarget("EnableKeyRotation"), {JsonResponse(200, "{}")});
  const RunRecord rec = env.RunIt(KeyTarget(KeyArn("eu-west-1")));
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_EQ(env.Ops(),
            (std::vector<std::string>{"DescribeKey", "GetKeyRotationStatus", "GetKeyRotationStatus",
                                      "EnableKeyRotation", "DescribeKey", "GetKeyRotationStatus"}));
  EXPECT_EQ(rec.applied->before,
            json({{"KeyArn", KeyArn("eu-west-1")}, {"KeyRotationEnabled", false}}));
  // Every call went to the key's region.
  for (const CallRecord& c : env.calls) {
    EXPECT_EQ(c.region, "eu-west-1") << c.operation;
  }
  for (const aws::HttpRequest& r : env.transport.requests()) {
    EXPECT_NE(r.host.find("eu-west-1"), std::string::npos) << r.host;
  }
}

TEST(KmsTest, RotationAlreadyOnIsCompliant) {
  Env env;
  env.transport.On(JsonTarget("DescribeKey"), {Describe(Metadata())});
  env.transport.On(JsonTarget("GetKeyRotationStatus"), {Rotation(true)});
  const RunRecord rec = env.RunIt(KeyTarget(KeyArn()));
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant);
  EXPECT_EQ(env.Ops(), (std::vector<std::string>{"DescribeKey", "GetKeyRotationStatus"}));
}

TEST(KmsTest, ErrorsKeepTheirCodes) {
  struct Case {
    std::string code;
    StatusCode want;
    bool retryable;
  };
  for (const Case& c :
       std::vector<Case>{{"AccessDeniedException", StatusCode::kPermissionDenied, false},
                         {"NotFoundException", StatusCode::kNotFound, false},
                         {"ThrottlingException", StatusCode::kThrottled, true}}) {
    SCOPED_TRACE(c.code);
    Env env;
    env.transport.On(JsonTarget("DescribeKey"), {JsonError(400, c.code, "message")});
    const RunRecord rec = env.RunIt(KeyTarget(KeyArn()));
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.error.code(), c.want);
    EXPECT_EQ(rec.error.retryable(), c.retryable);
    EXPECT_EQ(rec.error.aws_error_code(), c.code);
  }
}

TEST(KmsTest, UndoDisablesOnlyWhatTheRunEnabled) {
  Env env;
  RunRecord record;
  record.remediation_id = "EnableKeyRotation";
  record.target = KeyTarget(KeyArn());
  record.resource = {{"KeyId", kKeyId}, {"KeyArn", KeyArn()}, {"Region", "us-east-1"}};
  record.outcome = Outcome::kSuccess;
  record.applied = Applied{.before = {{"KeyArn", KeyArn()}, {"KeyRotationEnabled", true}}};
  {
    Context ctx(env.client, Rem().spec(), env.clock, env.sleeper, env.logger,
                {.region = "us-east-1"});
    const Result<RunRecord> undone = UndoRun(Rem(), ctx, record);
    ASSERT_TRUE(undone.ok()) << undone.status().ToString();
    EXPECT_TRUE(undone->undone->empty());
    EXPECT_TRUE(ctx.calls().empty());
  }
  env.transport.On(JsonTarget("GetKeyRotationStatus"), {Rotation(true)});
  env.transport.On(JsonTarget("DisableKeyRotation"), {JsonResponse(200, "{}")});
  record.applied->before["KeyRotationEnabled"] = false;
  Context ctx(env.client, Rem().spec(), env.clock, env.sleeper, env.logger,
              {.region = "us-east-1"});
  const Result<RunRecord> undone = UndoRun(Rem(), ctx, record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_EQ(undone->undone->size(), 1U);
  EXPECT_EQ((*undone->undone)[0].action, "kms:DisableKeyRotation");
}

}  // namespace
}  // namespace asr::remediation
