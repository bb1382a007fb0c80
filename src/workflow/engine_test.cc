#include "workflow/engine.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "aws/testing/scripted_transport.h"
#include "backend/ssm.h"
#include "common/strings.h"
#include "remediation/testing/harness.h"
#include "workflow/job.h"

namespace asr::workflow {
namespace {

using nlohmann::json;
using remediation::Change;
using remediation::Plan;

// The state of the fake world: which resources are compliant, and what the remediation did.
struct World {
  std::mutex mu;
  std::set<std::string> compliant;
  int applies = 0;
  bool fail_apply = false;
};

World* g_world = nullptr;

// A remediation that changes the fake world instead of AWS, registered under a real id so that
// routing finds it for Lambda.1.
class FakeRemediation final : public remediation::Remediation {
 public:
  FakeRemediation() {
    spec_.id = "RemoveLambdaPublicAccess";
    spec_.title = "fake";
    spec_.controls = {{.control_id = "Lambda.1"}};
    spec_.resource_type = "AwsLambdaFunction";
    spec_.reversible = remediation::Reversible::kYes;
    spec_.example_resource_id = "arn:aws:lambda:us-east-1:111111111111:function:f";
  }
  [[nodiscard]] const remediation::RemediationSpec& spec() const override { return spec_; }
  [[nodiscard]] Result<json> Resolve(const remediation::Target& t) const override {
    return json{{"function", t.resource_id}};
  }
  Result<Plan> MakePlan(remediation::Context& /*ctx*/,
                        const remediation::Invocation& inv) const override {
    std::lock_guard lock(g_world->mu);
    Plan plan;
    const std::string fn = inv.resource.value("function", "");
    plan.current = {{"function", fn}, {"public", !g_world->compliant.contains(fn)}};
    if (!g_world->compliant.contains(fn)) {
      plan.changes.push_back({.action = "lambda:RemovePermission", .summary = "remove public"});
    }
    return plan;
  }
  Result<remediation::Applied> Apply(remediation::Context& /*ctx*/,
                                     const remediation::Invocation& inv,
                                     const Plan& /*plan*/) const override {
    std::lock_guard lock(g_world->mu);
    if (g_world->fail_apply) {
      return PermissionDeniedError("AccessDenied: not allowed");
    }
    ++g_world->applies;
    g_world->compliant.insert(inv.resource.value("function", ""));
    return remediation::Applied{
        .before = {{"public", true}},
        .changes = {{.action = "lambda:RemovePermission", .summary = "removed public"}}};
  }
  Result<std::vector<Change>> Undo(remediation::Context& /*ctx*/,
                                   const remediation::Invocation& inv,
                                   const json& /*before*/) const override {
    std::lock_guard lock(g_world->mu);
    g_world->compliant.erase(inv.resource.value("function", ""));
    return std::vector<Change>{{.action = "lambda:AddPermission", .summary = "re-added"}};
  }

 private:
  remediation::RemediationSpec spec_;
};

class StaticSessions final : public remediation::MemberSessions {
 public:
  std::unique_ptr<aws::CredentialsProvider> Chain(const std::vector<std::string>& role_arns,
                                                  const std::string& /*external_id*/,
                                                  const std::string& /*session*/) override {
    for (const std::string& arn : role_arns) {
      if (arn.find("999999999999") != std::string::npos) {
        class Denied final : public aws::CredentialsProvider {
         public:
          Result<aws::Credentials> Get() override {
            return PermissionDeniedError("AccessDenied: not authorized to perform sts:AssumeRole");
          }
        };
        return std::make_unique<Denied>();
      }
    }
    return std::make_unique<aws::StaticCredentialsProvider>(
        aws::Credentials{.access_key_id = "AKID", .secret_access_key = "s", .source = "test"});
  }
};

std::string ReadTutorialEvent() {
  std::ifstream in(std::string(ASR_SOURCE_DIR) + "/examples/tutorial/lambda.1-custom-action.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The tutorial event, changed: another event id, detail-type, account or function.
std::string Event(const std::string& id, const std::string& detail_type = "",
                  const std::string& account = "", const std::string& function = "") {
  json e = json::parse(ReadTutorialEvent());
  e["id"] = id;
  if (!detail_type.empty()) {
    e["detail-type"] = detail_type;
  }
  json& f = e["detail"]["findings"][0];
  if (!account.empty()) {
    f["AwsAccountId"] = account;
    std::string rid = f["Resources"][0]["Id"];
    rid.replace(rid.find("222222222222"), 12, account);
    f["Resources"][0]["Id"] = rid;
  }
  if (!function.empty()) {
    std::string rid = f["Resources"][0]["Id"];
    f["Resources"][0]["Id"] = rid.substr(0, rid.rfind(':') + 1) + function;
    f["Id"] = std::string(f["Id"]) + "-" + function;
  }
  return e.dump();
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1'795'000'000))),
        sleeper_(clock_),
        logger_(sink_, clock_, LogLevel::kError),
        creds_(aws::Credentials{.access_key_id = "AKID", .secret_access_key = "s"}),
        client_(transport_, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}}),
        store_(store::NewMemoryStore()),
        metrics_(report::NewAsrMetrics()) {
    registry_.Add(std::make_unique<FakeRemediation>());
    g_world = &world_;
    routing_.playbooks = {"SC"};
  }
  ~EngineTest() override { g_world = nullptr; }

  std::unique_ptr<Engine> Open() {
    EngineOptions options;
    options.instance_id = "test";
    options.home_region = "us-east-1";
    options.report.topic_arn = "arn:aws:sns:us-east-1:111111111111:SO0111-ASR_Topic";
    options.report.alarm_topic_arn = "arn:aws:sns:us-east-1:111111111111:SO0111-ASR_Alarm_Topic";
    options.limits = limits_;
    options.ssm_poll = std::chrono::seconds(2);
    Result<std::unique_ptr<Engine>> e =
        Engine::Open(EngineDeps{.store = *store_,
                                .client = client_,
                                .sessions = sessions_,
                                .registry = registry_,
                                .catalog = catalog::Catalog::Builtin(),
                                .clock = clock_,
                                .sleeper = sleeper_,
                                .logger = logger_,
                                .metrics = *metrics_},
                     routing_, options);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  json Job(Engine& e, const std::string& id) {
    Result<json> j = e.GetJob(id);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? *j : json();
  }

  std::vector<std::string> Reports(const std::string& job_id) {
    std::vector<std::string> out;
    Result<std::vector<store::OutboxItem>> items = store_->OutboxFor(job_id);
    EXPECT_TRUE(items.ok());
    for (const store::OutboxItem& i : *items) {
      out.push_back(i.kind + ":" + i.key);
    }
    return out;
  }

  // Runs scheduler and workers until nothing is left to do now.
  void Drain(Engine& e) {
    for (int i = 0; i < 50; ++i) {
      const size_t started = e.ScheduleOnce();
      bool ran = false;
      while (e.RunOnce()) {
        ran = true;
      }
      if (started == 0 && !ran) {
        clock_.Advance(std::chrono::seconds(3));
        if (e.ScheduleOnce() == 0 && !e.RunOnce()) {
          return;
        }
      }
    }
  }

  const Principal operator_{.name = "alice", .role = Principal::Role::kOperator};
  World world_;
  FakeClock clock_;
  remediation::testing::ClockSleeper sleeper_;
  MemoryLogSink sink_;
  Logger logger_;
  aws::testing::ScriptedTransport transport_;
  aws::StaticCredentialsProvider creds_;
  aws::SystemRandom random_;
  aws::Client client_;
  StaticSessions sessions_;
  remediation::Registry registry_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<report::MetricsRegistry> metrics_;
  routing::RoutingConfig routing_;
  LimitOptions limits_;
};

TEST_F(EngineTest, CustomActionFindingRunsToSuccessWithQueuedAndOutcomeReports) {
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1"), {.source = "http"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->findings.size(), 1u);
  const std::string id = r->findings[0]["job_id"];
  EXPECT_EQ(r->findings[0]["state"], "QUEUED");
  EXPECT_EQ(Job(*e, id)["message"],
            "Remediation queued for SC control Lambda.1 in account 222222222222");
  Drain(*e);
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "SUCCESS") << job.dump(2);
  EXPECT_EQ(world_.applies, 1);
  EXPECT_EQ(Reports(id),
            (std::vector<std::string>{"sns:QUEUED", "sns:outcome", "securityhub:outcome"}));
  std::vector<std::string> kinds;
  for (const json& j : job["journal"]) {
    kinds.push_back(j["kind"]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"admitted", "scheduled", "started", "plan",
                                             "apply_started", "assumed_role", "outcome"}));
  Result<std::vector<store::OutboxItem>> items = store_->OutboxFor(id);
  ASSERT_TRUE(items.ok());
  const json message = json::parse(items->at(1).payload["message"].get<std::string>());
  EXPECT_EQ(message["Remediation_Status"], "SUCCESS");
  EXPECT_EQ(message["Severity"], "INFO");
  EXPECT_EQ(message["StepFunctions_Execution_Id"], id);
  EXPECT_EQ(items->at(2).payload["status"], "RESOLVED");
  EXPECT_EQ(e->ActiveCount(), 0u);
}

TEST_F(EngineTest, AFindingInFlightIsNotStartedTwiceAndARedeliveredEventIsRecognised) {
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> first = e->Submit(Event("ev-1"), {});
  ASSERT_TRUE(first.ok());
  Result<SubmitResult> again = e->Submit(Event("ev-2"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->findings[0]["state"], "IN_FLIGHT");
  EXPECT_EQ(again->findings[0]["job_id"], first->findings[0]["job_id"]);
  Result<SubmitResult> redelivered = e->Submit(Event("ev-1"), {});
  ASSERT_TRUE(redelivered.ok());
  EXPECT_TRUE(redelivered->duplicate);
  EXPECT_EQ(redelivered->event_id, first->event_id);
  Drain(*e);
  EXPECT_EQ(world_.applies, 1);
}

TEST_F(EngineTest, BadInputIsRejectedWithTheReasonAndNothingIsStored) {
  std::unique_ptr<Engine> e = Open();
  for (const std::string& body : {std::string("{"), std::string("[]"),
                                  std::string(R"({"detail-type":"Security Hub Findings - Imported",
                                     "detail":{"findings":[{"Id":"x"}]}})")}) {
    SCOPED_TRACE(body);
    Result<SubmitResult> r = e->Submit(body, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  Result<json> jobs = e->ListJobs({});
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE((*jobs)["jobs"].empty());
}

TEST_F(EngineTest, AutomaticFindingOfAManualControlIsSkippedWithItsReasonAndNotReported) {
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1", "Security Hub Findings - Imported"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "SKIPPED");
  EXPECT_EQ(job["reason"], "CONTROL_MANUAL");
  EXPECT_FALSE(job["message"].get<std::string>().empty());
  EXPECT_TRUE(Reports(id).empty());
  Drain(*e);
  EXPECT_EQ(world_.applies, 0);
}

TEST_F(EngineTest, AutoModeSetAtRunTimeRemediatesImportedFindings) {
  std::unique_ptr<Engine> e = Open();
  ASSERT_TRUE(e->SetControlMode("Lambda.1", "auto", operator_).ok());
  EXPECT_EQ(e->SetControlMode("Lambda.1", "auto", {.name = "v"}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(e->SetControlMode("Nope.1", "auto", operator_).status().code(), StatusCode::kNotFound);
  Result<SubmitResult> r = e->Submit(Event("ev-1", "Security Hub Findings - Imported"), {});
  ASSERT_TRUE(r.ok());
  Drain(*e);
  EXPECT_EQ(Job(*e, r->findings[0]["job_id"])["state"], "SUCCESS");
  // The runtime mode survives a restart.
  e.reset();
  std::unique_ptr<Engine> again = Open();
  Result<json> controls = again->Controls();
  ASSERT_TRUE(controls.ok());
  bool found = false;
  for (const json& c : (*controls)["controls"]) {
    if (c["control"] == "Lambda.1") {
      found = true;
      EXPECT_EQ(c["mode"], "auto");
      EXPECT_EQ(c["source"], "runtime");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(EngineTest, ApprovalGateWaitsWithThePlanThenAppliesOnApproval) {
  routing_.control_modes["Lambda.1"] = routing::ControlMode::kApprove;
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1", "Security Hub Findings - Imported"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  Drain(*e);
  json job = Job(*e, id);
  EXPECT_EQ(job["state"], "AWAITING_APPROVAL");
  EXPECT_EQ(job["plan"]["changes"].size(), 1u);
  EXPECT_EQ(world_.applies, 0);
  EXPECT_EQ(e->Approve(id, {.name = "viewer"}, "").status().code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(e->Approve(id, operator_, "ok").ok());
  EXPECT_EQ(e->Approve(id, operator_, "again").status().code(), StatusCode::kFailedPrecondition);
  Drain(*e);
  job = Job(*e, id);
  EXPECT_EQ(job["state"], "SUCCESS");
  EXPECT_EQ(job["approval"]["by"], "alice");
  EXPECT_EQ(world_.applies, 1);
}

TEST_F(EngineTest, RejectedJobEndsWithoutChangingAnything) {
  routing_.control_modes["Lambda.1"] = routing::ControlMode::kApprove;
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1", "Security Hub Findings - Imported"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  Drain(*e);
  ASSERT_TRUE(e->Reject(id, operator_, "not now").ok());
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "REJECTED");
  EXPECT_EQ(world_.applies, 0);
  EXPECT_EQ(e->ActiveCount(), 0u);
}

TEST_F(EngineTest, AJobWhoseWorkerDiedResumesAfterRestartAndReportsOnce) {
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  ASSERT_EQ(e->ScheduleOnce(), 1u);
  // Simulate a crash mid-run: the job is committed as running, then the process disappears.
  Result<std::optional<store::JobRow>> row = store_->GetJob(id);
  ASSERT_TRUE(row.ok() && row->has_value());
  store::JobRow running = **row;
  running.state = "RUNNING";
  running.lease_owner = "dead-worker";
  running.attempts = 1;
  store::Batch b;
  b.update_jobs.push_back(running);
  ASSERT_TRUE(store_->Commit(b).ok());
  world_.compliant.insert("tutorial-public-fn");  // the dead worker's apply had landed
  e.reset();

  std::unique_ptr<Engine> again = Open();
  Drain(*again);
  const json job = Job(*again, id);
  EXPECT_EQ(job["state"], "SUCCESS") << job.dump(2);
  bool resumed = false;
  for (const json& j : job["journal"]) {
    resumed = resumed || j["kind"] == "resumed";
  }
  EXPECT_TRUE(resumed);
  EXPECT_EQ(Reports(id),
            (std::vector<std::string>{"sns:QUEUED", "sns:outcome", "securityhub:outcome"}));
}

TEST_F(EngineTest, KillSwitchHoldsJobsVisiblyUntilReleased) {
  std::unique_ptr<Engine> e = Open();
  ASSERT_TRUE(e->SetKillSwitch(true, operator_).ok());
  Result<SubmitResult> r = e->Submit(Event("ev-1"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  Drain(*e);
  json job = Job(*e, id);
  EXPECT_EQ(job["state"], "QUEUED");
  EXPECT_EQ(job["hold"], "KILL_SWITCH");
  EXPECT_EQ(world_.applies, 0);
  ASSERT_TRUE(e->SetKillSwitch(false, operator_).ok());
  Drain(*e);
  EXPECT_EQ(Job(*e, id)["state"], "SUCCESS");
}

TEST_F(EngineTest, AssumeRoleFailureIsReportedWithTheReferenceMessage) {
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1", "", "999999999999"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  Drain(*e);
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "ASSUME_ROLE_FAILURE");
  EXPECT_EQ(job["message"],
            "Unable to assume the Orchestrator Member Role (SO0111-ASR-Orchestrator-Member) in "
            "account 999999999999. Please verify that the automated-security-response-member-roles "
            "stack is deployed in the account and the Orchestrator Member Role is valid.");
  Result<std::vector<store::OutboxItem>> items = store_->OutboxFor(id);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ(items->at(2).payload["status"], "NOTIFIED");
}

TEST_F(EngineTest, AssumeRoleFailureRaisesItsAlarmOnceAcrossRestartsAndClearsAfterADay) {
  std::unique_ptr<Engine> e = Open();
  EXPECT_EQ(e->EvaluateAlarmsOnce(), 0u);  // nothing happened yet
  Result<SubmitResult> r = e->Submit(Event("ev-1", "", "999999999999"), {});
  ASSERT_TRUE(r.ok());
  Drain(*e);
  EXPECT_EQ(e->EvaluateAlarmsOnce(), 1u);
  const std::string alarm_job = "alarm:ASR-RunbookAssumeRoleFailure";
  Result<std::vector<store::OutboxItem>> items = store_->OutboxFor(alarm_job);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(items->at(0).payload["topic_arn"],
            "arn:aws:sns:us-east-1:111111111111:SO0111-ASR_Alarm_Topic");
  const json message = json::parse(items->at(0).payload["message"].get<std::string>());
  EXPECT_EQ(message["AlarmName"], "ASR-RunbookAssumeRoleFailure");
  EXPECT_EQ(message["NewStateValue"], "ALARM");
  EXPECT_EQ(message["OldStateValue"], "OK");
  EXPECT_EQ(message["AWSAccountId"], "111111111111");
  bool ok = false;
  EXPECT_EQ(e->Health(ok)["alarms_in_alarm"], json::array({"ASR-RunbookAssumeRoleFailure"}));
  // Still breaching: no second notification, also not after a restart.
  EXPECT_EQ(e->EvaluateAlarmsOnce(), 0u);
  e.reset();
  std::unique_ptr<Engine> again = Open();
  EXPECT_EQ(again->EvaluateAlarmsOnce(), 0u);
  EXPECT_EQ(store_->OutboxFor(alarm_job)->size(), 1u);
  // A day later the failure has left the window: back to OK, silently (alarm actions only).
  clock_.Advance(std::chrono::hours(25));
  EXPECT_EQ(again->EvaluateAlarmsOnce(), 1u);
  EXPECT_EQ(store_->OutboxFor(alarm_job)->size(), 1u);
  EXPECT_EQ(again->Health(ok)["alarms_in_alarm"], json::array());
}

TEST_F(EngineTest, FailuresOpenTheCircuitBreakerForAutomaticJobs) {
  limits_.breaker_min_outcomes = 2;
  limits_.breaker_failure_ratio = 0.5;
  routing_.control_modes["Lambda.1"] = routing::ControlMode::kAuto;
  world_.fail_apply = true;
  std::unique_ptr<Engine> e = Open();
  const std::string imported = "Security Hub Findings - Imported";
  for (const char* fn : {"a", "b"}) {
    Result<SubmitResult> r = e->Submit(Event(std::string("ev-") + fn, imported, "", fn), {});
    ASSERT_TRUE(r.ok());
  }
  Drain(*e);
  Result<SubmitResult> third = e->Submit(Event("ev-c", imported, "", "c"), {});
  ASSERT_TRUE(third.ok());
  Drain(*e);
  const json job = Job(*e, third->findings[0]["job_id"]);
  EXPECT_EQ(job["state"], "QUEUED");
  EXPECT_EQ(job["hold"], "CIRCUIT_OPEN");
  Result<json> failed = e->ListJobs({.state = "FAILED"});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ((*failed)["jobs"].size(), 2u);
}

// ---- the ssm backend ----------------------------------------------------------------------

constexpr const char* kExecutionId = "0a1b2c3d-1111-2222-3333-444455556666";

class SsmEngineTest : public EngineTest {
 protected:
  SsmEngineTest() { routing_.backends["Lambda.1"] = routing::Backend::kSsm; }

  void ScriptRunbook(const std::string& final_status, const std::string& output) {
    transport_.On(aws::testing::JsonTarget("DescribeDocument"),
                  {aws::testing::JsonResponse(
                      200, R"({"Document":{"Name":"ASR-SC_2.0.0_Lambda.1","Status":"Active",)"
                           R"("DocumentType":"Automation"}})")});
    transport_.On(
        aws::testing::JsonTarget("StartAutomationExecution"),
        {aws::testing::JsonResponse(200, json{{"AutomationExecutionId", kExecutionId}}.dump())});
    const auto item = [&](const std::string& status) {
      json meta{{"AutomationExecutionId", kExecutionId}, {"AutomationExecutionStatus", status}};
      if (status != "InProgress") {
        meta["Outputs"] = {{"ParseInput.AffectedObject",
                            {R"({"Type":"AwsLambdaFunction","Id":"tutorial-public-fn"})"}},
                           {"Remediation.Output", {output}}};
      }
      return aws::testing::JsonResponse(
          200, json{{"AutomationExecutionMetadataList", json::array({meta})}}.dump());
    };
    transport_.On(aws::testing::JsonTarget("DescribeAutomationExecutions"),
                  {item("InProgress"), item(final_status)});
  }

  // Submits the tutorial event (id `event_id`), runs the engine until it rests; the job id.
  std::string SubmitAndDrain(Engine& e, const std::string& event_id) {
    Result<SubmitResult> r = e.Submit(Event(event_id), {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Drain(e);
    return r.ok() ? r->findings[0]["job_id"].get<std::string>() : "";
  }

  // The JSON bodies of the requests made for `operation`, in order.
  std::vector<json> Requests(std::string_view operation) {
    std::vector<json> out;
    for (const aws::HttpRequest& r : transport_.requests()) {
      for (const auto& [k, v] : r.headers) {
        if (EqualsIgnoreCase(k, "x-amz-target") && v.ends_with("." + std::string(operation))) {
          out.push_back(json::parse(r.body));
        }
      }
    }
    return out;
  }
  size_t Calls(std::string_view operation) { return Requests(operation).size(); }
  json Body(std::string_view operation) {
    const std::vector<json> all = Requests(operation);
    return all.empty() ? json() : all.front();
  }
};

TEST_F(SsmEngineTest, ControlRunbookIsStartedPolledAndItsOutcomeReported) {
  ScriptRunbook(
      "Success",
      R"({"Payload":{"response":{"message":"Removed public access","status":"Success"}}})");
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1"), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string id = r->findings[0]["job_id"];
  Drain(*e);
  const json job = Job(*e, id);
  ASSERT_EQ(job["state"], "SUCCESS") << job.dump(2);
  EXPECT_EQ(world_.applies, 0);  // the native remediation did not run
  EXPECT_EQ(Calls("StartAutomationExecution"), 1u);
  EXPECT_EQ(Calls("DescribeAutomationExecutions"), 2u);
  const json start = Body("StartAutomationExecution");
  EXPECT_EQ(start["DocumentName"], "ASR-SC_2.0.0_Lambda.1");
  EXPECT_EQ(start["Parameters"]["AutomationAssumeRole"],
            json::array({"arn:aws:iam::222222222222:role/SO0111-ASR-Orchestrator-Member"}));
  const json finding = json::parse(start["Parameters"]["Finding"][0].get<std::string>());
  EXPECT_EQ(finding["Id"], json::parse(Event("ev-1"))["detail"]["findings"][0]["Id"]);
  EXPECT_EQ(start["ClientToken"], backend::ClientTokenFor(id));
  std::vector<std::string> kinds;
  for (const json& j : job["journal"]) {
    if (j["kind"] != "aws_call") {
      kinds.push_back(j["kind"]);
    }
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"admitted", "scheduled", "started", "assumed_role",
                                      "apply_started", "ssm_started", "ssm_status", "outcome"}));
  EXPECT_EQ(Reports(id),
            (std::vector<std::string>{"sns:QUEUED", "sns:outcome", "securityhub:outcome"}));
  Result<std::vector<store::OutboxItem>> items = store_->OutboxFor(id);
  ASSERT_TRUE(items.ok());
  const json message = json::parse(items->at(1).payload["message"].get<std::string>());
  EXPECT_EQ(message["Message"], std::string(kExecutionId) +
                                    ": Remediation succeeded for SC control Lambda.1 in account "
                                    "222222222222: Success (AwsLambdaFunction tutorial-public-fn)");
  EXPECT_EQ(items->at(2).payload["status"], "RESOLVED");
  // A runbook's changes are SSM's: asr cannot undo them.
  Result<json> undo = e->Undo(id, operator_);
  ASSERT_FALSE(undo.ok());
  EXPECT_NE(undo.status().message().find("ssm backend"), std::string::npos);
}

TEST_F(SsmEngineTest, FailedRunbookFlagsTheFinding) {
  ScriptRunbook("Failed", R"({"message":"AccessDenied on lambda:RemovePermission"})");
  std::unique_ptr<Engine> e = Open();
  const std::string id = SubmitAndDrain(*e, "ev-1");
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "FAILED") << job.dump(2);
  EXPECT_EQ(job["message"],
            "Remediation failed for SC control Lambda.1 in account 222222222222: AccessDenied on "
            "lambda:RemovePermission");
  Result<std::vector<store::OutboxItem>> items = store_->OutboxFor(id);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ(items->at(2).payload["status"], "NOTIFIED");
}

TEST_F(SsmEngineTest, MissingRunbookIsNoRunbookAndNothingStarts) {
  transport_.On(aws::testing::JsonTarget("DescribeDocument"),
                {aws::testing::JsonError(400, "InvalidDocument", "not found")});
  std::unique_ptr<Engine> e = Open();
  const std::string id = SubmitAndDrain(*e, "ev-1");
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "NO_RUNBOOK") << job.dump(2);
  EXPECT_EQ(job["message"],
            "ASR runbook for control Lambda.1 in Security Standard SC v2.0.0 could not be found "
            "in account 222222222222 in region us-west-2. Verify that the member stacks are "
            "deployed in this account & region, and that this control is supported by ASR.");
  EXPECT_EQ(Calls("StartAutomationExecution"), 0u);
}

TEST_F(SsmEngineTest, ThrottlingBeforeTheStartIsRetriedWithoutUsingUpAttempts) {
  const aws::HttpResponse throttled =
      aws::testing::JsonError(400, "ThrottlingException", "Rate exceeded");
  transport_.On(aws::testing::JsonTarget("DescribeDocument"),
                {throttled, throttled, throttled, throttled,
                 aws::testing::JsonResponse(
                     200, R"({"Document":{"Name":"ASR-SC_2.0.0_Lambda.1","Status":"Active",)"
                          R"("DocumentType":"Automation"}})")});
  ScriptRunbook("Success", R"({"message":"done"})");
  std::unique_ptr<Engine> e = Open();
  const std::string id = SubmitAndDrain(*e, "ev-1");
  const json job = Job(*e, id);
  EXPECT_EQ(job["state"], "SUCCESS") << job.dump(2);
  size_t retries = 0;
  for (const json& j : job["journal"]) {
    retries += j["kind"] == "ssm_retry" ? 1u : 0u;
  }
  EXPECT_EQ(retries, 4u);
  EXPECT_EQ(Calls("StartAutomationExecution"), 1u);
}

TEST_F(SsmEngineTest, AfterARestartTheJobPollsTheExecutionItStartedInsteadOfStartingAnother) {
  ScriptRunbook("Success", R"({"message":"done"})");
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  ASSERT_EQ(e->ScheduleOnce(), 1u);
  ASSERT_TRUE(e->RunOnce());  // checks and starts the runbook, then rests
  EXPECT_EQ(Job(*e, id)["state"], "RUNNING");
  EXPECT_EQ(Calls("StartAutomationExecution"), 1u);
  e.reset();  // the process stops while the runbook runs

  std::unique_ptr<Engine> again = Open();
  Drain(*again);
  const json job = Job(*again, id);
  EXPECT_EQ(job["state"], "SUCCESS") << job.dump(2);
  EXPECT_EQ(Calls("StartAutomationExecution"), 1u);
  EXPECT_EQ(Reports(id),
            (std::vector<std::string>{"sns:QUEUED", "sns:outcome", "securityhub:outcome"}));
}

TEST_F(SsmEngineTest, ApproveModeWaitsBeforeStartingTheRunbook) {
  ScriptRunbook("Success", R"({"message":"done"})");
  routing_.control_modes["Lambda.1"] = routing::ControlMode::kApprove;
  std::unique_ptr<Engine> e = Open();
  Result<SubmitResult> r = e->Submit(Event("ev-1", "Security Hub Findings - Imported"), {});
  ASSERT_TRUE(r.ok());
  const std::string id = r->findings[0]["job_id"];
  Drain(*e);
  EXPECT_EQ(Job(*e, id)["state"], "AWAITING_APPROVAL");
  EXPECT_EQ(Calls("DescribeDocument"), 0u);
  ASSERT_TRUE(e->Approve(id, operator_, "ok").ok());
  Drain(*e);
  EXPECT_EQ(Job(*e, id)["state"], "SUCCESS");
  EXPECT_EQ(Calls("StartAutomationExecution"), 1u);
}

}  // namespace
}  // namespace asr::workflow
