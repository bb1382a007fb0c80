// Unit tests of MakeRDSSnapshotPrivate: the Resolve table and the request shapes for both
// snapshot kinds, through a scripted transport.

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

using aws::testing::QueryAction;
using aws::testing::QueryError;
using aws::testing::ScriptedTransport;
using aws::testing::XmlResponse;
using nlohmann::json;

constexpr char kAccount[] = "111111111111";

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*duration*/) override {}
};

class ZeroRandom final : public aws::Random {
 public:
  double Uniform() override { return 0; }
};

const Remediation& Rem() {
  const Remediation* r = Registry::Global().Find("MakeRDSSnapshotPrivate");
  EXPECT_NE(r, nullptr);
  return *r;
}

std::string SnapshotArn(const std::string& kind, const std::string& id,
                        const std::string& region = "us-east-1") {
  return "arn:aws:rds:" + region + ":" + kAccount + ":" + kind + ":" + id;
}

Target SnapshotTarget(const std::string& resource_id, const std::string& type = "AwsRdsDbSnapshot",
                      const std::string& partition = "aws") {
  return {.account_id = kAccount,
          .region = "us-east-1",
          .partition = partition,
          .control_id = "RDS.1",
          .resource_type = type,
          .resource_id = resource_id};
}

// The Describe(DB|DBCluster)SnapshotAttributes answer with `values` in "restore".
aws::HttpResponse Attributes(bool cluster, const std::string& id,
                             const std::vector<std::string>& values) {
  const std::string kind = cluster ? "DBClusterSnapshot" : "DBSnapshot";
  std::string list;
  for (const std::string& v : values) {
    list += "<AttributeValue>" + v + "</AttributeValue>";
  }
  const std::string op = "Describe" + kind + "Attributes";
  return XmlResponse(
      200, "<" + op + "Response xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><" + op +
               "Result><" + kind + "AttributesResult><" + kind + "Identifier>" + id + "</" + kind +
               "Identifier><" + kind + "Attributes><" + kind +
               "Attribute><AttributeName>restore</AttributeName><AttributeValues>" + list +
               "</AttributeValues></" + kind + "Attribute></" + kind + "Attributes></" + kind +
               "AttributesResult></" + op + "Result><ResponseMetadata><RequestId>req</RequestId>" +
               "</ResponseMetadata></" + op + "Response>");
}

aws::HttpResponse Modified(bool cluster) {
  const std::string op = cluster ? "ModifyDBClusterSnapshotAttribute" : "ModifyDBSnapshotAttribute";
  return XmlResponse(
      200, "<" + op + "Response><" + op + "Result></" + op + "Result></" + op + "Response>");
}

// A client answering from a script; one per scenario.
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

  std::vector<std::string> Bodies(std::string_view op) const {
    std::vector<std::string> out;
    for (const aws::HttpRequest& r : transport.requests()) {
      if (QueryAction(op)(r)) {
        out.push_back(r.body);
      }
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

TEST(RdsTest, ResolveTable) {
  struct Case {
    std::string name;
    std::string resource_id;
    std::string type = "AwsRdsDbSnapshot";
    std::string partition = "aws";
    json want;  // null: InvalidArgument with `error` in the message
    std::string error;
  };
  const std::vector<Case> cases = {
      {.name = "DB snapshot",
       .resource_id = SnapshotArn("snapshot", "my-snap"),
       .want = {{"SnapshotType", "snapshot"},
                {"SnapshotId", "my-snap"},
                {"SnapshotArn", SnapshotArn("snapshot", "my-snap")},
                {"Region", "us-east-1"}}},
      {.name = "DB cluster snapshot",
       .resource_id = SnapshotArn("cluster-snapshot", "cluster-snap-1", "eu-west-1"),
       .type = "AwsRdsDbClusterSnapshot",
       .want = {{"SnapshotType", "cluster-snapshot"},
                {"SnapshotId", "cluster-snap-1"},
                {"SnapshotArn", SnapshotArn("cluster-snapshot", "cluster-snap-1", "eu-west-1")},
                {"Region", "eu-west-1"}}},
      {.name = "automated snapshot id",
       .resource_id = SnapshotArn("cluster-snapshot", "rds:zva-2021-07-22-10-01"),
       .type = "AwsRdsDbClusterSnapshot",
       .want = {{"SnapshotType", "cluster-snapshot"},
                {"SnapshotId", "rds:zva-2021-07-22-10-01"},
                {"SnapshotArn", SnapshotArn("cluster-snapshot", "rds:zva-2021-07-22-10-01")},
                {"Region", "us-east-1"}}},
      {.name = "aws-us-gov partition",
       .resource_id = std::string("arn:aws-us-gov:rds:us-gov-west-1:") + kAccount + ":snapshot:s",
       .partition = "aws-us-gov",
       .want = {{"SnapshotType", "snapshot"},
                {"SnapshotId", "s"},
                {"SnapshotArn",
                 std::string("arn:aws-us-gov:rds:us-gov-west-1:") + kAccount + ":snapshot:s"},
                {"Region", "us-gov-west-1"}}},
      {.name = "cluster snapshot ARN with the DB snapshot type",
       .resource_id = SnapshotArn("cluster-snapshot", "c"),
       .error = "resource type is AwsRdsDbSnapshot"},
      {.name = "DB snapshot ARN with the cluster snapshot type",
       .resource_id = SnapshotArn("snapshot", "s"),
       .type = "AwsRdsDbClusterSnapshot",
       .error = "resource type is AwsRdsDbClusterSnapshot"},
      {.name = "legacy dbclustersnapshot resource type",
       .resource_id = SnapshotArn("dbclustersnapshot", "rds:database-1-2021-10-27-04-10"),
       .type = "AwsRdsDbClusterSnapshot",
       .error = "snapshot:"},
      {.name = "a DB instance", .resource_id = SnapshotArn("db", "mydb"), .error = "snapshot:"},
      {.name = "identifier starting with a digit",
       .resource_id = SnapshotArn("snapshot", "1snap"),
       .error = "snapshot identifier"},
      {.name = "another account",
       .resource_id = "arn:aws:rds:us-east-1:222222222222:snapshot:s",
       .error = "names account 222222222222"},
      {.name = "another partition",
       .resource_id = std::string("arn:aws-cn:rds:cn-north-1:") + kAccount + ":snapshot:s",
       .error = "partition"},
      {.name = "another service",
       .resource_id = std::string("arn:aws:ec2:us-east-1:") + kAccount + ":snapshot:snap-1",
       .error = "not a rds ARN"},
      {.name = "no region",
       .resource_id = std::string("arn:aws:rds::") + kAccount + ":snapshot:s",
       .error = "no valid region"},
      {.name = "garbage", .resource_id = "my-snap", .error = "not an ARN"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<json> got = Rem().Resolve(SnapshotTarget(c.resource_id, c.type, c.partition));
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

TEST(RdsTest, PublicSnapshotsOfBothKindsBecomePrivateAccountSharesKept) {
  for (const bool cluster : {false, true}) {
    SCOPED_TRACE(cluster ? "cluster snapshot" : "DB snapshot");
    Env env;
    const std::string kind = cluster ? "DBClusterSnapshot" : "DBSnapshot";
    env.transport.On(QueryAction("Describe" + kind + "Attributes"),
                     {Attributes(cluster, "snap", {"all", "222222222222"}),
                      Attributes(cluster, "snap", {"all", "222222222222"}),
                      Attributes(cluster, "snap", {"222222222222"})});
    env.transport.On(QueryAction("Modify" + kind + "Attribute"), {Modified(cluster)});
    const RunRecord rec =
        env.RunIt(SnapshotTarget(SnapshotArn(cluster ? "cluster-snapshot" : "snapshot", "snap"),
                                 cluster ? "AwsRdsDbClusterSnapshot" : "AwsRdsDbSnapshot"));
    ASSERT_EQ(rec.outcome, Outcome::kSuccess) << rec.error.ToString();
    ASSERT_EQ(rec.plan->changes.size(), 1U);
    EXPECT_EQ(rec.plan->changes[0].action, "rds:Modify" + kind + "Attribute");
    EXPECT_EQ(rec.plan->changes[0].summary,
              std::string("stop sharing ") + (cluster ? "DB cluster snapshot" : "DB snapshot") +
                  " snap publicly (remove \"all\" from its restore attribute; the 1 account(s) "
                  "it is shared with keep access)");
    const std::vector<std::string> bodies = env.Bodies("Modify" + kind + "Attribute");
    ASSERT_EQ(bodies.size(), 1U);
    EXPECT_NE(bodies[0].find(kind + "Identifier=snap"), std::string::npos) << bodies[0];
    EXPECT_NE(bodies[0].find("AttributeName=restore"), std::string::npos) << bodies[0];
    EXPECT_NE(bodies[0].find("ValuesToRemove.AttributeValue.1=all"), std::string::npos)
        << bodies[0];
    EXPECT_EQ(bodies[0].find("222222222222"), std::string::npos) << bodies[0];
    EXPECT_EQ(rec.applied->before, json({{kind + "Identifier", "snap"}, {"WasPublic", true}}));
  }
}

TEST(RdsTest, PrivateSnapshotIsCompliantWithoutAnyChange) {
  Env env;
  env.transport.On(QueryAction("DescribeDBSnapshotAttributes"),
                   {Attributes(false, "snap", {"222222222222"})});
  const RunRecord rec = env.RunIt(SnapshotTarget(SnapshotArn("snapshot", "snap")));
  EXPECT_EQ(rec.outcome, Outcome::kAlreadyCompliant);
  EXPECT_EQ(env.Ops(), std::vector<std::string>{"DescribeDBSnapshotAttributes"});
}

TEST(RdsTest, ErrorsKeepTheirCodes) {
  struct Case {
    std::string code;
    int status;
    StatusCode want;
    bool retryable;
  };
  for (const Case& c :
       std::vector<Case>{{"DBSnapshotNotFound", 404, StatusCode::kNotFound, false},
                         {"AccessDenied", 403, StatusCode::kPermissionDenied, false},
                         {"Throttling", 400, StatusCode::kThrottled, true}}) {
    SCOPED_TRACE(c.code);
    Env env;
    env.transport.On(QueryAction("DescribeDBSnapshotAttributes"),
                     {QueryError(c.status, c.code, "message")});
    const RunRecord rec = env.RunIt(SnapshotTarget(SnapshotArn("snapshot", "snap")));
    EXPECT_EQ(rec.outcome, Outcome::kFailed);
    EXPECT_EQ(rec.error.code(), c.want);
    EXPECT_EQ(rec.error.retryable(), c.retryable);
  }
}

TEST(RdsTest, UndoAddsAllBackOnlyWhenTheRunRemovedIt) {
  RunRecord record;
  record.remediation_id = "MakeRDSSnapshotPrivate";
  record.target =
      SnapshotTarget(SnapshotArn("cluster-snapshot", "snap"), "AwsRdsDbClusterSnapshot");
  record.resource = {{"SnapshotType", "cluster-snapshot"},
                     {"SnapshotId", "snap"},
                     {"SnapshotArn", record.target.resource_id},
                     {"Region", "us-east-1"}};
  record.outcome = Outcome::kSuccess;
  record.applied =
      Applied{.before = {{"DBClusterSnapshotIdentifier", "snap"}, {"WasPublic", true}}};
  Env env;
  env.transport.On(QueryAction("DescribeDBClusterSnapshotAttributes"),
                   {Attributes(true, "snap", {}), Attributes(true, "snap", {"all"})});
  env.transport.On(QueryAction("ModifyDBClusterSnapshotAttribute"), {Modified(true)});
  Context ctx(env.client, Rem().spec(), env.clock, env.sleeper, env.logger,
              {.region = "us-east-1"});
  Result<RunRecord> undone = UndoRun(Rem(), ctx, record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ASSERT_EQ(undone->undone->size(), 1U);
  ASSERT_EQ(env.Bodies("ModifyDBClusterSnapshotAttribute").size(), 1U);
  EXPECT_NE(
      env.Bodies("ModifyDBClusterSnapshotAttribute")[0].find("ValuesToAdd.AttributeValue.1=all"),
      std::string::npos);
  // Rerun: already public again, nothing to do.
  Context again(env.client, Rem().spec(), env.clock, env.sleeper, env.logger,
                {.region = "us-east-1"});
  undone = UndoRun(Rem(), again, record);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_TRUE(undone->undone->empty());
  EXPECT_EQ(env.Bodies("ModifyDBClusterSnapshotAttribute").size(), 1U);
}

}  // namespace
}  // namespace asr::remediation
