// The ssm backend in the durable job (DESIGN.md §3 "Two execution backends"; spec §b.2–b.4):
// assume the member role → DescribeDocument → [approval] → StartAutomationExecution (idempotent
// through a ClientToken derived from the job id) → poll DescribeAutomationExecutions every
// `ssm_poll` until the execution ends → outcome. Between polls the job rests (state RUNNING, its
// limits still held) and no worker waits on it; after a crash the job resumes polling the
// execution it started instead of starting a second one.
#include <algorithm>
#include <chrono>

#include "backend/ssm.h"
#include "common/strings.h"
#include "remediation/context.h"
#include "remediation/roles.h"
#include "remediation/sessions.h"
#include "report/notification.h"
#include "workflow/engine.h"
#include "workflow/engine_internal.h"
#include "workflow/job.h"

namespace asr::workflow {

using nlohmann::json;

namespace {

// Errors worth another try later rather than an outcome.
bool Transient(const Status& s) {
  return s.retryable() || s.code() == StatusCode::kThrottled ||
         s.code() == StatusCode::kUnavailable;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += out.empty() ? "" : "\n";
    out += l;
  }
  return out;
}

}  // namespace

void Engine::RetrySsmLater(store::JobRow job, const std::string& what, const Status& error,
                           store::Batch batch) {
  // A throttled or unavailable SSM is not the job's fault: this attempt does not count toward
  // max_attempts, and the job says why it waits.
  const store::Millis now = NowMs();
  job.attempts = std::max(0, job.attempts - 1);
  job.not_before = now + options_.ssm_poll.count();
  job.updated_at = now;
  job.message = what + " (" + error.message() + "); retrying in " +
                std::to_string(options_.ssm_poll.count() / 1000) + " s";
  batch.journal.push_back({.job_id = job.id,
                           .at = now,
                           .kind = "ssm_retry",
                           .detail = {{"what", what}, {"error", error.ToString()}}});
  batch.update_jobs.push_back(job);
  deps_.logger.Warn("ssm backend: will retry", {{"job_id", job.id}, {"error", error.ToString()}});
  if (const Status s = CommitJobs(batch); !s.ok()) {
    deps_.logger.Error("ssm retry not committed", {{"job_id", job.id}, {"error", s.ToString()}});
  }
  RetryLater(job.id, options_.ssm_poll);
}

void Engine::ExecuteSsm(store::JobRow job, const routing::Route& route) {
  const std::string& document = route.control_runbook;
  const auto failed = [&](const std::string& detail) {
    JobOutcome o = FailedOutcome(
        report::FailedMessage(route.short_name, route.control_id, job.account_id, detail));
    o.detail = detail;
    return o;
  };
  if (route.approval == routing::ApprovalGate::kRequired &&
      !job.data.value("approval", json()).is_object()) {
    // The runbook decides inside SSM, so a person approves starting it.
    const json planned = {
        {"backend", "ssm"},
        {"runbook", document},
        {"changes",
         json::array({{{"summary", "start the control runbook " + document + " in account " +
                                       route.account_id + " " + route.region}}})}};
    AwaitApproval(std::move(job), planned, "approval required (control mode approve)", {});
    return;
  }

  const std::string session = remediation::SessionNameFor(job.id);
  const std::vector<std::string> chain =
      remediation::RoleChain(options_.roles, route.partition, route.account_id, "");
  std::unique_ptr<aws::CredentialsProvider> creds =
      deps_.sessions.Chain(chain, options_.roles.external_id, session);
  const store::Millis assume_started = NowMs();
  if (Result<aws::Credentials> c = creds->Get(); !c.ok()) {
    Finish(job, AssumeRoleFailure(route.account_id, c.status()), {});
    return;
  }
  store::Batch batch;
  batch.journal.push_back({.job_id = job.id,
                           .at = assume_started,
                           .kind = "assumed_role",
                           .detail = {{"roles", chain}, {"latency_ms", NowMs() - assume_started}}});

  std::vector<remediation::CallRecord> calls;
  remediation::CallRecorder check_recorder(calls, "plan");
  const aws::CallOptions check_call{
      .region = route.region, .credentials = creds.get(), .observer = &check_recorder};
  Result<backend::RunbookCheck> check =
      backend::CheckRunbook(deps_.client, route.region, document, check_call);
  AppendCallJournal(job.id, NowMs(), calls, batch.journal);
  calls.clear();
  if (!check.ok()) {
    if (Transient(check.status())) {
      RetrySsmLater(std::move(job), "the control runbook could not be checked", check.status(),
                    std::move(batch));
      return;
    }
    JobOutcome o =
        FailedOutcome("check_ssm_doc_state returned an error: " + check.status().message());
    o.reason = "RUNBOOK_CHECK_FAILED";
    o.detail = check.status().ToString();
    Finish(job, o, std::move(batch));
    return;
  }
  switch (check->state) {
    case backend::RunbookState::kActive:
      break;
    case backend::RunbookState::kNotFound: {
      JobOutcome o;
      o.state = std::string(kStateNoRunbook);
      o.reason = "NO_RUNBOOK";
      o.message = report::NoRunbookMessage(route.control_id, route.short_name, route.version,
                                           route.account_id, route.region);
      o.detail = check->message;
      o.finding_update = report::FindingUpdateKind::kFlag;
      Finish(job, o, std::move(batch));
      return;
    }
    case backend::RunbookState::kAccessDenied:
      Finish(job, AssumeRoleFailure(route.account_id, PermissionDeniedError(check->message)),
             std::move(batch));
      return;
    case backend::RunbookState::kNotActive: {
      JobOutcome o;
      o.state = std::string(kStateRunbookNotActive);
      o.reason = "RUNBOOK_NOT_ACTIVE";
      o.message =
          report::RunbookNotActiveMessage(document, check->document_status, route.account_id);
      o.detail = check->message;
      o.failed = true;
      o.finding_update = report::FindingUpdateKind::kFlag;
      Finish(job, o, std::move(batch));
      return;
    }
  }

  // Journal the intent before anything can change in the member account.
  const std::string role_arn = backend::AutomationRoleArn(route.partition, route.account_id,
                                                          options_.roles.member_role_name);
  batch.journal.push_back(
      {.job_id = job.id,
       .at = NowMs(),
       .kind = "apply_started",
       .detail = {
           {"backend", "ssm"}, {"runbook", document}, {"automation_assume_role", role_arn}}});
  if (const Status s = deps_.store.Commit(batch); !s.ok()) {
    deps_.logger.Warn("journal unavailable; control runbook not started",
                      {{"job_id", job.id}, {"error", s.ToString()}});
    RetryLater(job.id, std::chrono::seconds(5));
    return;
  }
  batch = store::Batch();

  remediation::CallRecorder start_recorder(calls, "apply");
  const aws::CallOptions start_call{
      .region = route.region, .credentials = creds.get(), .observer = &start_recorder};
  Result<std::string> execution =
      backend::StartRunbook(deps_.client,
                            {.region = route.region,
                             .document = document,
                             .finding = job.data.value("finding", json::object()),
                             .automation_role_arn = role_arn,
                             .client_token = backend::ClientTokenFor(job.id)},
                            start_call);
  AppendCallJournal(job.id, NowMs(), calls, batch.journal);
  if (!execution.ok()) {
    if (Transient(execution.status())) {
      RetrySsmLater(std::move(job), "the control runbook could not be started", execution.status(),
                    std::move(batch));
      return;
    }
    JobOutcome o =
        failed("ssm:StartAutomationExecution " + document + ": " + execution.status().message());
    o.reason = "RUNBOOK_START_FAILED";
    Finish(job, o, std::move(batch));
    return;
  }
  Failpoint(options_.failpoint, "apply");
  const store::Millis now = NowMs();
  job.data["ssm"] = {{"execution_id", *execution},  {"document", document},
                     {"account", route.account_id}, {"region", route.region},
                     {"started_at", now},           {"status", "Pending"}};
  // The reference's execAutomation message.
  job.message = *execution + ": " + route.control_id +
                " remediation was successfully invoked via AWS Systems Manager in account " +
                route.account_id + " " + route.region;
  job.not_before = now + options_.ssm_poll.count();
  job.lease_owner.clear();
  job.lease_until = 0;
  job.updated_at = now;
  batch.journal.push_back({.job_id = job.id,
                           .at = now,
                           .kind = "ssm_started",
                           .detail = {{"execution_id", *execution}, {"runbook", document}}});
  batch.update_jobs.push_back(job);
  if (const Status s = CommitJobs(batch); !s.ok()) {
    // The ClientToken makes the next start return this same execution.
    deps_.logger.Error("control runbook start not committed; will retry",
                       {{"job_id", job.id}, {"error", s.ToString()}});
    RetryLater(job.id, std::chrono::seconds(5));
    return;
  }
  std::lock_guard lock(mu_);
  busy_.erase(job.id);
  cv_.notify_all();
}

void Engine::PollSsm(store::JobRow job) {
  const json ssm = job.data.value("ssm", json::object());
  const std::string execution_id = ssm.value("execution_id", "");
  const std::string region = ssm.value("region", job.region);
  Result<routing::Route> route = RouteFromJson(job.data.value("route", json()));
  if (!route.ok()) {
    Finish(job, FailedOutcome("the job's stored data is unusable: " + route.status().message()),
           {});
    return;
  }
  const store::Millis now = NowMs();
  const store::Millis started = ssm.value("started_at", now);

  std::unique_ptr<aws::CredentialsProvider> creds = deps_.sessions.Chain(
      remediation::RoleChain(options_.roles, route->partition, route->account_id, ""),
      options_.roles.external_id, remediation::SessionNameFor(job.id));
  std::vector<remediation::CallRecord> calls;
  remediation::CallRecorder recorder(calls, "verify");
  Result<backend::ExecutionResult> result =
      backend::PollRunbook(deps_.client, region, execution_id,
                           {.region = region, .credentials = creds.get(), .observer = &recorder});
  store::Batch batch;
  if (result.ok() && result->terminal) {
    AppendCallJournal(job.id, NowMs(), calls, batch.journal);
    job.data["ssm"]["status"] = result->ssm_status;
    JobOutcome o;
    o.execution_id = execution_id;
    o.affected_object = result->affected_object;
    o.remediation_output = result->remediation_output;
    o.detail = JoinLines(result->log_lines);
    if (result->succeeded) {
      o.state = std::string(kStateSuccess);
      o.reason = "RUNBOOK_SUCCEEDED";
      o.message = report::SucceededMessage(route->short_name, route->control_id, route->account_id,
                                           result->message);
      o.finding_update = report::FindingUpdateKind::kResolve;
    } else {
      o.state = backend::OutcomeState(*result);
      o.reason = "RUNBOOK_" + o.state;
      o.message = report::FailedMessage(route->short_name, route->control_id, route->account_id,
                                        result->message);
      o.failed = true;
      o.finding_update = report::FindingUpdateKind::kFlag;
    }
    Finish(job, o, std::move(batch));
    return;
  }
  if (now - started >= options_.ssm_timeout.count()) {
    JobOutcome o = FailedOutcome(
        report::FailedMessage(route->short_name, route->control_id, route->account_id,
                              "the control runbook did not finish within " +
                                  std::to_string(options_.ssm_timeout.count() / 60000) +
                                  " minutes; asr stopped waiting (the SSM execution " +
                                  execution_id + " may still be running)"));
    o.execution_id = execution_id;
    o.reason = "RUNBOOK_WAIT_TIMED_OUT";
    AppendCallJournal(job.id, NowMs(), calls, batch.journal);
    Finish(job, o, std::move(batch));
    return;
  }
  // Still running, or the check failed (journaled; the next poll tries again). Only changes are
  // journaled, so a runbook that runs for hours does not flood the journal.
  const std::string status = result.ok() ? result->ssm_status : "";
  if (!result.ok()) {
    AppendCallJournal(job.id, NowMs(), calls, batch.journal);
    batch.journal.push_back({.job_id = job.id,
                             .at = now,
                             .kind = "ssm_poll_failed",
                             .detail = {{"error", result.status().ToString()}}});
  } else if (status != ssm.value("status", "")) {
    batch.journal.push_back({.job_id = job.id,
                             .at = now,
                             .kind = "ssm_status",
                             .detail = {{"execution_id", execution_id}, {"status", status}}});
    job.data["ssm"]["status"] = status;
  }
  job.not_before = now + options_.ssm_poll.count();
  job.updated_at = now;
  job.message =
      execution_id + ": control runbook " + ssm.value("document", "") + " " +
      (result.ok() ? "is " + status : "could not be checked: " + result.status().message()) +
      "; next check in " + std::to_string(options_.ssm_poll.count() / 1000) + " s";
  batch.update_jobs.push_back(job);
  if (const Status s = CommitJobs(batch); !s.ok()) {
    deps_.logger.Error("ssm poll not committed", {{"job_id", job.id}, {"error", s.ToString()}});
    RetryLater(job.id, options_.ssm_poll);
    return;
  }
  std::lock_guard lock(mu_);
  busy_.erase(job.id);
  cv_.notify_all();
}

}  // namespace asr::workflow
