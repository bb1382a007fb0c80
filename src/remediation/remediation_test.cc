// The framework with a fake remediation and a scripted transport: parameter resolution, the
// Context's permission and read-only guards, every runner outcome, records and undo.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "aws/client.h"
#include "aws/testing/scripted_transport.h"
#include "remediation/member_roles.h"
#include "remediation/params.h"
#include "remediation/registry.h"
#include "remediation/roles.h"
#include "remediation/runner.h"

namespace asr::remediation {
namespace {

using aws::testing::JsonResponse;
using aws::testing::JsonTarget;
using aws::testing::ScriptedTransport;
using nlohmann::json;

RemediationSpec TestSpec() {
  return {
      .id = "EnableKeyRotationForTest",
      .title = "test",
      .controls = {{.control_id = "KMS.4", .defaults = {{"Days", "30"}}}, {.control_id = "KMS.9"}},
      .resource_type = "AwsKmsKey",
      .permissions = {"kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
                      "kms:DisableKeyRotation"},
      .parameters = {{.name = "Days",
                      .type = ParamType::kInt,
                      .default_json = "90",
                      .min = 1,
                      .max = 365,
                      .description = "d"},
                     {.name = "Enabled",
                      .type = ParamType::kBool,
                      .default_json = "true",
                      .description = "e"},
                     {.name = "Names",
                      .type = ParamType::kStringList,
                      .default_json = "[]",
                      .description = "n"},
                     {.name = "Alias",
                      .type = ParamType::kString,
                      .default_json = "\"default\"",
                      .description = "a"}},
      .risk = Risk::kSafe,
      .reversible = Reversible::kYes};
}

TEST(ParamsTest, PrecedenceIsDefaultThenControlThenSecurityHubThenOverride) {
  const RemediationSpec spec = TestSpec();
  Result<Params> p = ResolveParams(spec, "KMS.9", json::object(), json());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Int("Days"), 90);
  EXPECT_TRUE(p->Bool("Enabled"));
  EXPECT_EQ(p->String("Alias"), "default");
  p = ResolveParams(spec, "KMS.4", json::object(), json());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Int("Days"), 30);
  p = ResolveParams(spec, "KMS.4", json{{"days", 60}, {"unrelated", "x"}}, json());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Int("Days"), 60) << "Security Hub parameters match case-insensitively";
  p = ResolveParams(spec, "KMS.4", json{{"Days", 60}}, json{{"Days", "7"}, {"Names", "a, b"}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Int("Days"), 7);
  EXPECT_EQ(p->StringList("Names"), (std::vector<std::string>{"a", "b"}));
}

TEST(ParamsTest, BadValuesNameTheParameterAndWhatIsAccepted) {
  const RemediationSpec spec = TestSpec();
  struct Case {
    std::string name;
    json overrides;
    std::string want;
  };
  const Case cases[] = {
      {"out of range",
       {{"Days", 0}},
       "parameter Days (override): 0 is out of range; accepted: 1..365"},
      {"not an int", {{"Days", "soon"}}, "is not an integer"},
      {"not a bool", {{"Enabled", "maybe"}}, "accepted: true or false"},
      {"list of numbers", {{"Names", json::array({1, 2})}}, "is not a list of strings"},
      {"unknown",
       {{"Dayz", 3}},
       "\"Dayz\" is not a parameter of EnableKeyRotationForTest; "
       "accepted: Days, Enabled, Names, Alias"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<Params> p = ResolveParams(spec, "KMS.4", json::object(), c.overrides);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.want), std::string::npos) << p.status().message();
  }
}

TEST(ParamsTest, ControlParametersAreCoercedLikeTheReference) {
  const Result<json> j = CoerceControlParameters(
      R"({"MaxPasswordAge":"90","RequireSymbols":"TRUE","ports":"22, 3389","name":"x","n":5})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["MaxPasswordAge"], 90);
  EXPECT_EQ((*j)["RequireSymbols"], true);
  EXPECT_EQ((*j)["ports"], json::array({"22", "3389"}));
  EXPECT_EQ((*j)["name"], "x");
  EXPECT_EQ((*j)["n"], 5);
  EXPECT_TRUE(CoerceControlParameters("").ok());
  EXPECT_FALSE(CoerceControlParameters("[1]").ok());
  EXPECT_FALSE(CoerceControlParameters("{").ok());
}

TEST(ContextTest, OperationsMapToIamActions) {
  EXPECT_EQ(IamActionsFor("s3", "PutPublicAccessBlock"),
            std::vector<std::string>{"s3:PutBucketPublicAccessBlock"});
  EXPECT_EQ(IamActionsFor("s3control", "GetPublicAccessBlock"),
            std::vector<std::string>{"s3:GetAccountPublicAccessBlock"});
  EXPECT_EQ(IamActionsFor("s3", "PutBucketEncryption"),
            std::vector<std::string>{"s3:PutEncryptionConfiguration"});
  EXPECT_EQ(IamActionsFor("lambda", "GetPolicy"), std::vector<std::string>{"lambda:GetPolicy"});
  EXPECT_EQ(IamActionsFor("elbv2", "ModifyListener"),
            std::vector<std::string>{"elasticloadbalancing:ModifyListener"});
  EXPECT_FALSE(IsMutatingOperation("DescribeSecurityGroups"));
  EXPECT_FALSE(IsMutatingOperation("GetKeyRotationStatus"));
  EXPECT_FALSE(IsMutatingOperation("ListAccessKeys"));
  EXPECT_FALSE(IsMutatingOperation("HeadBucket"));
  EXPECT_TRUE(IsMutatingOperation("EnableKeyRotation"));
  EXPECT_TRUE(IsMutatingOperation("RemovePermission"));
}

// A fake KMS key-rotation remediation driven by a scripted transport.
class FakeRotation final : public Remediation {
 public:
  explicit FakeRotation(RemediationSpec spec) : spec_(std::move(spec)) {}
  const RemediationSpec& spec() const override { return spec_; }
  Result<json> Resolve(const Target& t) const override {
    if (t.resource_id.empty()) {
      return InvalidArgumentError("resource id \"\" is empty");
    }
    return json{{"KeyId", t.resource_id}};
  }
  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    if (mutate_in_plan) {
      ASR_RETURN_IF_ERROR(ctx.Call("kms", "EnableKeyRotation", inv.resource).status());
    }
    ASR_ASSIGN_OR_RETURN(json out, ctx.Call("kms", "GetKeyRotationStatus", inv.resource));
    Plan plan;
    plan.current = out;
    if (!out.value("KeyRotationEnabled", false)) {
      plan.changes.push_back({.action = "kms:EnableKeyRotation", .summary = "enable rotation"});
    }
    return plan;
  }
  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    if (undeclared_in_apply) {
      ASR_RETURN_IF_ERROR(ctx.Call("kms", "ScheduleKeyDeletion", inv.resource).status());
    }
    ASR_RETURN_IF_ERROR(ctx.Call("kms", "EnableKeyRotation", inv.resource).status());
    return Applied{.before = plan.current, .changes = plan.changes};
  }
  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    if (before.value("KeyRotationEnabled", false)) {
      return std::vector<Change>{};
    }
    ASR_RETURN_IF_ERROR(ctx.Call("kms", "DisableKeyRotation", inv.resource).status());
    return std::vector<Change>{{.action = "kms:DisableKeyRotation", .summary = "disable"}};
  }
  bool mutate_in_plan = false;
  bool undeclared_in_apply = false;

 private:
  RemediationSpec spec_;
};

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds d) override { slept += d; }
  std::chrono::milliseconds slept{0};
};

class ZeroRandom final : public aws::Random {
 public:
  double Uniform() override { return 0; }
};

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest()
      : creds_(aws::Credentials{.access_key_id = "AKID", .secret_access_key = "s"}),
        clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1'795'000'000))),
        logger_(sink_, clock_, LogLevel::kDebug),
        client_(transport_, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                {.region = "us-east-1", .retry = {.max_attempts = 1}}),
        remediation_(TestSpec()) {}

  Context MakeContext() {
    return Context(client_, remediation_.spec(), clock_, sleeper_, logger_,
                   {.region = "eu-west-1", .credentials = &creds_});
  }
  RunRecord RunIt(RunOptions options) {
    Context ctx = MakeContext();
    const Result<Params> params =
        ResolveParams(remediation_.spec(), "KMS.4", json::object(), json());
    return remediation::Run(remediation_, ctx, target_, *params, sleeper_, options);
  }
  void RotationStatus(std::vector<bool> states) {
    std::vector<Result<aws::HttpResponse>> responses;
    for (bool s : states) {
      responses.emplace_back(JsonResponse(
          200, std::string(R"({"KeyRotationEnabled":)") + (s ? "true" : "false") + "}"));
    }
    transport_.On(JsonTarget("GetKeyRotationStatus"), responses);
  }
  int Sent(std::string_view op) {
    int n = 0;
    for (const aws::HttpRequest& r : transport_.requests()) {
      const std::string* t = r.FindHeader("X-Amz-Target");
      n += t != nullptr && t->ends_with("." + std::string(op)) ? 1 : 0;
    }
    return n;
  }

  ScriptedTransport transport_;
  aws::StaticCredentialsProvider creds_;
  FakeClock clock_;
  NoSleep sleeper_;
  ZeroRandom random_;
  MemoryLogSink sink_;
  Logger logger_;
  aws::Client client_;
  FakeRotation remediation_;
  Target target_{.account_id = "222222222222",
                 .region = "eu-west-1",
                 .partition = "aws",
                 .control_id = "KMS.4",
                 .resource_type = "AwsKmsKey",
                 .resource_id = "key-1"};
};

TEST_F(RunnerTest, NonCompliantIsAppliedAndVerified) {
  RotationStatus({false, true});
  transport_.On(JsonTarget("EnableKeyRotation"), {JsonResponse(200, "{}")});
  const RunRecord r = RunIt({.mode = RunMode::kApply, .run_id = "run-1"});
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << r.error.ToString();
  EXPECT_EQ(Sent("EnableKeyRotation"), 1);
  ASSERT_TRUE(r.verify.has_value());
  EXPECT_TRUE(r.verify->compliant());
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls[0].phase, "plan");
  EXPECT_EQ(r.calls[1].phase, "apply");
  EXPECT_TRUE(r.calls[1].mutating);
  EXPECT_EQ(r.calls[1].region, "eu-west-1");
  EXPECT_EQ(r.calls[2].phase, "verify");
  EXPECT_EQ(r.run_id, "run-1");
}

TEST_F(RunnerTest, AlreadyCompliantMakesNoMutatingCall) {
  RotationStatus({true});
  const RunRecord r = RunIt({.mode = RunMode::kApply});
  EXPECT_EQ(r.outcome, Outcome::kAlreadyCompliant);
  EXPECT_EQ(Sent("EnableKeyRotation"), 0);
}

TEST_F(RunnerTest, DryRunAndDeclinedPlansChangeNothing) {
  RotationStatus({false});
  EXPECT_EQ(RunIt({.mode = RunMode::kDryRun}).outcome, Outcome::kDryRun);
  bool asked = false;
  const RunRecord declined = RunIt({.mode = RunMode::kApply, .confirm = [&](const Plan& p) {
                                      asked = !p.changes.empty();
                                      return false;
                                    }});
  EXPECT_TRUE(asked);
  EXPECT_EQ(declined.outcome, Outcome::kDeclined);
  EXPECT_EQ(Sent("EnableKeyRotation"), 0);
}

TEST_F(RunnerTest, StillNonCompliantAfterApplyIsFailedNotSuccess) {
  RotationStatus({false});  // repeats: the key never reports rotation enabled
  transport_.On(JsonTarget("EnableKeyRotation"), {JsonResponse(200, "{}")});
  const RunRecord r = RunIt({.mode = RunMode::kApply,
                             .verify_attempts = 3,
                             .verify_delay = std::chrono::milliseconds(500)});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failed_phase, "verify");
  EXPECT_EQ(r.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.error.message().find("still non-compliant after apply: enable rotation"),
            std::string::npos);
  EXPECT_EQ(Sent("GetKeyRotationStatus"), 4);  // plan + 3 verify reads
  EXPECT_EQ(sleeper_.slept, std::chrono::milliseconds(1000));
}

TEST_F(RunnerTest, ApplyErrorIsRecordedWithItsPhaseAndAwsCode) {
  RotationStatus({false});
  transport_.On(JsonTarget("EnableKeyRotation"),
                {aws::testing::JsonError(400, "AccessDeniedException", "no")});
  const RunRecord r = RunIt({.mode = RunMode::kApply});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failed_phase, "apply");
  EXPECT_EQ(r.error.code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(r.error.retryable());
  EXPECT_EQ(r.calls.back().aws_error, "AccessDeniedException");
}

TEST_F(RunnerTest, ContextRefusesMutatingCallsInPlanAndUndeclaredActions) {
  RotationStatus({false});
  transport_.On(JsonTarget("EnableKeyRotation"), {JsonResponse(200, "{}")});
  remediation_.mutate_in_plan = true;
  RunRecord r = RunIt({.mode = RunMode::kDryRun});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_NE(r.error.message().find("tried the mutating call kms.EnableKeyRotation during plan"),
            std::string::npos)
      << r.error.message();
  EXPECT_EQ(Sent("EnableKeyRotation"), 0) << "the guard stops the call before it is sent";

  remediation_.mutate_in_plan = false;
  remediation_.undeclared_in_apply = true;
  r = RunIt({.mode = RunMode::kApply});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_NE(
      r.error.message().find("needs kms:ScheduleKeyDeletion, not in its declared permissions"),
      std::string::npos)
      << r.error.message();
}

TEST_F(RunnerTest, ResolveErrorFailsBeforeAnyCall) {
  target_.resource_id = "";
  const RunRecord r = RunIt({.mode = RunMode::kApply});
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failed_phase, "resolve");
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(RunnerTest, RecordRoundTripsThroughJsonAndUndoRestores) {
  RotationStatus({false, true});
  transport_.On(JsonTarget("EnableKeyRotation"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("DisableKeyRotation"), {JsonResponse(200, "{}")});
  const RunRecord r = RunIt({.mode = RunMode::kApply});
  ASSERT_EQ(r.outcome, Outcome::kSuccess);
  const json j = ToJson(r);
  EXPECT_EQ(j["outcome"], "SUCCESS");
  EXPECT_EQ(j["applied"]["before"]["KeyRotationEnabled"], false);
  Result<RunRecord> back = RunRecordFromJson(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ToJson(*back).dump(), [&] {
    json without_calls = j;
    without_calls["calls"] = json::array();
    return without_calls.dump();
  }());

  Context ctx = MakeContext();
  Result<RunRecord> undone = UndoRun(remediation_, ctx, *back);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(undone->outcome, Outcome::kUndone);
  EXPECT_EQ(Sent("DisableKeyRotation"), 1);
  Context again = MakeContext();
  EXPECT_EQ(UndoRun(remediation_, again, *undone).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(RunnerTest, UndoIsRefusedForRunsThatChangedNothingAndForIrreversibleRemediations) {
  RotationStatus({true});
  const RunRecord compliant = RunIt({.mode = RunMode::kApply});
  Context ctx = MakeContext();
  const Status s = UndoRun(remediation_, ctx, compliant).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("only a SUCCESS run can be undone"), std::string::npos);

  RemediationSpec one_way = TestSpec();
  one_way.reversible = Reversible::kNo;
  one_way.reversibility_note = "the password cannot be restored";
  const FakeRotation irreversible(one_way);
  RunRecord success = compliant;
  success.outcome = Outcome::kSuccess;
  success.applied = Applied{};
  Context ctx2(client_, one_way, clock_, sleeper_, logger_, {.region = "eu-west-1"});
  const Status s2 = UndoRun(irreversible, ctx2, success).status();
  EXPECT_EQ(s2.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s2.message().find("not reversible: the password cannot be restored"),
            std::string::npos);
}

TEST(RolesTest, ChainIsMemberRoleThenRemediationRoleWhenANamespaceIsSet) {
  RoleOptions o;
  EXPECT_EQ(
      RoleChain(o, "aws-cn", "222222222222", "RemoveLambdaPublicAccess"),
      std::vector<std::string>{"arn:aws-cn:iam::222222222222:role/SO0111-ASR-Orchestrator-Member"});
  o.remediation_namespace = "prod";
  EXPECT_EQ(RoleChain(o, "aws", "222222222222", "RemoveLambdaPublicAccess"),
            (std::vector<std::string>{
                "arn:aws:iam::222222222222:role/SO0111-ASR-Orchestrator-Member",
                "arn:aws:iam::222222222222:role/SO0111-RemoveLambdaPublicAccess-prod"}));
  EXPECT_EQ(RoleChain(o, "aws", "222222222222", "").size(), 1u);
  EXPECT_TRUE(ValidateNamespace("ab1-x").ok());
  EXPECT_FALSE(ValidateNamespace("ab").ok());
  EXPECT_FALSE(ValidateNamespace("abcdefghij").ok());
  EXPECT_FALSE(ValidateNamespace("Prod").ok());
  EXPECT_FALSE(ValidateRoleName(std::string(65, 'a')).ok());
}

TEST(MemberRolesTest, OneRolePerRemediationWithExactlyItsPermissions) {
  Registry registry;
  registry.Add(std::make_unique<FakeRotation>(TestSpec()));
  const json t = MemberRolesTemplate(registry, {.remediation_namespace = "prod"});
  EXPECT_EQ(t["Parameters"]["Namespace"]["Default"], "prod");
  EXPECT_FALSE(t["Parameters"]["AdminAccountId"].contains("Default"));
  const json& role = t["Resources"]["RoleEnableKeyRotationForTest"];
  EXPECT_EQ(role["Properties"]["RoleName"]["Fn::Sub"],
            "SO0111-EnableKeyRotationForTest-${Namespace}");
  EXPECT_EQ(
      role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"],
      json::array({"kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus"}));
  EXPECT_EQ(t["Resources"]["OrchestratorMemberRole"]["Properties"]["RoleName"],
            "SO0111-ASR-Orchestrator-Member");
  EXPECT_EQ(t.dump(), MemberRolesTemplate(registry, {.remediation_namespace = "prod"}).dump());
}

TEST(RegistryTest, DuplicateIdsAreKeptOutAndReported) {
  Registry registry;
  registry.Add(std::make_unique<FakeRotation>(TestSpec()));
  registry.Add(std::make_unique<FakeRotation>(TestSpec()));
  EXPECT_EQ(registry.All().size(), 1u);
  ASSERT_EQ(registry.problems().size(), 1u);
  EXPECT_NE(registry.problems()[0].find("registered twice"), std::string::npos);
  EXPECT_NE(registry.Find("EnableKeyRotationForTest"), nullptr);
  EXPECT_EQ(registry.Find("enablekeyrotationfortest"), nullptr);
}

}  // namespace
}  // namespace asr::remediation
