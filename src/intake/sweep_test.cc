#include "intake/sweep.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "intake/metrics.h"
#include "intake/test_support.h"

namespace asr::intake {
namespace {

using aws::testing::JsonResponse;
using aws::testing::Rest;
using aws::testing::RestJsonError;
using nlohmann::json;
using std::chrono::milliseconds;
using testing::Harness;
using testing::kStart;

constexpr const char* kProduct = "arn:aws:securityhub:eu-central-1::product/aws/securityhub";

json Finding(const std::string& id, const std::string& control = "S3.2",
             const std::string& updated = "2027-01-10T00:00:00.000Z") {
  return {{"SchemaVersion", "2018-10-08"},
          {"Id", id},
          {"ProductArn", kProduct},
          {"GeneratorId", "security-control/" + control},
          {"AwsAccountId", "111111111111"},
          {"Region", "eu-central-1"},
          {"UpdatedAt", updated},
          {"RecordState", "ACTIVE"},
          {"Compliance", {{"Status", "FAILED"}, {"SecurityControlId", control}}},
          {"Workflow", {{"Status", "NEW"}}},
          {"Resources", {{{"Type", "AwsS3Bucket"}, {"Id", "arn:aws:s3:::b"}}}}};
}

aws::HttpResponse Page(const std::vector<json>& findings, const std::string& next = "") {
  json body = {{"Findings", findings}};
  if (!next.empty()) {
    body["NextToken"] = next;
  }
  return JsonResponse(200, body.dump());
}

class SweepTest : public ::testing::Test {
 protected:
  SweepTest() { EXPECT_TRUE(RegisterIntakeMetrics(*h_.metrics).ok()); }

  IntakeDeps Deps() {
    return {.engine = h_.engine,
            .client = h_.client,
            .clock = h_.clock,
            .sleeper = h_.sleeper,
            .random = h_.random,
            .logger = h_.logger,
            .metrics = h_.metrics.get()};
  }
  void Pages(std::vector<Result<aws::HttpResponse>> pages) {
    h_.transport.scripted.On(Rest("POST", "/findings"), std::move(pages));
  }
  std::vector<json> Requests() { return h_.Bodies("/findings"); }
  // The ComplianceSecurityControlId values of each GetFindings request.
  std::vector<std::vector<std::string>> ControlsOfRequests() {
    std::vector<std::vector<std::string>> out;
    for (const json& r : Requests()) {
      std::vector<std::string> ids;
      for (const json& f : r["Filters"]["ComplianceSecurityControlId"]) {
        EXPECT_EQ(f["Comparison"], "EQUALS");
        ids.push_back(f["Value"]);
      }
      out.push_back(ids);
    }
    return out;
  }

  Harness h_;
};

TEST_F(SweepTest, RequestHasTheExactFiltersAndGoesToTheSweepRegion) {
  Pages({Page({})});
  SecurityHubSweep sweep(Deps(), {.region = "eu-central-1", .control_ids = {"S3.2", "EC2.6"}});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();

  const auto requests = h_.transport.scripted.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/findings");
  EXPECT_EQ(requests[0].host, "securityhub.eu-central-1.amazonaws.com");
  const json want = json::parse(R"({
    "Filters": {
      "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
      "ComplianceStatus": [{"Value": "FAILED", "Comparison": "EQUALS"}],
      "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}],
      "ProductArn": [{"Value": "arn:aws:securityhub", "Comparison": "PREFIX"}],
      "ComplianceSecurityControlId": [{"Value": "S3.2", "Comparison": "EQUALS"},
                                      {"Value": "EC2.6", "Comparison": "EQUALS"}]},
    "SortCriteria": [{"Field": "SeverityNormalized", "SortOrder": "desc"}],
    "MaxResults": 100})");
  EXPECT_EQ(json::parse(requests[0].body), want);
  EXPECT_EQ(stats->controls, 2U);
  EXPECT_EQ(stats->requests, 1U);
  EXPECT_EQ(stats->pages, 1U);
  EXPECT_EQ(stats->sweeps, 1U);
}

TEST(SweepFiltersTest, ProductArnPrefixFollowsThePartition) {
  const struct {
    std::string partition;
    std::string want;
  } cases[] = {{"aws", "arn:aws:securityhub"},
               {"aws-cn", "arn:aws-cn:securityhub"},
               {"aws-us-gov", "arn:aws-us-gov:securityhub"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.partition);
    const json filters = SweepFilters(c.partition, {"S3.2"});
    EXPECT_EQ(filters["ProductArn"],
              json::parse(R"([{"Value":")" + c.want + R"(","Comparison":"PREFIX"}])"));
  }
}

TEST_F(SweepTest, UsesThePartitionOfTheRegion) {
  Pages({Page({})});
  SecurityHubSweep sweep(Deps(), {.region = "cn-north-1", .control_ids = {"S3.2"}});
  ASSERT_TRUE(sweep.RunOnce().ok());
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0]["Filters"]["ProductArn"][0]["Value"], "arn:aws-cn:securityhub");
  EXPECT_EQ(h_.transport.scripted.requests()[0].host, "securityhub.cn-north-1.amazonaws.com.cn");
}

TEST_F(SweepTest, ChunksControlIdsByTwenty) {
  Pages({Page({})});
  std::vector<std::string> controls;
  for (int i = 1; i <= 45; ++i) {
    controls.push_back("EC2." + std::to_string(i));
  }
  controls.push_back("EC2.3");  // repeated: swept once
  SecurityHubSweep sweep(Deps(), {.control_ids = controls, .controls_per_request = 50});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok());
  const auto chunks = ControlsOfRequests();
  ASSERT_EQ(chunks.size(), 3U);
  EXPECT_EQ(chunks[0], std::vector<std::string>(controls.begin(), controls.begin() + 20));
  EXPECT_EQ(chunks[1], std::vector<std::string>(controls.begin() + 20, controls.begin() + 40));
  EXPECT_EQ(chunks[2], std::vector<std::string>(controls.begin() + 40, controls.begin() + 45));
  EXPECT_EQ(stats->controls, 45U);
}

TEST_F(SweepTest, FollowsNextTokenWithinEachChunk) {
  Pages({Page({Finding("f-1", "EC2.1")}, "tok-1"), Page({Finding("f-2", "EC2.1")}),
         Page({Finding("f-3", "EC2.2")})});
  SecurityHubSweep sweep(
      Deps(), {.control_ids = {"EC2.1", "EC2.2"}, .controls_per_request = 1, .page_size = 2});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_FALSE(requests[0].contains("NextToken"));
  EXPECT_EQ(requests[1]["NextToken"], "tok-1");
  EXPECT_FALSE(requests[2].contains("NextToken"));  // the next chunk starts from the beginning
  EXPECT_EQ(requests[0]["MaxResults"], 2);
  EXPECT_EQ(ControlsOfRequests(),
            (std::vector<std::vector<std::string>>{{"EC2.1"}, {"EC2.1"}, {"EC2.2"}}));
  EXPECT_EQ(stats->pages, 3U);
  EXPECT_EQ(stats->findings, 3U);
  EXPECT_EQ(stats->submitted, 3U);
}

TEST_F(SweepTest, RateLimitsGetFindingsWithoutRealSleeps) {
  std::vector<Result<aws::HttpResponse>> pages;
  for (int i = 1; i <= 6; ++i) {
    pages.emplace_back(Page({}, "tok-" + std::to_string(i)));
  }
  pages.emplace_back(Page({}));
  Pages(std::move(pages));
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});  // 3/s, burst 3
  ASSERT_TRUE(sweep.RunOnce().ok());
  const auto& times = h_.transport.times;
  ASSERT_EQ(times.size(), 7U);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(times[i], kStart) << i;  // the burst
  }
  for (size_t i = 3; i < times.size(); ++i) {
    const auto gap = times[i] - times[i - 1];
    EXPECT_GE(gap, milliseconds(333)) << i;
    EXPECT_LE(gap, milliseconds(335)) << i;
  }
  // Every wait went through the Sleeper (on the fake clock).
  EXPECT_EQ(h_.sleeper.Total(), std::chrono::duration_cast<milliseconds>(times[6] - kStart));
}

TEST_F(SweepTest, WrapsEachFindingAsAnImportedEventWithAVersionedExternalId) {
  const json finding = Finding(
      "arn:aws:securityhub:eu-central-1:111111111111:security-control/"
      "S3.2/finding/abc");
  Pages({Page({finding})});
  SecurityHubSweep sweep(Deps(), {.region = "eu-central-1", .control_ids = {"S3.2"}});
  ASSERT_TRUE(sweep.RunOnce().ok());
  const auto calls = h_.engine.calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].options.source, "sweep");
  EXPECT_EQ(calls[0].options.external_id,
            finding["Id"].get<std::string>() + "@2027-01-10T00:00:00.000Z");
  EXPECT_EQ(calls[0].options.principal.name, "sweep");
  EXPECT_EQ(calls[0].options.principal.role, workflow::Principal::Role::kIntake);

  json event = json::parse(calls[0].body);
  const std::string id = event["id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                              "[0-9a-f]{12}")))
      << id;
  event.erase("id");
  const json want = {{"version", "0"},
                     {"detail-type", "Security Hub Findings - Imported"},
                     {"source", "aws.securityhub"},
                     {"account", "111111111111"},
                     {"region", "eu-central-1"},
                     {"time", "2027-01-15T08:00:00Z"},
                     {"resources", {finding["Id"]}},
                     {"detail", {{"findings", {finding}}}}};
  EXPECT_EQ(event, want);
}

TEST(ImportedEventTest, IdIsStablePerExternalIdAndRegionFallsBack) {
  json finding = Finding("f-1");
  finding.erase("Region");
  const json a = ImportedEvent(finding, "us-west-2", "f-1@t1", kStart);
  const json b = ImportedEvent(finding, "us-west-2", "f-1@t1", kStart + std::chrono::hours(1));
  const json c = ImportedEvent(finding, "us-west-2", "f-1@t2", kStart);
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_NE(a["id"], c["id"]);
  EXPECT_EQ(a["region"], "us-west-2");
  EXPECT_EQ(b["time"], "2027-01-15T09:00:00Z");
  EXPECT_EQ(SweepExternalId(finding), "f-1@2027-01-10T00:00:00.000Z");
}

TEST_F(SweepTest, UnchangedFindingIsADuplicateNextSweepAndAnUpdatedOneIsNew) {
  Pages({Page({Finding("f-1"), Finding("f-2")}), Page({Finding("f-1"), Finding("f-2")}),
         Page({Finding("f-1"), Finding("f-2", "S3.2", "2027-01-12T00:00:00.000Z")})});
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});
  const Result<SweepStats> first = sweep.RunOnce();
  const Result<SweepStats> second = sweep.RunOnce();
  const Result<SweepStats> third = sweep.RunOnce();
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_EQ(first->submitted, 2U);
  EXPECT_EQ(second->submitted, 0U);
  EXPECT_EQ(second->duplicates, 2U);
  EXPECT_EQ(third->submitted, 1U);
  EXPECT_EQ(third->duplicates, 1U);
  EXPECT_EQ(sweep.stats().sweeps, 3U);
  EXPECT_EQ(sweep.stats().submitted, 3U);
  EXPECT_EQ(h_.metrics->Value(kSweepFindingsTotal, {"duplicate"}), 3);
  EXPECT_EQ(h_.metrics->Value(kSweepsTotal, {"ok"}), 3);
}

TEST_F(SweepTest, ChecksFindingsClientSideForServersThatIgnoreFilters) {
  json archived = Finding("f-archived");
  archived["RecordState"] = "ARCHIVED";
  json passed = Finding("f-passed");
  passed["Compliance"]["Status"] = "PASSED";
  json notified = Finding("f-notified");
  notified["Workflow"]["Status"] = "NOTIFIED";
  json no_workflow = Finding("f-no-workflow");
  no_workflow.erase("Workflow");
  json no_id = Finding("");
  no_id.erase("Id");
  Pages({Page({archived, passed, notified, no_workflow, Finding("f-other", "EC2.6"), no_id,
               Finding("f-ok"), Finding("f-ok")})});
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->findings, 8U);
  EXPECT_EQ(stats->filtered, 7U);
  EXPECT_EQ(stats->submitted, 1U);
  const auto calls = h_.engine.calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(json::parse(calls[0].body)["resources"][0], "f-ok");
}

TEST_F(SweepTest, StopsAtMaxFindings) {
  Pages({Page({Finding("f-1"), Finding("f-2")}, "tok-1"),
         Page({Finding("f-3"), Finding("f-4")}, "tok-2"), Page({Finding("f-5")})});
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}, .max_findings = 3});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->capped);
  EXPECT_EQ(stats->findings, 3U);
  EXPECT_EQ(stats->submitted, 3U);
  EXPECT_EQ(stats->requests, 2U);
  EXPECT_EQ(h_.metrics->Value(kSweepsTotal, {"capped"}), 1);
  EXPECT_TRUE(h_.Logged("max_findings"));
}

TEST_F(SweepTest, CapIsCheckedBeforeTheNextPage) {
  Pages({Page({Finding("f-1"), Finding("f-2")}, "tok-1"), Page({Finding("f-3")})});
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}, .max_findings = 2});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->capped);
  EXPECT_EQ(stats->requests, 1U);
}

TEST_F(SweepTest, WithoutControlIdsSweepsTheEnginesAutoAndApproveControls) {
  h_.engine.controls = json::parse(R"({"default_mode":"manual","kill_switch":false,"controls":[
    {"playbook":"SC","control":"S3.2","security_control":"S3.2","mode":"auto"},
    {"playbook":"AFSBP","control":"S3.2","security_control":"S3.2","mode":"auto"},
    {"playbook":"SC","control":"EC2.6","security_control":"EC2.6","mode":"approve"},
    {"playbook":"SC","control":"IAM.1","security_control":"IAM.1","mode":"manual"},
    {"playbook":"SC","control":"KMS.4","security_control":"KMS.4","mode":"off"},
    {"playbook":"CIS","control":"2.1.1","security_control":"S3.5","mode":"auto"},
    {"playbook":"X","control":"Lambda.1","security_control":"","mode":"auto"}]})");
  Pages({Page({})});
  SecurityHubSweep sweep(Deps(), {});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(ControlsOfRequests(),
            (std::vector<std::vector<std::string>>{{"EC2.6", "Lambda.1", "S3.2", "S3.5"}}));
}

TEST_F(SweepTest, EngineControlsWithKillSwitchOrNoneInAutoMeanNoCalls) {
  const struct {
    std::string name;
    json controls;
  } cases[] = {
      {"kill switch", json::parse(R"({"kill_switch":true,"controls":[
         {"control":"S3.2","security_control":"S3.2","mode":"auto"}]})")},
      {"all manual", json::parse(R"({"kill_switch":false,"controls":[
         {"control":"S3.2","security_control":"S3.2","mode":"manual"}]})")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h;
    h.engine.controls = c.controls;
    SecurityHubSweep sweep({.engine = h.engine,
                            .client = h.client,
                            .clock = h.clock,
                            .sleeper = h.sleeper,
                            .random = h.random,
                            .logger = h.logger},
                           {});
    const Result<SweepStats> stats = sweep.RunOnce();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->controls, 0U);
    EXPECT_TRUE(h.transport.scripted.requests().empty());
  }
}

TEST_F(SweepTest, EngineControlsErrorFailsTheSweep) {
  h_.engine.controls_error = UnavailableError("engine starting");
  SecurityHubSweep sweep(Deps(), {});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(h_.transport.scripted.requests().empty());
}

TEST_F(SweepTest, GetFindingsErrorFailsTheSweepWithContext) {
  Pages({Page({Finding("f-1")}, "tok-1"),
         RestJsonError(403, "AccessDeniedException", "not allowed")});
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2", "S3.5"}});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().aws_error_code(), "AccessDeniedException");
  EXPECT_NE(stats.status().message().find("GetFindings (controls S3.2..S3.5)"), std::string::npos)
      << stats.status().ToString();
  EXPECT_EQ(sweep.stats().submitted, 1U);  // work before the error is kept
  EXPECT_EQ(sweep.stats().requests, 2U);
  EXPECT_EQ(h_.metrics->Value(kSweepsTotal, {"error"}), 1);
}

TEST_F(SweepTest, BadFindingIsSkippedButEngineTroubleAbortsTheSweep) {
  Pages({Page({Finding("f-bad"), Finding("f-ok"), Finding("f-down"), Finding("f-never")})});
  h_.engine.script["f-bad@2027-01-10T00:00:00.000Z"] = InvalidArgumentError("no AwsAccountId");
  h_.engine.script["f-down@2027-01-10T00:00:00.000Z"] = UnavailableError("store down");
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});
  const Result<SweepStats> stats = sweep.RunOnce();
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(stats.status().message().find("f-down"), std::string::npos);
  EXPECT_EQ(h_.engine.calls().size(), 3U);  // f-never was not submitted
  EXPECT_EQ(sweep.stats().errors, 2U);
  EXPECT_EQ(sweep.stats().submitted, 1U);
  EXPECT_TRUE(h_.Logged("\"finding_id\":\"f-bad\""));
}

TEST_F(SweepTest, StopFlagEndsTheSweepBeforeTheNextCall) {
  Pages({Page({Finding("f-1")}, "tok-1"), Page({Finding("f-2")})});
  std::atomic<bool> stop{false};
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) { stop = true; };
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});
  const Result<SweepStats> stats = sweep.RunOnce(stop);
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->stopped);
  EXPECT_EQ(stats->requests, 1U);
  EXPECT_EQ(h_.metrics->Value(kSweepsTotal, {"stopped"}), 1);
}

TEST_F(SweepTest, RunSweepsAtStartThenEveryInterval) {
  Pages({Page({Finding("f-1")})});
  std::atomic<bool> stop{false};
  int submits = 0;
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) {
    if (++submits == 2) {
      stop = true;
    }
  };
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}, .interval = std::chrono::hours(1)});
  sweep.Run(stop);
  ASSERT_EQ(h_.transport.times.size(), 2U);
  EXPECT_EQ(h_.transport.times[0], kStart);
  EXPECT_EQ(h_.transport.times[1], kStart + std::chrono::hours(1));
  for (const milliseconds slice : h_.sleeper.sleeps) {
    ASSERT_LE(slice, milliseconds(1000));  // stop is checked at least every second
  }
  EXPECT_EQ(sweep.stats().sweeps, 2U);
  EXPECT_EQ(sweep.stats().duplicates, 1U);
  EXPECT_TRUE(h_.Logged("sweep finished"));
  EXPECT_EQ(h_.metrics->Value(kSweepLastSuccessSeconds, {}),
            static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                    (kStart + std::chrono::hours(1)).time_since_epoch())
                                    .count()));
}

TEST_F(SweepTest, RunCanWaitOneIntervalBeforeTheFirstSweep) {
  Pages({Page({Finding("f-1")})});
  std::atomic<bool> stop{false};
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) { stop = true; };
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"},
                                  .interval = std::chrono::minutes(10),
                                  .first_sweep = FirstSweep::kAfterInterval});
  sweep.Run(stop);
  ASSERT_EQ(h_.transport.times.size(), 1U);
  EXPECT_EQ(h_.transport.times[0], kStart + std::chrono::minutes(10));
}

TEST_F(SweepTest, RunRetriesAFailedSweepWithBackoff) {
  Pages({RestJsonError(500, "InternalException", "oops"), Page({Finding("f-1")})});
  std::atomic<bool> stop{false};
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) { stop = true; };
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});
  sweep.Run(stop);
  ASSERT_EQ(h_.transport.times.size(), 2U);
  // FailurePause(1 min, 1 h, 1) with Uniform() = 0.5: 45 s.
  EXPECT_EQ(h_.transport.times[1] - h_.transport.times[0], std::chrono::seconds(45));
  EXPECT_TRUE(h_.Logged("sweep failed"));
}

TEST_F(SweepTest, RunReturnsAtOnceWhenStopIsSet) {
  std::atomic<bool> stop{true};
  SecurityHubSweep sweep(Deps(), {.control_ids = {"S3.2"}});
  sweep.Run(stop);
  EXPECT_TRUE(h_.transport.scripted.requests().empty());
}

TEST(ValidateSweepOptionsTest, NamesTheBadField) {
  const struct {
    std::string name;
    SweepOptions options;
    std::string want;
  } cases[] = {
      {"defaults", {}, ""},
      {"empty control id", {.control_ids = {"S3.2", ""}}, "sweep.control_ids[1]"},
      {"page size", {.page_size = 0}, "sweep.page_size"},
      {"rate", {.requests_per_second = 0}, "sweep.requests_per_second"},
      {"burst", {.burst = 0.5}, "sweep.burst"},
      {"interval", {.interval = std::chrono::seconds(10)}, "sweep.interval"},
      {"retry",
       {.retry_base = std::chrono::minutes(5), .retry_max = std::chrono::minutes(1)},
       "sweep.retry_max"},
      {"principal", {.principal = ""}, "sweep.principal"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = ValidateSweepOptions(c.options);
    if (c.want.empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
    }
  }
}

}  // namespace
}  // namespace asr::intake
