// Unit tests of the EC2 remediations: Resolve tables, and the paths moto cannot exercise (real
// EC2 answers moto does not give, listing filters moto ignores) on a ScriptedTransport. The
// end-to-end behaviour is tested against moto in tests/integration/remediations/ec2_test.py.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/model.h"
#include "aws/testing/scripted_transport.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/context.h"
#include "remediation/params.h"
#include "remediation/registry.h"
#include "remediation/runner.h"

namespace asr::remediation {
namespace {

using aws::testing::JsonTarget;
using aws::testing::QueryAction;
using aws::testing::ScriptedTransport;
using nlohmann::json;

constexpr std::string_view kAccount = "111111111111";
constexpr std::string_view kRegion = "us-east-1";

const Remediation& Find(std::string_view id) {
  const Remediation* r = Registry::Global().Find(id);
  EXPECT_NE(r, nullptr) << id;
  return *r;
}

Target MakeTarget(std::string resource_id, std::string resource_type = "",
                  std::string partition = "aws", std::string region = std::string(kRegion)) {
  return Target{.account_id = std::string(kAccount),
                .region = std::move(region),
                .partition = std::move(partition),
                .control_id = "",
                .resource_type = std::move(resource_type),
                .resource_id = std::move(resource_id)};
}

// --- Resolve ---------------------------------------------------------------------------------

struct ResolveCase {
  std::string name;
  std::string remediation;
  Target target;
  std::string want_key;    // "" → an error is expected
  std::string want_value;  // the identifier, or a substring of the error message
};

TEST(Ec2ResolveTest, ResourceArnsOfEveryPartitionResolveAndOthersAreRejected) {
  const std::string sg = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0123456789abcdef0";
  const std::vector<ResolveCase> cases = {
      {"default sg", "RemoveVPCDefaultSecurityGroupRules", MakeTarget(sg), "GroupId",
       "sg-0123456789abcdef0"},
      {"public sg", "DisablePublicAccessForSecurityGroup", MakeTarget(sg), "GroupId",
       "sg-0123456789abcdef0"},
      {"short sg id, aws-cn", "DisablePublicAccessForSecurityGroup",
       MakeTarget("arn:aws-cn:ec2:cn-north-1:111111111111:security-group/sg-01234567", "", "aws-cn",
                  "cn-north-1"),
       "GroupId", "sg-01234567"},
      {"subnet, aws-us-gov", "DisablePublicIPAutoAssign",
       MakeTarget("arn:aws-us-gov:ec2:us-gov-west-1:111111111111:subnet/subnet-0123456789abcdef0",
                  "", "aws-us-gov", "us-gov-west-1"),
       "SubnetId", "subnet-0123456789abcdef0"},
      {"vpc", "EnableVPCFlowLogs",
       MakeTarget("arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0123456789abcdef0"), "VpcId",
       "vpc-0123456789abcdef0"},
      {"partition differs from the finding's", "RemoveVPCDefaultSecurityGroupRules",
       MakeTarget("arn:aws-cn:ec2:us-east-1:111111111111:security-group/sg-01234567"), "",
       "not the finding's \"aws\""},
      {"other service", "RemoveVPCDefaultSecurityGroupRules", MakeTarget("arn:aws:s3:::bucket"), "",
       "is not a ec2 ARN"},
      {"other resource type", "DisablePublicAccessForSecurityGroup",
       MakeTarget("arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0123456789abcdef0"), "",
       "security-group/..."},
      {"subnet remediation given a security group", "DisablePublicIPAutoAssign", MakeTarget(sg), "",
       "subnet/..."},
      {"flow logs given a subnet", "EnableVPCFlowLogs",
       MakeTarget("arn:aws:ec2:us-east-1:111111111111:subnet/subnet-0123456789abcdef0"), "",
       "vpc/..."},
      {"other account", "RemoveVPCDefaultSecurityGroupRules",
       MakeTarget("arn:aws:ec2:us-east-1:222222222222:security-group/sg-01234567"), "",
       "names account 222222222222"},
      {"other region", "RemoveVPCDefaultSecurityGroupRules",
       MakeTarget("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-01234567"), "",
       "not the finding's region"},
      {"bare id", "RemoveVPCDefaultSecurityGroupRules", MakeTarget("sg-0123456789abcdef0"), "",
       "is not an ARN"},
      {"malformed id", "RemoveVPCDefaultSecurityGroupRules",
       MakeTarget("arn:aws:ec2:us-east-1:111111111111:security-group/sg-XYZ"), "",
       "does not match"},
      {"no id", "DisablePublicIPAutoAssign",
       MakeTarget("arn:aws:ec2:us-east-1:111111111111:subnet/"), "", "subnet/..."},
      {"garbage", "EnableVPCFlowLogs", MakeTarget("\x01not an arn"), "", "is not an ARN"},
  };
  for (const ResolveCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<json> got = Find(c.remediation).Resolve(c.target);
    if (c.want_key.empty()) {
      ASSERT_FALSE(got.ok()) << got->dump();
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(got.status().message().find(c.want_value), std::string::npos)
          << got.status().message();
    } else {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(got->value(c.want_key, ""), c.want_value);
    }
  }
}

TEST(Ec2ResolveTest, AccountLevelTargetsMustNameTheFindingsAccount) {
  for (const char* id : {"MakeEBSSnapshotsPrivate", "EnableEbsEncryptionByDefault"}) {
    SCOPED_TRACE(id);
    const Remediation& r = Find(id);
    const Result<json> ok = r.Resolve(MakeTarget("AWS::::Account:111111111111", "AwsAccount"));
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ(ok->value("AccountId", ""), kAccount);

    const Result<json> other = r.Resolve(MakeTarget("AWS::::Account:222222222222", "AwsAccount"));
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(other.status().message().find("222222222222"), std::string::npos);

    Target bad = MakeTarget("AWS::::Account:1234", "AwsAccount");
    bad.account_id = "1234";
    EXPECT_EQ(r.Resolve(bad).status().code(), StatusCode::kInvalidArgument);
  }
}

// --- A run on a scripted transport -----------------------------------------------------------

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*d*/) override {}
};

class ZeroRandom final : public aws::Random {
 public:
  double Uniform() override { return 0.0; }
};

class Env {
 public:
  Env()
      : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))),
        creds_(aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                                .secret_access_key = "secret",
                                .session_token = "",
                                .expiration = std::nullopt,
                                .source = "test"}),
        logger_(sink_, clock_, LogLevel::kError) {}

  ScriptedTransport& transport() { return transport_; }

  RunRecord Run(std::string_view id, const Target& target, RunMode mode,
                const json& overrides = json::object()) {
    const Remediation& r = Find(id);
    Result<Params> params = ResolveParams(r.spec(), target.control_id, json::object(), overrides);
    EXPECT_TRUE(params.ok()) << params.status().ToString();
    aws::Client client = MakeClient();
    Context ctx(client, r.spec(), clock_, sleeper_, logger_,
                {.region = target.region, .credentials = &creds_});
    return remediation::Run(r, ctx, target, *params, sleeper_,
                            {.mode = mode, .verify_attempts = 1, .verify_delay = {}});
  }

  Result<RunRecord> Undo(const RunRecord& record) {
    const Remediation& r = Find(record.remediation_id);
    aws::Client client = MakeClient();
    Context ctx(client, r.spec(), clock_, sleeper_, logger_,
                {.region = record.target.region, .credentials = &creds_});
    return UndoRun(r, ctx, record);
  }

  // The bodies of the requests for `operation` (query protocols: Action=<operation>).
  std::vector<std::string> Bodies(std::string_view operation) const {
    std::vector<std::string> out;
    const ScriptedTransport::Matcher match = QueryAction(operation);
    for (const aws::HttpRequest& r : transport_.requests()) {
      if (match(r)) {
        out.push_back(r.body);
      }
    }
    return out;
  }

 private:
  aws::Client MakeClient() {
    aws::ClientOptions o;
    o.region = std::string(kRegion);
    o.endpoints.global = "http://aws.test";
    o.retry.max_attempts = 2;
    return aws::Client(transport_, creds_, aws::BuiltinModels(), clock_, sleeper_, random_,
                       &logger_, o);
  }

  FakeClock clock_;
  aws::StaticCredentialsProvider creds_;
  MemoryLogSink sink_;
  Logger logger_;
  NoSleep sleeper_;
  ZeroRandom random_;
  ScriptedTransport transport_;
};

std::vector<std::string> MutatingCalls(const RunRecord& record) {
  std::vector<std::string> out;
  for (const CallRecord& c : record.calls) {
    if (c.mutating) {
      out.push_back(c.operation);
    }
  }
  return out;
}

aws::HttpResponse Ec2(std::string_view operation, const std::string& inner) {
  return aws::testing::XmlResponse(200, "<" + std::string(operation) +
                                            "Response xmlns=\"http://ec2.amazonaws.com/doc/"
                                            "2016-11-15/\"><requestId>req</requestId>" +
                                            inner + "</" + std::string(operation) + "Response>");
}

// --- security groups -------------------------------------------------------------------------

const std::string kSgArn = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-01234567";

// One IpPermission item: protocol, ports ("" for none) and source elements.
std::string Permission(const std::string& protocol, const std::string& from, const std::string& to,
                       const std::string& sources) {
  std::string out = "<item><ipProtocol>" + protocol + "</ipProtocol>";
  if (!from.empty()) {
    out += "<fromPort>" + from + "</fromPort><toPort>" + to + "</toPort>";
  }
  return out + sources + "</item>";
}
std::string Cidr(const std::string& cidr, const std::string& description = "") {
  return "<ipRanges><item><cidrIp>" + cidr + "</cidrIp>" +
         (description.empty() ? "" : "<description>" + description + "</description>") +
         "</item></ipRanges>";
}
std::string Cidr6(const std::string& cidr) {
  return "<ipv6Ranges><item><cidrIpv6>" + cidr + "</cidrIpv6></item></ipv6Ranges>";
}

aws::HttpResponse Group(const std::string& name, const std::string& ingress,
                        const std::string& egress = "") {
  return Ec2("DescribeSecurityGroups",
             "<securityGroupInfo><item><groupId>sg-01234567</groupId><groupName>" + name +
                 "</groupName><vpcId>vpc-01234567</vpcId><ipPermissions>" + ingress +
                 "</ipPermissions><ipPermissionsEgress>" + egress +
                 "</ipPermissionsEgress></item></securityGroupInfo>");
}

struct RuleCase {
  std::string name;
  std::string permission;
  bool planned;
};

TEST(DisablePublicAccessForSecurityGroupTest, PlansExactlyTheRulesOpeningSshOrRdpToTheWorld) {
  const std::vector<RuleCase> cases = {
      {"ssh from anywhere", Permission("tcp", "22", "22", Cidr("0.0.0.0/0", "ssh")), true},
      {"rdp from anywhere v6", Permission("tcp", "3389", "3389", Cidr6("::/0")), true},
      {"all ports", Permission("tcp", "0", "65535", Cidr("0.0.0.0/0")), true},
      {"range ending at 22", Permission("tcp", "10", "22", Cidr("0.0.0.0/0")), true},
      {"all traffic", Permission("-1", "", "", Cidr("0.0.0.0/0")), true},
      {"all traffic v6", Permission("-1", "", "", Cidr6("::/0")), true},
      {"protocol number 6", Permission("6", "3389", "3389", Cidr("0.0.0.0/0")), true},
      {"below 22", Permission("tcp", "20", "21", Cidr("0.0.0.0/0")), false},
      {"between", Permission("tcp", "23", "3388", Cidr("0.0.0.0/0")), false},
      {"above 3389", Permission("tcp", "3390", "65535", Cidr("0.0.0.0/0")), false},
      {"ssh from a network", Permission("tcp", "22", "22", Cidr("10.0.0.0/8")), false},
      {"ssh from half the internet", Permission("tcp", "22", "22", Cidr("0.0.0.0/1")), false},
      {"udp 22", Permission("udp", "22", "22", Cidr("0.0.0.0/0")), false},
      {"icmp", Permission("icmp", "-1", "-1", Cidr("0.0.0.0/0")), false},
      {"prefix list",
       Permission("tcp", "22", "22",
                  "<prefixListIds><item><prefixListId>pl-1</prefixListId></item></prefixListIds>"),
       false},
      {"security group",
       Permission("tcp", "22", "22",
                  "<groups><item><groupId>sg-89abcdef</groupId><userId>111111111111</userId>"
                  "</item></groups>"),
       false},
  };
  for (const RuleCase& c : cases) {
    SCOPED_TRACE(c.name);
    Env env;
    env.transport().On(QueryAction("DescribeSecurityGroups"), {Group("web", c.permission)});
    const RunRecord rec = env.Run("DisablePublicAccessForSecurityGroup",
                                  MakeTarget(kSgArn, "AwsEc2SecurityGroup"), RunMode::kDryRun);
    ASSERT_TRUE(rec.plan.has_value()) << rec.error.ToString();
    EXPECT_EQ(rec.plan->changes.size(), c.planned ? 1U : 0U);
    EXPECT_TRUE(MutatingCalls(rec).empty());
  }
}

TEST(DisablePublicAccessForSecurityGroupTest, SaysWhenAWiderRuleIsRevokedWhole) {
  Env env;
  env.transport().On(QueryAction("DescribeSecurityGroups"),
                     {Group("web", Permission("tcp", "0", "65535", Cidr("0.0.0.0/0")))});
  const RunRecord rec = env.Run("DisablePublicAccessForSecurityGroup",
                                MakeTarget(kSgArn, "AwsEc2SecurityGroup"), RunMode::kDryRun);
  ASSERT_TRUE(rec.plan.has_value());
  ASSERT_EQ(rec.plan->changes.size(), 1U);
  const std::string& summary = rec.plan->changes[0].summary;
  EXPECT_NE(summary.find("SSH (tcp 22) and RDP (tcp 3389)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("not split"), std::string::npos) << summary;
}

// Real EC2 may answer a revoke of an unknown rule with 200 and the rule in UnknownIpPermissions
// (moto always fails with InvalidPermission.NotFound): neither counts as revoked by this run.
TEST(RemoveVPCDefaultSecurityGroupRulesTest, RulesAlreadyGoneAreNotRecordedAsRevoked) {
  Env env;
  const std::string ingress = Permission("tcp", "22", "22", Cidr("10.0.0.0/8", "admin")) +
                              Permission("tcp", "443", "443", Cidr("0.0.0.0/0"));
  const std::string egress = Permission("-1", "", "", Cidr("0.0.0.0/0"));
  env.transport().On(QueryAction("DescribeSecurityGroups"),
                     {Group("default", ingress, egress), Group("default", "")});
  env.transport().On(
      QueryAction("RevokeSecurityGroupIngress"),
      {Ec2("RevokeSecurityGroupIngress", "<return>true</return><unknownIpPermissionSet>" +
                                             Permission("tcp", "22", "22", Cidr("10.0.0.0/8")) +
                                             "</unknownIpPermissionSet>"),
       Ec2("RevokeSecurityGroupIngress", "<return>true</return>")});
  env.transport().On(QueryAction("RevokeSecurityGroupEgress"),
                     {aws::testing::Ec2Error(400, "InvalidPermission.NotFound", "gone")});
  const RunRecord rec = env.Run("RemoveVPCDefaultSecurityGroupRules",
                                MakeTarget(kSgArn, "AwsEc2SecurityGroup"), RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  ASSERT_TRUE(rec.applied.has_value());
  const json& before = rec.applied->before;
  ASSERT_EQ(before["Ingress"].size(), 1U) << before.dump();
  EXPECT_EQ(before["Ingress"][0]["FromPort"], 443);
  EXPECT_TRUE(before["Egress"].empty()) << before.dump();
  EXPECT_EQ(rec.applied->changes.size(), 1U);
  // The description is kept in the request, so undo can restore it.
  EXPECT_NE(env.Bodies("RevokeSecurityGroupIngress")[0].find("admin"), std::string::npos);
}

TEST(RemoveVPCDefaultSecurityGroupRulesTest, RefusesAGroupThatIsNotTheDefaultOne) {
  Env env;
  env.transport().On(QueryAction("DescribeSecurityGroups"),
                     {Group("web", Permission("tcp", "80", "80", Cidr("0.0.0.0/0")))});
  const RunRecord rec = env.Run("RemoveVPCDefaultSecurityGroupRules",
                                MakeTarget(kSgArn, "AwsEc2SecurityGroup"), RunMode::kApply);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.failed_phase, "plan");
  EXPECT_EQ(rec.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rec.error.message().find("not \"default\""), std::string::npos);
  EXPECT_TRUE(MutatingCalls(rec).empty());
}

TEST(RemoveVPCDefaultSecurityGroupRulesTest, UndoSkipsRulesAlreadyBackAndToleratesDuplicates) {
  Env env;
  const json rule_a = {
      {"IpProtocol", "tcp"},
      {"FromPort", 22},
      {"ToPort", 22},
      {"IpRanges", json::array({json{{"CidrIp", "10.0.0.0/8"}, {"Description", "admin"}}})}};
  const json rule_b = {{"IpProtocol", "tcp"},
                       {"FromPort", 443},
                       {"ToPort", 443},
                       {"IpRanges", json::array({json{{"CidrIp", "0.0.0.0/0"}}})}};
  const json rule_c = {{"IpProtocol", "-1"},
                       {"Ipv6Ranges", json::array({json{{"CidrIpv6", "::/0"}}})}};
  RunRecord record;
  record.remediation_id = "RemoveVPCDefaultSecurityGroupRules";
  record.target = MakeTarget(kSgArn, "AwsEc2SecurityGroup");
  record.resource = {{"GroupId", "sg-01234567"}};
  record.outcome = Outcome::kSuccess;
  record.applied = Applied{.before = {{"GroupId", "sg-01234567"},
                                      {"Ingress", json::array({rule_a, rule_b})},
                                      {"Egress", json::array({rule_c})}},
                           .changes = {}};
  // rule_a is back already (without its description: descriptions do not identify rules);
  // rule_b is added by someone between our read and our call (Duplicate).
  env.transport().On(QueryAction("DescribeSecurityGroups"),
                     {Group("default", Permission("tcp", "22", "22", Cidr("10.0.0.0/8")))});
  env.transport().On(QueryAction("AuthorizeSecurityGroupIngress"),
                     {aws::testing::Ec2Error(400, "InvalidPermission.Duplicate", "exists")});
  env.transport().On(QueryAction("AuthorizeSecurityGroupEgress"),
                     {Ec2("AuthorizeSecurityGroupEgress", "<return>true</return>")});
  const Result<RunRecord> undone = env.Undo(record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_TRUE(undone->undone.has_value());
  ASSERT_EQ(undone->undone->size(), 1U);
  EXPECT_EQ((*undone->undone)[0].action, "ec2:AuthorizeSecurityGroupEgress");
  const std::vector<std::string> ingress = env.Bodies("AuthorizeSecurityGroupIngress");
  ASSERT_EQ(ingress.size(), 1U);
  EXPECT_NE(ingress[0].find("FromPort=443"), std::string::npos) << ingress[0];
}

// --- snapshots -------------------------------------------------------------------------------

std::string Snapshot(const std::string& id, const std::string& owner) {
  return "<item><snapshotId>" + id + "</snapshotId><ownerId>" + owner + "</ownerId></item>";
}

aws::HttpResponse Attribute(const std::string& id, const std::string& permissions) {
  return Ec2("DescribeSnapshotAttribute", "<snapshotId>" + id +
                                              "</snapshotId><createVolumePermission>" +
                                              permissions + "</createVolumePermission>");
}

bool BodyHas(const aws::HttpRequest& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

// moto ignores OwnerIds and RestorableByUserIds; real EC2 honours them. Either way the listing is
// only a candidate list: the attribute decides, and other owners' snapshots are never touched.
TEST(MakeEBSSnapshotsPrivateTest, ListsByOwnerAndPublicGroupAndConfirmsEachCandidate) {
  Env env;
  env.transport().On(
      QueryAction("DescribeSnapshots"),
      {Ec2("DescribeSnapshots", "<snapshotSet>" + Snapshot("snap-public", "111111111111") +
                                    Snapshot("snap-private", "111111111111") +
                                    Snapshot("snap-foreign", "999999999999") + "</snapshotSet>")});
  env.transport().On(
      [](const aws::HttpRequest& r) {
        return QueryAction("DescribeSnapshotAttribute")(r) && BodyHas(r, "snap-public");
      },
      {Attribute("snap-public",
                 "<item><group>all</group></item><item><userId>222222222222</userId></item>")});
  env.transport().On(
      [](const aws::HttpRequest& r) {
        return QueryAction("DescribeSnapshotAttribute")(r) && BodyHas(r, "snap-private");
      },
      {Attribute("snap-private", "<item><userId>222222222222</userId></item>")});
  const RunRecord rec =
      env.Run("MakeEBSSnapshotsPrivate", MakeTarget("AWS::::Account:111111111111", "AwsAccount"),
              RunMode::kDryRun);
  ASSERT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
  ASSERT_EQ(rec.plan->changes.size(), 1U);
  EXPECT_EQ(rec.plan->changes[0].detail["SnapshotId"], "snap-public");
  const std::vector<std::string> listed = env.Bodies("DescribeSnapshots");
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_NE(listed[0].find("Owner.1=111111111111"), std::string::npos) << listed[0];
  EXPECT_NE(listed[0].find("RestorableBy.1=all"), std::string::npos) << listed[0];
  const std::vector<std::string> attributes = env.Bodies("DescribeSnapshotAttribute");
  EXPECT_EQ(attributes.size(), 2U) << "no attribute read for another owner's snapshot";
}

TEST(MakeEBSSnapshotsPrivateTest, SnapshotDeletedBeforeApplyIsSkipped) {
  Env env;
  env.transport().On(
      QueryAction("DescribeSnapshots"),
      {Ec2("DescribeSnapshots",
           "<snapshotSet>" + Snapshot("snap-gone", "111111111111") + "</snapshotSet>"),
       Ec2("DescribeSnapshots", "<snapshotSet></snapshotSet>")});
  env.transport().On(QueryAction("DescribeSnapshotAttribute"),
                     {Attribute("snap-gone", "<item><group>all</group></item>")});
  env.transport().On(QueryAction("ModifySnapshotAttribute"),
                     {aws::testing::Ec2Error(400, "InvalidSnapshot.NotFound", "gone")});
  const RunRecord rec =
      env.Run("MakeEBSSnapshotsPrivate", MakeTarget("AWS::::Account:111111111111", "AwsAccount"),
              RunMode::kApply);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_TRUE(rec.applied->before["PublicSnapshotIds"].empty());
  EXPECT_TRUE(rec.applied->changes.empty());
}

// --- EBS encryption by default ---------------------------------------------------------------

TEST(EnableEbsEncryptionByDefaultTest, UndoDoesNothingWhenItWasAlreadyOn) {
  Env env;
  RunRecord record;
  record.remediation_id = "EnableEbsEncryptionByDefault";
  record.target = MakeTarget("AWS::::Account:111111111111", "AwsAccount");
  record.resource = {{"AccountId", "111111111111"}};
  record.outcome = Outcome::kSuccess;
  record.applied = Applied{.before = {{"EbsEncryptionByDefault", true}}, .changes = {}};
  const Result<RunRecord> undone = env.Undo(record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_TRUE(undone->undone->empty());
  EXPECT_TRUE(env.transport().requests().empty());
}

// --- VPC flow logs ---------------------------------------------------------------------------

const std::string kVpcArn = "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-01234567";

aws::HttpResponse FlowLogs(const std::string& items) {
  return Ec2("DescribeFlowLogs", "<flowLogSet>" + items + "</flowLogSet>");
}
std::string FlowLog(const std::string& id, const std::string& status, const std::string& traffic) {
  return "<item><flowLogId>" + id + "</flowLogId><flowLogStatus>" + status +
         "</flowLogStatus><trafficType>" + traffic +
         "</trafficType><resourceId>vpc-01234567</resourceId></item>";
}

// The reads a non-compliant VPC's plan makes, with an existing delivery role and log group.
void ScriptPlanReads(ScriptedTransport& t) {
  t.On(QueryAction("DescribeVpcs"),
       {Ec2("DescribeVpcs", "<vpcSet><item><vpcId>vpc-01234567</vpcId></item></vpcSet>")});
  t.On(QueryAction("GetRole"),
       {aws::testing::XmlResponse(
           200,
           "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult>"
           "<Role><Path>/</Path><RoleName>flow</RoleName><RoleId>AROAEXAMPLE</RoleId>"
           "<Arn>arn:aws:iam::111111111111:role/flow</Arn>"
           "<CreateDate>2024-01-01T00:00:00Z</CreateDate></Role></GetRoleResult>"
           "<ResponseMetadata><RequestId>req</RequestId></ResponseMetadata></GetRoleResponse>")});
  t.On(JsonTarget("DescribeLogGroups"),
       {aws::testing::JsonResponse(
           200, R"({"logGroups":[{"logGroupName":"VPCFlowLogs/vpc-01234567"}]})")});
}

const json kRole = {{"RemediationRole", "flow"}};

// Real EC2 reports FlowLogAlreadyExists in Unsuccessful (moto raises it as an error).
TEST(EnableVPCFlowLogsTest, AlreadyExistingCompliantFlowLogInUnsuccessfulIsSuccess) {
  Env env;
  ScriptPlanReads(env.transport());
  env.transport().On(QueryAction("DescribeFlowLogs"),
                     {FlowLogs(""), FlowLogs(""), FlowLogs(FlowLog("fl-1", "ACTIVE", "REJECT"))});
  env.transport().On(
      QueryAction("CreateFlowLogs"),
      {Ec2("CreateFlowLogs",
           "<flowLogIdSet/><unsuccessful><item><error><code>FlowLogAlreadyExists</code>"
           "<message>exists</message></error><resourceId>vpc-01234567</resourceId></item>"
           "</unsuccessful>")});
  const RunRecord rec =
      env.Run("EnableVPCFlowLogs", MakeTarget(kVpcArn, "AwsEc2Vpc"), RunMode::kApply, kRole);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_TRUE(rec.applied->before["FlowLogIds"].empty()) << "not ours to undo";
  EXPECT_TRUE(rec.applied->changes.empty());
}

TEST(EnableVPCFlowLogsTest, OtherUnsuccessfulItemIsAFailureNamingTheCode) {
  Env env;
  ScriptPlanReads(env.transport());
  env.transport().On(QueryAction("DescribeFlowLogs"), {FlowLogs("")});
  env.transport().On(
      QueryAction("CreateFlowLogs"),
      {Ec2("CreateFlowLogs",
           "<flowLogIdSet/><unsuccessful><item><error><code>InvalidParameter</code>"
           "<message>bad role</message></error><resourceId>vpc-01234567</resourceId></item>"
           "</unsuccessful>")});
  const RunRecord rec =
      env.Run("EnableVPCFlowLogs", MakeTarget(kVpcArn, "AwsEc2Vpc"), RunMode::kApply, kRole);
  EXPECT_EQ(rec.outcome, Outcome::kFailed);
  EXPECT_EQ(rec.failed_phase, "apply");
  EXPECT_NE(rec.error.message().find("InvalidParameter: bad role"), std::string::npos)
      << rec.error.ToString();
}

TEST(EnableVPCFlowLogsTest, WaitsForTheNewFlowLogToBecomeActive) {
  Env env;
  ScriptPlanReads(env.transport());
  env.transport().On(QueryAction("DescribeFlowLogs"),
                     {FlowLogs(""), FlowLogs(""), FlowLogs(FlowLog("fl-1", "PENDING", "REJECT")),
                      FlowLogs(FlowLog("fl-1", "ACTIVE", "REJECT"))});
  env.transport().On(QueryAction("CreateFlowLogs"),
                     {Ec2("CreateFlowLogs", "<flowLogIdSet><item>fl-1</item></flowLogIdSet>")});
  const RunRecord rec =
      env.Run("EnableVPCFlowLogs", MakeTarget(kVpcArn, "AwsEc2Vpc"), RunMode::kApply, kRole);
  ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
  EXPECT_EQ(rec.applied->before["FlowLogIds"], json::array({"fl-1"}));
  // plan, apply's re-read, two polls, verify
  EXPECT_EQ(env.Bodies("DescribeFlowLogs").size(), 5U);
  EXPECT_EQ(MutatingCalls(rec), std::vector<std::string>{"CreateFlowLogs"});
  const std::string create = env.Bodies("CreateFlowLogs").at(0);
  EXPECT_NE(create.find("TrafficType=REJECT"), std::string::npos) << create;
  EXPECT_NE(create.find("arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fflow"), std::string::npos)
      << create;
}

TEST(EnableVPCFlowLogsTest, UndoToleratesAFlowLogDeletedMeanwhile) {
  Env env;
  RunRecord record;
  record.remediation_id = "EnableVPCFlowLogs";
  record.target = MakeTarget(kVpcArn, "AwsEc2Vpc");
  record.resource = {{"VpcId", "vpc-01234567"}};
  record.outcome = Outcome::kSuccess;
  record.applied =
      Applied{.before = {{"VpcId", "vpc-01234567"}, {"FlowLogIds", json::array({"fl-1", "fl-2"})}},
              .changes = {}};
  env.transport().On(QueryAction("DescribeFlowLogs"),
                     {FlowLogs(FlowLog("fl-1", "ACTIVE", "REJECT"))});
  env.transport().On(
      QueryAction("DeleteFlowLogs"),
      {Ec2("DeleteFlowLogs",
           "<unsuccessful><item><error><code>InvalidFlowLogId.NotFound</code><message>gone"
           "</message></error><resourceId>fl-1</resourceId></item></unsuccessful>")});
  const Result<RunRecord> undone = env.Undo(record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_TRUE(undone->undone->empty());
  // fl-2 was not there any more: only fl-1 was asked to be deleted.
  EXPECT_EQ(env.Bodies("DeleteFlowLogs").size(), 1U);
}

struct ParamCase {
  std::string name;
  json overrides;
  StatusCode want;   // kOk → the plan succeeds
  std::string text;  // in the error message, or in the CreateFlowLogs change's summary
};

TEST(EnableVPCFlowLogsTest, DeliveryRoleAndKeyParametersAreCheckedBeforeAnyChange) {
  const std::vector<ParamCase> cases = {
      {"role name", kRole, StatusCode::kOk, "arn:aws:iam::111111111111:role/flow"},
      {"role arn with path",
       {{"RemediationRole", "arn:aws:iam::111111111111:role/service/flow"}},
       StatusCode::kOk,
       "arn:aws:iam::111111111111:role/service/flow"},
      {"empty role", json::object(), StatusCode::kInvalidArgument, "RemediationRole is empty"},
      {"bad role name",
       {{"RemediationRole", "no spaces"}},
       StatusCode::kInvalidArgument,
       "role name"},
      {"role in another account",
       {{"RemediationRole", "arn:aws:iam::222222222222:role/flow"}},
       StatusCode::kInvalidArgument,
       "not the finding's"},
      {"role in another partition",
       {{"RemediationRole", "arn:aws-cn:iam::111111111111:role/flow"}},
       StatusCode::kInvalidArgument,
       "partition"},
      {"not a role",
       {{"RemediationRole", "arn:aws:s3:::bucket"}},
       StatusCode::kInvalidArgument,
       "not an IAM role ARN"},
      {"key in another region",
       {{"RemediationRole", "flow"}, {"KMSKeyArn", "arn:aws:kms:eu-west-1:111111111111:key/1234"}},
       StatusCode::kInvalidArgument,
       "KMSKeyArn"},
      {"alias instead of key",
       {{"RemediationRole", "flow"},
        {"KMSKeyArn", "arn:aws:kms:us-east-1:111111111111:alias/logs"}},
       StatusCode::kInvalidArgument,
       "KMSKeyArn"},
  };
  for (const ParamCase& c : cases) {
    SCOPED_TRACE(c.name);
    Env env;
    ScriptPlanReads(env.transport());
    env.transport().On(QueryAction("DescribeFlowLogs"), {FlowLogs("")});
    const RunRecord rec = env.Run("EnableVPCFlowLogs", MakeTarget(kVpcArn, "AwsEc2Vpc"),
                                  RunMode::kDryRun, c.overrides);
    EXPECT_TRUE(MutatingCalls(rec).empty());
    if (c.want == StatusCode::kOk) {
      ASSERT_EQ(rec.outcome, Outcome::kDryRun) << rec.error.ToString();
      ASSERT_EQ(rec.plan->changes.size(), 1U);
      EXPECT_NE(rec.plan->changes[0].summary.find(c.text), std::string::npos)
          << rec.plan->changes[0].summary;
      const std::vector<std::string> get_role = env.Bodies("GetRole");
      ASSERT_EQ(get_role.size(), 1U);
      EXPECT_NE(get_role[0].find("RoleName=flow"), std::string::npos) << get_role[0];
    } else {
      EXPECT_EQ(rec.outcome, Outcome::kFailed);
      EXPECT_EQ(rec.error.code(), c.want) << rec.error.ToString();
      EXPECT_NE(rec.error.message().find(c.text), std::string::npos) << rec.error.message();
    }
  }
}

}  // namespace
}  // namespace asr::remediation
