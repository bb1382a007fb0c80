// Unit tests of the IAM remediations: Resolve tables, and the paths moto cannot reach (keys and
// passwords of a given age, last use, users recreated under the same name, error codes) through
// a scripted transport and a fake clock.

#include <gtest/gtest.h>

#include <chrono>
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

using aws::testing::QueryAction;
using aws::testing::QueryError;
using aws::testing::ScriptedTransport;
using aws::testing::XmlResponse;
using nlohmann::json;
using std::chrono::days;

constexpr char kAccount[] = "111111111111";
constexpr char kAliceId[] = "AIDAALICE00000000001";
constexpr char kBobId[] = "AIDABOB0000000000002";

std::chrono::system_clock::time_point Now() {
  return std::chrono::sys_days(std::chrono::year(2026) / 3 / 1) + std::chrono::hours(12);
}

std::string Ago(days d) { return FormatRfc3339Millis(Now() - d); }

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*duration*/) override {}
};

class ZeroRandom final : public aws::Random {
 public:
  double Uniform() override { return 0; }
};

// An IAM (query protocol) response with `result` inside <OpResult>.
aws::HttpResponse IamOk(const std::string& op, const std::string& result = "") {
  return XmlResponse(
      200, "<" + op + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">" +
               (result.empty() ? "" : "<" + op + "Result>" + result + "</" + op + "Result>") +
               "<ResponseMetadata><RequestId>req</RequestId></ResponseMetadata></" + op +
               "Response>");
}

std::string UserXml(const std::string& name, const std::string& id,
                    const std::string& password_last_used = "", const std::string& path = "/") {
  return "<UserName>" + name + "</UserName><UserId>" + id + "</UserId><Path>" + path +
         "</Path><Arn>arn:aws:iam::" + kAccount + ":user" + path + name + "</Arn><CreateDate>" +
         Ago(days(1000)) + "</CreateDate>" +
         (password_last_used.empty()
              ? ""
              : "<PasswordLastUsed>" + password_last_used + "</PasswordLastUsed>");
}

struct Key {
  std::string id;
  std::string status;
  std::string created;
};

std::string KeysXml(const std::string& user, const std::vector<Key>& keys) {
  std::string out = "<AccessKeyMetadata>";
  for (const Key& k : keys) {
    out += "<member><UserName>" + user + "</UserName><AccessKeyId>" + k.id +
           "</AccessKeyId><Status>" + k.status + "</Status><CreateDate>" + k.created +
           "</CreateDate></member>";
  }
  return out + "</AccessKeyMetadata><IsTruncated>false</IsTruncated>";
}

std::string LastUsedXml(const std::string& user, const std::string& date) {
  return "<UserName>" + user + "</UserName><AccessKeyLastUsed>" +
         (date.empty()
              ? "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
              : "<LastUsedDate>" + date +
                    "</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region>") +
         "</AccessKeyLastUsed>";
}

ScriptedTransport::Matcher Op(std::string_view op, std::string body_part = "") {
  return [action = QueryAction(op), part = std::move(body_part)](const aws::HttpRequest& r) {
    return action(r) && (part.empty() || r.body.find(part) != std::string::npos);
  };
}

class IamTest : public ::testing::Test {
 protected:
  const Remediation& Get(std::string_view id) {
    const Remediation* r = Registry::Global().Find(id);
    EXPECT_NE(r, nullptr) << id;
    return *r;
  }

  static Target UserTarget(const std::string& control, const std::string& resource_id,
                           json details = json()) {
    return {.account_id = kAccount,
            .region = "us-east-1",
            .partition = "aws",
            .control_id = control,
            .resource_type = "AwsIamUser",
            .resource_id = resource_id,
            .resource_details = std::move(details)};
  }

  RunRecord RunIt(const Remediation& r, const Target& target,
                  const json& overrides = json::object(), RunMode mode = RunMode::kApply) {
    Context ctx(client_, r.spec(), clock_, sleeper_, logger_, {.region = target.region});
    Result<Params> params = ResolveParams(r.spec(), target.control_id, json::object(), overrides);
    EXPECT_TRUE(params.ok()) << params.status().ToString();
    RunRecord record = remediation::Run(r, ctx, target, params.ok() ? *params : Params(), sleeper_,
                                        {.mode = mode, .verify_attempts = 1});
    calls_ = ctx.calls();
    return record;
  }

  Result<RunRecord> UndoIt(const Remediation& r, const RunRecord& record) {
    Context ctx(client_, r.spec(), clock_, sleeper_, logger_, {.region = record.target.region});
    Result<RunRecord> out = UndoRun(r, ctx, record);
    calls_ = ctx.calls();
    return out;
  }

  // The operations sent, in order ("GetUser", "ListAccessKeys", ...).
  std::vector<std::string> Ops() const {
    std::vector<std::string> out;
    for (const CallRecord& c : calls_) {
      out.push_back(c.operation);
    }
    return out;
  }

  int Count(std::string_view op) const {
    int n = 0;
    for (const CallRecord& c : calls_) {
      n += c.operation == op ? 1 : 0;
    }
    return n;
  }

  // Bodies of the requests for `op`.
  std::vector<std::string> Bodies(std::string_view op) const {
    std::vector<std::string> out;
    for (const aws::HttpRequest& r : transport_.requests()) {
      if (QueryAction(op)(r)) {
        out.push_back(r.body);
      }
    }
    return out;
  }

  ScriptedTransport transport_;
  aws::StaticCredentialsProvider credentials_{
      aws::Credentials{.access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret"}};
  FakeClock clock_{Now()};
  NoSleep sleeper_;
  ZeroRandom random_;
  MemoryLogSink sink_;
  Logger logger_{sink_, clock_, LogLevel::kError};
  aws::Client client_{transport_,
                      credentials_,
                      aws::BuiltinModels(),
                      clock_,
                      sleeper_,
                      random_,
                      &logger_,
                      aws::ClientOptions{.region = "us-east-1"}};
  std::vector<CallRecord> calls_;
};

// ---------------------------------------------------------------------------------------------
// Resolve

TEST_F(IamTest, ResolveIamUserTable) {
  struct Case {
    std::string name;
    std::string resource_id;
    std::string partition = "aws";
    std::string resource_type = "AwsIamUser";
    json details;
    json want;          // null when an error is expected
    std::string error;  // part of the message
  };
  const std::string arn = std::string("arn:aws:iam::") + kAccount + ":user/";
  const std::vector<Case> cases = {
      {.name = "user ARN",
       .resource_id = arn + "alice",
       .want = {{"UserArn", arn + "alice"}, {"UserName", "alice"}, {"CheckArn", true}}},
      {.name = "user ARN with a path",
       .resource_id = arn + "division/team/alice",
       .want = {{"UserArn", arn + "division/team/alice"},
                {"UserName", "alice"},
                {"CheckArn", true}}},
      {.name = "name with every allowed character",
       .resource_id = arn + "a_b+c=d,e.f@g-h",
       .want = {{"UserArn", arn + "a_b+c=d,e.f@g-h"},
                {"UserName", "a_b+c=d,e.f@g-h"},
                {"CheckArn", true}}},
      {.name = "aws-cn partition",
       .resource_id = std::string("arn:aws-cn:iam::") + kAccount + ":user/alice",
       .partition = "aws-cn",
       .want = {{"UserArn", std::string("arn:aws-cn:iam::") + kAccount + ":user/alice"},
                {"UserName", "alice"},
                {"CheckArn", true}}},
      {.name = "aws-us-gov ARN in an aws finding",
       .resource_id = std::string("arn:aws-us-gov:iam::") + kAccount + ":user/alice",
       .error = "partition"},
      {.name = "another account",
       .resource_id = "arn:aws:iam::222222222222:user/alice",
       .error = "names account 222222222222"},
      {.name = "another service", .resource_id = "arn:aws:s3:::alice", .error = "not a iam ARN"},
      {.name = "a role",
       .resource_id = std::string("arn:aws:iam::") + kAccount + ":role/alice",
       .error = "user/"},
      {.name = "garbage", .resource_id = "alice", .error = "not an ARN"},
      {.name = "empty name", .resource_id = arn + "team/", .error = "IAM user name"},
      {.name = "invalid character", .resource_id = arn + "al!ce", .error = "IAM user name"},
      {.name = "name too long",
       .resource_id = arn + std::string(65, 'a'),
       .error = "IAM user name"},
      {.name = "account-level finding (old CIS 1.3/1.4)",
       .resource_id = std::string("AWS::::Account:") + kAccount,
       .resource_type = "AwsAccount",
       .error = "names the account, not an IAM user"},
      {.name = "user id in place of the name, no details",
       .resource_id = arn + kBobId,
       .want = {{"UserArn", arn + kBobId}, {"UserNameOrId", kBobId}}},
      {.name = "user id in place of the name, details give the name",
       .resource_id = arn + kBobId,
       .details = {{"AwsIamUser", {{"UserName", "bob"}, {"UserId", kBobId}}}},
       .want = {{"UserArn", arn + kBobId},
                {"UserName", "bob"},
                {"UserId", kBobId},
                {"CheckArn", false}}},
      {.name = "user id in place of the name, details give only the id",
       .resource_id = arn + kBobId,
       .details = {{"AwsIamUser", {{"UserId", kBobId}}}},
       .want = {{"UserArn", arn + kBobId}, {"UserId", kBobId}, {"CheckArn", false}}},
      {.name = "name and details agree",
       .resource_id = arn + "bob",
       .details = {{"AwsIamUser", {{"UserName", "bob"}, {"UserId", kBobId}}}},
       .want =
           {{"UserArn", arn + "bob"}, {"UserName", "bob"}, {"UserId", kBobId}, {"CheckArn", true}}},
      {.name = "details describe another user",
       .resource_id = arn + "alice",
       .details = {{"AwsIamUser", {{"UserName", "bob"}, {"UserId", kBobId}}}},
       .error = "details describe user \"bob\""},
      {.name = "details with a malformed id",
       .resource_id = arn + "alice",
       .details = {{"AwsIamUser", {{"UserName", "alice"}, {"UserId", "not an id"}}}},
       .error = "user id in the finding's details"},
  };
  for (const std::string id : {"RevokeUnrotatedKeys", "RevokeUnusedIAMUserCredentials"}) {
    const Remediation& r = Get(id);
    for (const Case& c : cases) {
      SCOPED_TRACE(id + ": " + c.name);
      Target t = UserTarget("IAM.3", c.resource_id, c.details);
      t.partition = c.partition;
      t.resource_type = c.resource_type;
      const Result<json> got = r.Resolve(t);
      if (c.want.is_null()) {
        ASSERT_FALSE(got.ok()) << got->dump();
        EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(got.status().message().find(c.error), std::string::npos)
            << got.status().message();
      } else {
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(*got, c.want);
      }
    }
  }
}

TEST_F(IamTest, ResolvePasswordPolicyTargetTable) {
  const Remediation& r = Get("SetIAMPasswordPolicy");
  struct Case {
    std::string name;
    std::string account;
    std::string resource_id;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"account resource", kAccount, std::string("AWS::::Account:") + kAccount, true},
      {"other resource naming nothing else", kAccount, "arn:aws:iam::111111111111:root", true},
      {"account resource of another account", kAccount, "AWS::::Account:222222222222", false},
      {"account id not 12 digits", "1111", "AWS::::Account:1111", false},
      {"account id with letters", "11111111111a", "AWS::::Account:11111111111a", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Target t{.account_id = c.account,
                   .region = "us-east-1",
                   .partition = "aws",
                   .control_id = "IAM.7",
                   .resource_type = "AwsAccount",
                   .resource_id = c.resource_id};
    const Result<json> got = r.Resolve(t);
    EXPECT_EQ(got.ok(), c.ok) << (got.ok() ? got->dump() : got.status().ToString());
    if (got.ok()) {
      EXPECT_EQ(*got, json({{"AccountId", c.account}}));
    } else {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST_F(IamTest, SpecsDeclareControlsAndDefaults) {
  const RemediationSpec& unused = Get("RevokeUnusedIAMUserCredentials").spec();
  Result<Params> iam8 = ResolveParams(unused, "IAM.8", json::object(), json::object());
  Result<Params> iam22 = ResolveParams(unused, "IAM.22", json::object(), json::object());
  ASSERT_TRUE(iam8.ok() && iam22.ok());
  EXPECT_EQ(iam8->Int("MaxCredentialUsageAge"), 90);
  EXPECT_EQ(iam22->Int("MaxCredentialUsageAge"), 45);
  const RemediationSpec& policy = Get("SetIAMPasswordPolicy").spec();
  ASSERT_EQ(policy.controls.size(), 8U);
  Result<Params> bad =
      ResolveParams(policy, "IAM.7", json::object(), {{"MinimumPasswordLength", 5}});
  EXPECT_FALSE(bad.ok());
  bad = ResolveParams(policy, "IAM.7", json::object(), {{"PasswordReusePrevention", 25}});
  EXPECT_FALSE(bad.ok());
  bad = ResolveParams(policy, "IAM.7", json::object(), {{"MaxPasswordAge", 0}});
  EXPECT_FALSE(bad.ok());
}

// ---------------------------------------------------------------------------------------------
// SetIAMPasswordPolicy

std::string PolicyXml(const std::string& settings) {
  return "<PasswordPolicy>" + settings + "</PasswordPolicy>";
}

const Target kAccountTarget{.account_id = kAccount,
                            .region = "us-east-1",
                            .partition = "aws",
                            .control_id = "IAM.7",
                            .resource_type = "AwsAccount",
                            .resource_id = std::string("AWS::::Account:") + kAccount};

TEST_F(IamTest, PasswordPolicyIsCreatedWhenTheAccountHasNone) {
  const std::string full = PolicyXml(
      "<MinimumPasswordLength>14</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>"
      "<RequireNumbers>true</RequireNumbers><RequireUppercaseCharacters>true</"
      "RequireUppercaseCharacters><RequireLowercaseCharacters>true</RequireLowercaseCharacters>"
      "<AllowUsersToChangePassword>true</AllowUsersToChangePassword><ExpirePasswords>true</"
      "ExpirePasswords><MaxPasswordAge>90</MaxPasswordAge><PasswordReusePrevention>24</"
      "PasswordReusePrevention><HardExpiry>true</HardExpiry>");
  const auto none =
      QueryError(404, "NoSuchEntity", "The Password Policy with domain name x cannot be found.");
  transport_.On(Op("GetAccountPasswordPolicy"),
                {none, none, IamOk("GetAccountPasswordPolicy", full)});
  transport_.On(Op("UpdateAccountPasswordPolicy"), {IamOk("UpdateAccountPasswordPolicy")});
  const RunRecord rec = RunIt(Get("SetIAMPasswordPolicy"), kAccountTarget);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  ASSERT_EQ(Bodies("UpdateAccountPasswordPolicy").size(), 1U);
  const std::string body = Bodies("UpdateAccountPasswordPolicy")[0];
  for (const char* part : {"MinimumPasswordLength=14", "RequireSymbols=true", "RequireNumbers=true",
                           "RequireUppercaseCharacters=true", "RequireLowercaseCharacters=true",
                           "AllowUsersToChangePassword=true", "MaxPasswordAge=90",
                           "PasswordReusePrevention=24", "HardExpiry=true"}) {
    EXPECT_NE(body.find(part), std::string::npos) << part << " in " << body;
  }
  EXPECT_EQ(rec.applied->before, json({{"PasswordPolicy", nullptr}}));
  EXPECT_NE(rec.plan->changes[0].summary.find("create the account password policy"),
            std::string::npos);
}

TEST_F(IamTest, PasswordPolicyKeepsStricterSettingsAndRaisesWeakerOnes) {
  const std::string before = PolicyXml(
      "<MinimumPasswordLength>20</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>"
      "<RequireNumbers>false</RequireNumbers><RequireUppercaseCharacters>true</"
      "RequireUppercaseCharacters><RequireLowercaseCharacters>true</RequireLowercaseCharacters>"
      "<AllowUsersToChangePassword>true</AllowUsersToChangePassword><ExpirePasswords>true</"
      "ExpirePasswords><MaxPasswordAge>30</MaxPasswordAge><PasswordReusePrevention>5</"
      "PasswordReusePrevention>");
  transport_.On(Op("GetAccountPasswordPolicy"), {IamOk("GetAccountPasswordPolicy", before)});
  const RunRecord rec =
      RunIt(Get("SetIAMPasswordPolicy"), kAccountTarget, json::object(), RunMode::kDryRun);
  ASSERT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  ASSERT_EQ(rec.plan->changes.size(), 1U);
  const json& want = rec.plan->changes[0].detail;
  EXPECT_EQ(want["MinimumPasswordLength"], 20);  // stricter than 14: kept
  EXPECT_EQ(want["MaxPasswordAge"], 30);         // stricter than 90: kept
  EXPECT_EQ(want["PasswordReusePrevention"], 24);
  EXPECT_EQ(want["RequireNumbers"], true);
  EXPECT_EQ(want["HardExpiry"], true);
  EXPECT_EQ(rec.plan->changes[0].summary,
            "tighten the account password policy: RequireNumbers false -> true, "
            "PasswordReusePrevention 5 -> 24, HardExpiry false -> true");
  EXPECT_EQ(Count("UpdateAccountPasswordPolicy"), 0);
}

TEST_F(IamTest, PasswordPolicyFalseParametersDoNotWeakenThePolicy) {
  const std::string strict = PolicyXml(
      "<MinimumPasswordLength>14</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>"
      "<RequireNumbers>true</RequireNumbers><RequireUppercaseCharacters>true</"
      "RequireUppercaseCharacters><RequireLowercaseCharacters>true</RequireLowercaseCharacters>"
      "<AllowUsersToChangePassword>true</AllowUsersToChangePassword><ExpirePasswords>true</"
      "ExpirePasswords><MaxPasswordAge>60</MaxPasswordAge><PasswordReusePrevention>24</"
      "PasswordReusePrevention><HardExpiry>true</HardExpiry>");
  transport_.On(Op("GetAccountPasswordPolicy"), {IamOk("GetAccountPasswordPolicy", strict)});
  const RunRecord rec = RunIt(Get("SetIAMPasswordPolicy"), kAccountTarget,
                              {{"RequireSymbols", false},
                               {"HardExpiry", false},
                               {"MinimumPasswordLength", 8},
                               {"MaxPasswordAge", 365}});
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant) << rec.error.ToString();
  EXPECT_EQ(Ops(), std::vector<std::string>{"GetAccountPasswordPolicy"});
}

TEST_F(IamTest, PasswordPolicyWithoutExpiryGetsTheMaximumAge) {
  const std::string no_expiry = PolicyXml(
      "<MinimumPasswordLength>14</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>"
      "<RequireNumbers>true</RequireNumbers><RequireUppercaseCharacters>true</"
      "RequireUppercaseCharacters><RequireLowercaseCharacters>true</RequireLowercaseCharacters>"
      "<AllowUsersToChangePassword>true</AllowUsersToChangePassword><ExpirePasswords>false</"
      "ExpirePasswords><PasswordReusePrevention>24</PasswordReusePrevention><HardExpiry>true</"
      "HardExpiry>");
  transport_.On(Op("GetAccountPasswordPolicy"), {IamOk("GetAccountPasswordPolicy", no_expiry)});
  const RunRecord rec =
      RunIt(Get("SetIAMPasswordPolicy"), kAccountTarget, json::object(), RunMode::kDryRun);
  ASSERT_EQ(rec.outcome, Outcome::kDryRun);
  EXPECT_EQ(rec.plan->changes[0].summary,
            "tighten the account password policy: MaxPasswordAge none -> 90");
}

TEST_F(IamTest, PasswordPolicyUndoRestoresThePreviousPolicyWithoutUnsetFields) {
  const Remediation& r = Get("SetIAMPasswordPolicy");
  const std::string now = PolicyXml(
      "<MinimumPasswordLength>14</MinimumPasswordLength><RequireSymbols>true</RequireSymbols>"
      "<MaxPasswordAge>90</MaxPasswordAge><PasswordReusePrevention>24</PasswordReusePrevention>");
  transport_.On(Op("GetAccountPasswordPolicy"), {IamOk("GetAccountPasswordPolicy", now)});
  transport_.On(Op("UpdateAccountPasswordPolicy"), {IamOk("UpdateAccountPasswordPolicy")});
  RunRecord record;
  record.remediation_id = "SetIAMPasswordPolicy";
  record.target = kAccountTarget;
  record.resource = {{"AccountId", kAccount}};
  record.outcome = Outcome::kSuccess;
  record.applied = Applied{.before = {{"PasswordPolicy",
                                       {{"MinimumPasswordLength", 8},
                                        {"RequireSymbols", false},
                                        {"AllowUsersToChangePassword", true},
                                        {"ExpirePasswords", false}}}}};
  const Result<RunRecord> undone = UndoIt(r, record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(undone->outcome, Outcome::kUndone);
  ASSERT_EQ(Bodies("UpdateAccountPasswordPolicy").size(), 1U);
  const std::string body = Bodies("UpdateAccountPasswordPolicy")[0];
  EXPECT_NE(body.find("MinimumPasswordLength=8"), std::string::npos) << body;
  EXPECT_NE(body.find("AllowUsersToChangePassword=true"), std::string::npos) << body;
  EXPECT_NE(body.find("RequireSymbols=false"), std::string::npos) << body;
  EXPECT_EQ(body.find("MaxPasswordAge"), std::string::npos) << body;
  EXPECT_EQ(body.find("PasswordReusePrevention"), std::string::npos) << body;
}

TEST_F(IamTest, AccessDeniedIsNotRetryableAndThrottlingIs) {
  transport_.On(Op("GetAccountPasswordPolicy"),
                {QueryError(403, "AccessDenied", "not authorized")});
  RunRecord rec = RunIt(Get("SetIAMPasswordPolicy"), kAccountTarget);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.failed_phase, "plan");
  EXPECT_EQ(rec.error.code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(rec.error.retryable());
  EXPECT_EQ(rec.error.aws_error_code(), "AccessDenied");

  ScriptedTransport& t = transport_;
  t.On(Op("GetUser"), {QueryError(400, "Throttling", "Rate exceeded")});
  rec = RunIt(Get("RevokeUnrotatedKeys"),
              UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/alice"));
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kThrottled);
  EXPECT_TRUE(rec.error.retryable());
}

// ---------------------------------------------------------------------------------------------
// RevokeUnrotatedKeys

TEST_F(IamTest, UnrotatedKeysOlderThanTheLimitAreDeactivatedOthersKept) {
  const std::string user = UserXml("alice", kAliceId);
  transport_.On(Op("GetUser"), {IamOk("GetUser", "<User>" + user + "</User>")});
  const std::vector<Key> before = {{"AKIAOLD0000000000001", "Active", Ago(days(100))},
                                   {"AKIAEDGE000000000002", "Active", Ago(days(90))},
                                   {"AKIAGONE000000000003", "Inactive", Ago(days(400))}};
  std::vector<Key> after = before;
  after[0].status = "Inactive";
  transport_.On(Op("ListAccessKeys"), {IamOk("ListAccessKeys", KeysXml("alice", before)),
                                       IamOk("ListAccessKeys", KeysXml("alice", before)),
                                       IamOk("ListAccessKeys", KeysXml("alice", after))});
  transport_.On(Op("GetAccessKeyLastUsed", "AKIAOLD"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("alice", Ago(days(1))))});
  transport_.On(Op("GetAccessKeyLastUsed"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("alice", ""))});
  transport_.On(Op("UpdateAccessKey"), {IamOk("UpdateAccessKey")});

  const RunRecord rec =
      RunIt(Get("RevokeUnrotatedKeys"),
            UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/alice",
                       {{"AwsIamUser", {{"UserName", "alice"}, {"UserId", kAliceId}}}}));
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  ASSERT_EQ(rec.plan->changes.size(), 1U);
  EXPECT_EQ(rec.plan->changes[0].summary,
            "deactivate access key AKIAOLD0000000000001 of IAM user alice: created 2025-11-21, "
            "100 days ago (more than 90); last used 2026-02-28 (s3)");
  const std::vector<std::string> updates = Bodies("UpdateAccessKey");
  ASSERT_EQ(updates.size(), 1U);
  EXPECT_NE(updates[0].find("AccessKeyId=AKIAOLD0000000000001"), std::string::npos);
  EXPECT_NE(updates[0].find("Status=Inactive"), std::string::npos);
  EXPECT_EQ(rec.applied->before,
            json({{"UserName", "alice"}, {"Deactivated", {"AKIAOLD0000000000001"}}}));
  // The inactive key's last use is not even read.
  for (const std::string& body : Bodies("GetAccessKeyLastUsed")) {
    EXPECT_EQ(body.find("AKIAGONE"), std::string::npos);
  }
}

TEST_F(IamTest, UnrotatedKeysRefuseAUserRecreatedUnderTheSameName) {
  transport_.On(Op("GetUser"), {IamOk("GetUser", "<User>" + UserXml("alice", kBobId) + "</User>")});
  const RunRecord rec =
      RunIt(Get("RevokeUnrotatedKeys"),
            UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/alice",
                       {{"AwsIamUser", {{"UserName", "alice"}, {"UserId", kAliceId}}}}));
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rec.error.message().find("deleted and recreated"), std::string::npos);
  EXPECT_EQ(Ops(), std::vector<std::string>{"GetUser"});
}

TEST_F(IamTest, UnrotatedKeysRefuseAUserWhoseArnHasAnotherPath) {
  transport_.On(
      Op("GetUser"),
      {IamOk("GetUser", "<User>" + UserXml("alice", kAliceId, "", "/admins/") + "</User>")});
  const RunRecord rec =
      RunIt(Get("RevokeUnrotatedKeys"),
            UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/alice"));
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rec.error.message().find("user/admins/alice"), std::string::npos)
      << rec.error.message();
}

TEST_F(IamTest, MissingUserIsNotFound) {
  transport_.On(Op("GetUser"),
                {QueryError(404, "NoSuchEntity", "The user with name alice cannot be found.")});
  const RunRecord rec =
      RunIt(Get("RevokeUnrotatedKeys"),
            UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/alice"));
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kNotFound);
  EXPECT_FALSE(rec.error.retryable());
  EXPECT_NE(rec.error.message().find("does not exist"), std::string::npos);
}

TEST_F(IamTest, UserIdInTheArnIsFoundThroughListUsers) {
  const std::string users = "<Users><member>" + UserXml("alice", kAliceId) + "</member><member>" +
                            UserXml("bob", kBobId) +
                            "</member></Users><IsTruncated>false</IsTruncated>";
  transport_.On(Op("ListUsers"), {IamOk("ListUsers", users)});
  transport_.On(Op("ListAccessKeys", "UserName=bob"),
                {IamOk("ListAccessKeys",
                       KeysXml("bob", {{"AKIABOB0000000000001", "Active", Ago(days(5))}}))});
  transport_.On(Op("GetAccessKeyLastUsed"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("bob", ""))});
  const RunRecord rec =
      RunIt(Get("RevokeUnrotatedKeys"),
            UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/" + kBobId));
  ASSERT_EQ(rec.outcome, Outcome::kAlreadyCompliant) << rec.error.ToString();
  EXPECT_EQ(rec.plan->current["User"]["UserName"], "bob");
  EXPECT_EQ(Count("GetUser"), 0);
}

TEST_F(IamTest, SegmentThatIsOneUsersIdAndAnothersNameIsAmbiguous) {
  const std::string users = "<Users><member>" + UserXml(kBobId, kAliceId) + "</member><member>" +
                            UserXml("bob", kBobId) +
                            "</member></Users><IsTruncated>false</IsTruncated>";
  transport_.On(Op("ListUsers"), {IamOk("ListUsers", users)});
  const RunRecord rec =
      RunIt(Get("RevokeUnrotatedKeys"),
            UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/" + kBobId));
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rec.error.message().find("ambiguous"), std::string::npos);
  EXPECT_EQ(Count("ListAccessKeys"), 0);
}

TEST_F(IamTest, UnknownUserIdIsNotFound) {
  transport_.On(Op("ListUsers"),
                {IamOk("ListUsers", "<Users><member>" + UserXml("alice", kAliceId) +
                                        "</member></Users><IsTruncated>false</IsTruncated>")});
  const RunRecord rec =
      RunIt(Get("RevokeUnusedIAMUserCredentials"),
            UserTarget("IAM.8", std::string("arn:aws:iam::") + kAccount + ":user/" + kBobId));
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.error.code(), StatusCode::kNotFound);
}

TEST_F(IamTest, UndoReactivatesTheDeactivatedKeysAndReportsDeletedOnes) {
  const Remediation& r = Get("RevokeUnrotatedKeys");
  transport_.On(Op("ListAccessKeys"),
                {IamOk("ListAccessKeys",
                       KeysXml("alice", {{"AKIAOLD0000000000001", "Inactive", Ago(days(100))},
                                         {"AKIAOTHER00000000002", "Inactive", Ago(days(100))}}))});
  transport_.On(Op("UpdateAccessKey"), {IamOk("UpdateAccessKey")});
  RunRecord record;
  record.remediation_id = "RevokeUnrotatedKeys";
  record.target = UserTarget("IAM.3", std::string("arn:aws:iam::") + kAccount + ":user/alice");
  record.outcome = Outcome::kSuccess;
  record.applied =
      Applied{.before = {{"UserName", "alice"}, {"Deactivated", {"AKIAOLD0000000000001"}}}};
  Result<RunRecord> undone = UndoIt(r, record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_EQ(Bodies("UpdateAccessKey").size(), 1U);
  EXPECT_NE(Bodies("UpdateAccessKey")[0].find("AccessKeyId=AKIAOLD0000000000001"),
            std::string::npos);
  EXPECT_NE(Bodies("UpdateAccessKey")[0].find("Status=Active"), std::string::npos);

  record.applied->before["Deactivated"] = {"AKIAOLD0000000000001", "AKIADELETED000000009"};
  undone = UndoIt(r, record);
  ASSERT_FALSE(undone.ok());
  EXPECT_EQ(undone.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(undone.status().message().find("AKIADELETED000000009"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// RevokeUnusedIAMUserCredentials

TEST_F(IamTest, UnusedCredentialsWithTheIam22Limit) {
  // IAM.22: 45 days. Password last used 200 days ago, but the login profile was created 5 days
  // ago (a reset): kept.
  transport_.On(
      Op("GetUser"),
      {IamOk("GetUser", "<User>" + UserXml("alice", kAliceId, Ago(days(200))) + "</User>")});
  const std::vector<Key> keys = {{"AKIANEVER00000000001", "Active", Ago(days(50))},
                                 {"AKIAUSED000000000002", "Active", Ago(days(300))},
                                 {"AKIASTALE00000000003", "Active", Ago(days(300))},
                                 {"AKIAFRESH00000000004", "Active", Ago(days(44))}};
  transport_.On(Op("ListAccessKeys"), {IamOk("ListAccessKeys", KeysXml("alice", keys))});
  transport_.On(Op("GetAccessKeyLastUsed", "AKIAUSED"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("alice", Ago(days(10))))});
  transport_.On(Op("GetAccessKeyLastUsed", "AKIASTALE"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("alice", Ago(days(60))))});
  transport_.On(Op("GetAccessKeyLastUsed"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("alice", ""))});
  transport_.On(Op("GetLoginProfile"),
                {IamOk("GetLoginProfile", "<LoginProfile><UserName>alice</UserName><CreateDate>" +
                                              Ago(days(5)) +
                                              "</CreateDate><PasswordResetRequired>false</"
                                              "PasswordResetRequired></LoginProfile>")});
  const RunRecord rec =
      RunIt(Get("RevokeUnusedIAMUserCredentials"),
            UserTarget("IAM.22", std::string("arn:aws:iam::") + kAccount + ":user/alice"),
            json::object(), RunMode::kDryRun);
  ASSERT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  std::vector<std::string> summaries;
  for (const Change& c : rec.plan->changes) {
    summaries.push_back(c.summary);
  }
  EXPECT_EQ(summaries,
            (std::vector<std::string>{
                "deactivate access key AKIANEVER00000000001 of IAM user alice: never used, "
                "created 2026-01-10, idle 50 days (at least 45)",
                "deactivate access key AKIASTALE00000000003 of IAM user alice: last used "
                "2025-12-31 (s3), idle 60 days (at least 45)"}));
  EXPECT_EQ(Count("UpdateAccessKey") + Count("DeleteLoginProfile"), 0);
}

TEST_F(IamTest, UnusedPasswordIsDeletedAndUndoSaysItCannotBeRestored) {
  const Remediation& r = Get("RevokeUnusedIAMUserCredentials");
  transport_.On(
      Op("GetUser"),
      {IamOk("GetUser", "<User>" + UserXml("alice", kAliceId, Ago(days(100))) + "</User>")});
  const std::vector<Key> keys = {{"AKIASTALE00000000003", "Active", Ago(days(300))}};
  std::vector<Key> after = keys;
  after[0].status = "Inactive";
  transport_.On(Op("ListAccessKeys"), {IamOk("ListAccessKeys", KeysXml("alice", keys)),
                                       IamOk("ListAccessKeys", KeysXml("alice", keys)),
                                       IamOk("ListAccessKeys", KeysXml("alice", after))});
  transport_.On(Op("GetAccessKeyLastUsed"),
                {IamOk("GetAccessKeyLastUsed", LastUsedXml("alice", Ago(days(95))))});
  const auto profile =
      IamOk("GetLoginProfile", "<LoginProfile><UserName>alice</UserName><CreateDate>" +
                                   Ago(days(300)) + "</CreateDate></LoginProfile>");
  transport_.On(Op("GetLoginProfile"),
                {profile, profile,
                 QueryError(404, "NoSuchEntity", "Login Profile for User alice cannot be found.")});
  transport_.On(Op("UpdateAccessKey"), {IamOk("UpdateAccessKey")});
  transport_.On(Op("DeleteLoginProfile"), {IamOk("DeleteLoginProfile")});
  const RunRecord rec =
      RunIt(r, UserTarget("IAM.8", std::string("arn:aws:iam::") + kAccount + ":user/alice"));
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_EQ(Count("UpdateAccessKey"), 1);
  EXPECT_EQ(Count("DeleteLoginProfile"), 1);
  ASSERT_EQ(rec.plan->changes.size(), 2U);
  EXPECT_EQ(rec.plan->changes[1].summary,
            "delete the console password (login profile) of IAM user alice: last used "
            "2025-11-21, idle 100 days (at least 90); it cannot be restored");
  EXPECT_EQ(rec.applied->before["Deactivated"], json({"AKIASTALE00000000003"}));
  EXPECT_FALSE(rec.applied->before["DeletedLoginProfile"].is_null());

  // Undo (ListAccessKeys now repeats its last answer, the key Inactive): the key comes back,
  // then a clear failure about the password.
  const Result<RunRecord> undone = UndoIt(r, rec);
  ASSERT_FALSE(undone.ok());
  EXPECT_EQ(undone.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(undone.status().message().find("reactivated AKIASTALE00000000003"), std::string::npos)
      << undone.status().message();
  EXPECT_NE(undone.status().message().find("create-login-profile --user-name alice"),
            std::string::npos);
  EXPECT_EQ(Count("UpdateAccessKey"), 1);
  EXPECT_EQ(Count("CreateLoginProfile"), 0);
}

TEST_F(IamTest, UnusedCredentialsUsedAfterThePlanAreKept) {
  // Planned while the password was idle; by the time of apply the user has signed in.
  transport_.On(
      Op("GetUser"),
      {IamOk("GetUser", "<User>" + UserXml("alice", kAliceId, Ago(days(100))) + "</User>"),
       IamOk("GetUser", "<User>" + UserXml("alice", kAliceId, Ago(days(0))) + "</User>")});
  transport_.On(Op("ListAccessKeys"), {IamOk("ListAccessKeys", KeysXml("alice", {}))});
  transport_.On(Op("GetLoginProfile"),
                {IamOk("GetLoginProfile", "<LoginProfile><UserName>alice</UserName><CreateDate>" +
                                              Ago(days(300)) + "</CreateDate></LoginProfile>")});
  const RunRecord rec =
      RunIt(Get("RevokeUnusedIAMUserCredentials"),
            UserTarget("IAM.8", std::string("arn:aws:iam::") + kAccount + ":user/alice"));
  EXPECT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  ASSERT_EQ(rec.plan->changes.size(), 1U);
  EXPECT_TRUE(rec.applied->changes.empty());
  EXPECT_EQ(Count("DeleteLoginProfile"), 0);
}

}  // namespace
}  // namespace asr::remediation
