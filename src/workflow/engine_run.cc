// Running one job: assume role → plan → [approval] → apply → verify → outcome, and the reports
// each outcome produces (through the outbox, in the same commit as the outcome).
#include <sstream>

#include "common/strings.h"
#include "remediation/params.h"
#include "remediation/runner.h"
#include "report/finding_update.h"
#include "report/log_stream.h"
#include "report/notification.h"
#include "report/outbox.h"
#include "workflow/engine.h"
#include "workflow/engine_internal.h"
#include "workflow/job.h"

namespace asr::workflow {

using nlohmann::json;

namespace {

// The text after "...in account <id>: " of SUCCESS/FAILED messages (the reference puts the
// runbook's own message there).
std::string ChangesSummary(const remediation::RunRecord& rec) {
  if (rec.outcome == remediation::Outcome::kAlreadyCompliant) {
    return "already compliant; nothing was changed";
  }
  std::string out;
  const std::vector<remediation::Change>* changes = nullptr;
  if (rec.applied) {
    changes = &rec.applied->changes;
  } else if (rec.plan) {
    changes = &rec.plan->changes;
  }
  if (changes != nullptr) {
    for (const remediation::Change& c : *changes) {
      out += out.empty() ? "" : "; ";
      out += c.summary;
    }
  }
  if (out.empty()) {
    out = "changed";
  }
  return out + " (verified)";
}

}  // namespace

void Engine::AddReports(const store::JobRow& job, const JobOutcome& outcome, store::Batch& batch) {
  const json& raw = job.data.contains("finding") ? job.data["finding"] : json::object();
  Result<finding::Finding> parsed = finding::ParseFinding(raw.dump());
  report::NotificationFacts facts;
  facts.state = outcome.state;
  facts.message = outcome.message;
  facts.remediation_output = outcome.remediation_output;
  facts.affected_object = outcome.affected_object;
  facts.execution_id = outcome.execution_id;
  facts.job_id = job.id;
  facts.region = options_.home_region;
  facts.partition = options_.partition;
  facts.account_alias = AccountAlias(job.account_id);
  if (parsed.ok()) {
    report::FillFindingFacts(*parsed, facts);
  } else {
    facts.finding_arn = job.finding_id;
    facts.account = job.account_id;
  }
  if (!options_.report.topic_arn.empty()) {
    std::string text = report::SnsMessageText(facts);
    batch.outbox_add.push_back(
        {.job_id = job.id,
         .kind = std::string(report::kOutboxKindSns),
         .key = outcome.report_key,
         .payload = report::SnsOutboxPayload(options_.report.topic_arn,
                                             TopicRegion(options_.report.topic_arn), text),
         .created_at = NowMs()});
  }
  if (options_.report.update_findings && outcome.finding_update && parsed.ok() &&
      !parsed->product_arn.empty()) {
    const report::FindingUpdate update{.region = options_.report.securityhub_region.empty()
                                                     ? options_.home_region
                                                     : options_.report.securityhub_region,
                                       .finding_id = parsed->id,
                                       .product_arn = parsed->product_arn,
                                       .message = outcome.message,
                                       .kind = *outcome.finding_update};
    batch.outbox_add.push_back({.job_id = job.id,
                                .kind = std::string(report::kOutboxKindSecurityHub),
                                .key = outcome.report_key,
                                .payload = report::SecurityHubOutboxPayload(update),
                                .created_at = NowMs()});
  }
  if (deps_.cloudwatch_metrics != nullptr) {
    const json event = job.data.value("event", json::object());
    deps_.cloudwatch_metrics->Record(outcome.state, job.control_id, event.value("action_name", ""));
    if (outcome.state == kStateAssumeRoleFailure) {
      deps_.cloudwatch_metrics->RecordAssumeRoleFailure();
    }
  }
  if (finding_log_ != nullptr || deps_.cloudwatch_logs != nullptr) {
    const json route = job.data.value("route", json::object());
    report::FindingLogEntry entry{
        .stream =
            report::LogStreamName(route.value("short_name", ""), job.control_id, deps_.clock.Now()),
        .level = report::NotificationSeverity(outcome.state) == "INFO"
                     ? report::FindingLogLevel::kInfo
                     : report::FindingLogLevel::kError,
        .message = outcome.message,
        .job_id = job.id,
        .fields = {{"state", outcome.state},
                   {"finding_id", job.finding_id},
                   {"control", job.control_id},
                   {"account", job.account_id},
                   {"region", job.region}}};
    if (!outcome.detail.empty()) {
      entry.details.push_back(outcome.detail);
    }
    if (finding_log_ != nullptr) {
      finding_log_->Write(entry);
    }
    if (deps_.cloudwatch_logs != nullptr) {
      deps_.cloudwatch_logs->Add(entry.stream, entry.level, entry.message, entry.details,
                                 deps_.clock.Now());
    }
  }
}

void Engine::Finish(store::JobRow job, const JobOutcome& outcome, store::Batch batch) {
  const store::Millis now = NowMs();
  const bool was_running = job.step == kStepRun;
  job.step = std::string(kStepDone);
  job.state = outcome.state;
  job.terminal = true;
  job.reason = outcome.reason;
  job.message = outcome.message;
  job.hold.clear();
  job.lease_owner.clear();
  job.lease_until = 0;
  job.finished_at = now;
  job.updated_at = now;
  job.data["outcome"] = {{"state", outcome.state},
                         {"message", outcome.message},
                         {"reason", outcome.reason},
                         {"detail", outcome.detail},
                         {"failed", outcome.failed}};
  batch.journal.push_back(
      {.job_id = job.id, .at = now, .kind = "outcome", .detail = job.data["outcome"]});
  AddReports(job, outcome, batch);
  batch.update_jobs.push_back(job);
  const Status committed = CommitJobs(batch);
  if (!committed.ok()) {
    // The job stays where it was; the scheduler retries it (Apply is idempotent).
    deps_.logger.Error("job outcome not committed; will retry",
                       {{"job_id", job.id}, {"error", committed.ToString()}});
    std::lock_guard lock(mu_);
    busy_.erase(job.id);
    return;
  }
  Failpoint(options_.failpoint, "outcome");
  NoteOutcome(job, outcome.state);
  const std::string control = job.control_id.empty() ? "unknown" : job.control_id;
  deps_.metrics.Increment(report::kRemediationOutcomesTotal, {control, outcome.state});
  if (outcome.state == kStateAssumeRoleFailure) {
    deps_.metrics.Increment(report::kAssumeRoleFailuresTotal, {});
  }
  if (outcome.state == kStateNoRunbook) {
    deps_.metrics.Increment(report::kNoRunbookTotal, {});
  }
  if (job.received_at > 0) {
    deps_.metrics.Observe(report::kFindingToOutcomeSeconds, {control},
                          static_cast<double>(now - job.received_at) / 1000.0);
  }
  deps_.logger.Info("job finished", {{"job_id", job.id},
                                     {"state", outcome.state},
                                     {"control", job.control_id},
                                     {"account", job.account_id},
                                     {"region", job.region}});
  std::lock_guard lock(mu_);
  if (was_running) {
    limiter_.Finish(CandidateOf(job), now, outcome.failed);
  }
  active_.erase(job.id);
  busy_.erase(job.id);
  cv_.notify_all();
}

JobOutcome Engine::AssumeRoleFailure(const std::string& account, const Status& error) const {
  JobOutcome o;
  o.state = std::string(kStateAssumeRoleFailure);
  o.reason = "ASSUME_ROLE_FAILURE";
  o.message = report::AssumeRoleFailureMessage(account, options_.roles.member_role_name);
  o.detail = error.ToString();
  o.failed = true;
  o.finding_update = report::FindingUpdateKind::kFlag;
  o.report_key = "outcome";
  return o;
}

void Engine::RetryLater(const std::string& job_id, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  auto it = active_.find(job_id);
  if (it != active_.end()) {
    it->second.not_before = NowMs() + delay.count();
  }
  busy_.erase(job_id);
  cv_.notify_all();
}

void Engine::AwaitApproval(store::JobRow job, const json& planned, const std::string& reason,
                           store::Batch batch) {
  const store::Millis now = NowMs();
  const json route = job.data.value("route", json::object());
  job.step = std::string(kStepApproval);
  job.state = std::string(kStateAwaitingApproval);
  job.reason = "APPROVAL_REQUIRED";
  job.message = reason + ": " + std::to_string(planned.value("changes", json::array()).size()) +
                " change(s) planned; approve or reject the job";
  job.lease_owner.clear();
  job.lease_until = 0;
  job.updated_at = now;
  job.data["plan"] = planned;
  job.data.erase("approval");
  batch.journal.push_back({.job_id = job.id,
                           .at = now,
                           .kind = "awaiting_approval",
                           .detail = {{"reason", reason}, {"plan", planned}}});
  JobOutcome o;
  o.state = std::string(kStateAwaitingApproval);
  o.message = "Remediation awaiting approval for " + route.value("short_name", "") + " control " +
              route.value("control_id", "") + " in account " + job.account_id + ": " + job.message;
  o.report_key = "AWAITING_APPROVAL-" + std::to_string(job.attempts);
  AddReports(job, o, batch);
  batch.update_jobs.push_back(job);
  if (const Status s = CommitJobs(batch); !s.ok()) {
    deps_.logger.Error("approval wait not committed",
                       {{"job_id", job.id}, {"error", s.ToString()}});
  }
  std::lock_guard lock(mu_);
  limiter_.Release(CandidateOf(job));
  busy_.erase(job.id);
}

void Engine::Execute(store::JobRow job) {
  if (job.data.contains("ssm") && job.data["ssm"].contains("execution_id")) {
    PollSsm(std::move(job));  // a control runbook this job started (also after a restart)
    return;
  }
  const store::Millis started = NowMs();
  job.attempts += 1;
  job.state = std::string(kStateRunning);
  job.hold.clear();
  job.lease_owner = options_.instance_id;
  job.lease_until = started + options_.lease.count();
  job.updated_at = started;
  job.message = "running (attempt " + std::to_string(job.attempts) + ")";
  {
    store::Batch batch;
    batch.journal.push_back(
        {.job_id = job.id,
         .at = started,
         .kind = "started",
         .detail = {{"attempt", job.attempts}, {"worker", options_.instance_id}}});
    batch.update_jobs.push_back(job);
    if (const Status s = CommitJobs(batch); !s.ok()) {
      deps_.logger.Error("job start not committed", {{"job_id", job.id}, {"error", s.ToString()}});
      std::lock_guard lock(mu_);
      busy_.erase(job.id);
      return;
    }
    job.version += 1;
  }
  deps_.metrics.Increment(report::kJobsStartedTotal, {});

  Result<routing::Route> route = RouteFromJson(job.data.value("route", json()));
  Result<finding::Finding> f = finding::ParseFinding(job.data.value("finding", json()).dump());
  if (!route.ok() || !f.ok()) {
    const Status s = !route.ok() ? route.status() : f.status();
    Finish(job, FailedOutcome("the job's stored data is unusable: " + s.message()), {});
    return;
  }
  const std::string std_name = route->short_name;
  const std::string control = route->control_id;
  const auto failed = [&](const std::string& detail) {
    JobOutcome o = FailedOutcome(report::FailedMessage(std_name, control, job.account_id, detail));
    o.detail = detail;
    return o;
  };

  if (job.attempts > options_.max_attempts) {
    Finish(job,
           failed("gave up after " + std::to_string(options_.max_attempts) +
                  " attempts that did not finish (the worker stopped each time)"),
           {});
    return;
  }
  if (route->backend == routing::Backend::kSsm) {
    ExecuteSsm(std::move(job), *route);
    return;
  }
  const remediation::Remediation* rem = deps_.registry.Find(route->remediation_id);
  if (rem == nullptr) {
    JobOutcome o;
    o.state = std::string(kStateNoRunbook);
    o.reason = "NO_NATIVE_REMEDIATION";
    o.message = "asr has no native remediation " + route->remediation_id + " for " + std_name +
                " control " + control + " (see `asr remediations`); nothing was changed.";
    o.failed = false;
    o.finding_update = report::FindingUpdateKind::kFlag;
    o.report_key = "outcome";
    Finish(job, o, {});
    return;
  }
  const remediation::RemediationSpec& spec = rem->spec();
  const std::string session = remediation::SessionNameFor(job.id);
  const std::vector<std::string> chain =
      remediation::RoleChain(options_.roles, route->partition, route->account_id, spec.id);
  std::unique_ptr<aws::CredentialsProvider> creds =
      deps_.sessions.Chain(chain, options_.roles.external_id, session);
  const store::Millis assume_started = NowMs();
  if (Result<aws::Credentials> c = creds->Get(); !c.ok()) {
    Finish(job, AssumeRoleFailure(route->account_id, c.status()), {});
    return;
  }

  const store::Millis assume_ms = NowMs() - assume_started;

  // Control parameters are read as the member role (the remediation role need not read Config).
  std::unique_ptr<aws::CredentialsProvider> member = deps_.sessions.Chain(
      remediation::RoleChain(options_.roles, route->partition, route->account_id, ""),
      options_.roles.external_id, session);
  Result<remediation::ControlParameters> control_params = remediation::ReadControlParameters(
      deps_.client, *member, route->region, f->related_config_rule, spec);
  const remediation::Target target = TargetFor(*route, *f);
  Result<remediation::Params> params =
      control_params.ok() ? remediation::ResolveParams(spec, target.control_id,
                                                       control_params->values, json::object())
                          : Result<remediation::Params>(control_params.status());
  if (!params.ok()) {
    Finish(job, failed("parameters: " + params.status().ToString()), {});
    return;
  }

  remediation::Context ctx(deps_.client, spec, deps_.clock, deps_.sleeper, deps_.logger,
                           {.region = route->region, .credentials = creds.get()});
  const bool approval_required = route->approval == routing::ApprovalGate::kRequired;
  const json approval = job.data.value("approval", json());
  bool awaiting = false;
  std::string await_reason;
  json planned;
  remediation::RunOptions run_options{.mode = remediation::RunMode::kApply, .run_id = job.id};
  run_options.confirm = [&](const remediation::Plan& plan) {
    planned = ToJson(plan);
    if (approval_required) {
      if (!approval.is_object()) {
        awaiting = true;
        await_reason = "approval required (control mode approve)";
        return false;
      }
      // Approval covers the plan a person saw: if the resource changed since, ask again.
      if (approval.value("plan", json()).value("changes", json()) !=
          planned.value("changes", json())) {
        awaiting = true;
        await_reason = "the plan changed since it was approved";
        return false;
      }
    }
    store::Batch batch;
    const store::Millis now = NowMs();
    batch.journal.push_back({.job_id = job.id, .at = now, .kind = "plan", .detail = planned});
    batch.journal.push_back({.job_id = job.id, .at = now, .kind = "apply_started"});
    if (const Status s = deps_.store.Commit(batch); !s.ok()) {
      // Without the journal entry we must not change anything.
      await_reason = "journal unavailable: " + s.ToString();
      return false;
    }
    return true;
  };
  remediation::RunRecord rec =
      remediation::Run(*rem, ctx, target, *params, deps_.sleeper, run_options);
  if (rec.applied) {
    Failpoint(options_.failpoint, "apply");
  }
  if (control_params.ok() && !control_params->note.empty()) {
    job.data["params_note"] = control_params->note;
  }

  store::Batch batch;
  // The role chain's STS calls, timed, so that AWS waiting time is fully accounted for.
  batch.journal.push_back({.job_id = job.id,
                           .at = assume_started,
                           .kind = "assumed_role",
                           .detail = {{"roles", chain}, {"latency_ms", assume_ms}}});
  AppendCallJournal(job.id, NowMs(), rec.calls, batch.journal);
  job.data["record"] = remediation::ToJson(rec);

  if (rec.outcome == remediation::Outcome::kDeclined && awaiting) {
    AwaitApproval(std::move(job), planned, await_reason, std::move(batch));
    return;
  }
  if (rec.outcome == remediation::Outcome::kDeclined) {
    // The journal could not be written before Apply: nothing changed; try again later.
    deps_.logger.Warn("job not applied; will retry",
                      {{"job_id", job.id}, {"reason", await_reason}});
    RetryLater(job.id, std::chrono::seconds(5));
    return;
  }
  JobOutcome o;
  o.report_key = "outcome";
  if (rec.outcome == remediation::Outcome::kSuccess ||
      rec.outcome == remediation::Outcome::kAlreadyCompliant) {
    o.state = std::string(kStateSuccess);
    o.reason = std::string(remediation::OutcomeName(rec.outcome));
    o.message = report::SucceededMessage(std_name, control, job.account_id, ChangesSummary(rec));
    o.affected_object = route->resource_type + " " + route->resource_id;
    o.failed = false;
    o.finding_update = report::FindingUpdateKind::kResolve;
    if (rec.verify) {
      o.remediation_output = rec.verify->current.dump();
    }
  } else {
    o = failed(rec.failed_phase + ": " + rec.error.ToString());
    o.reason = "FAILED_IN_" + AsciiUpper(rec.failed_phase);
  }
  Finish(job, o, std::move(batch));
}

void AppendCallJournal(const std::string& job_id, store::Millis now,
                       const std::vector<remediation::CallRecord>& calls,
                       std::vector<store::JournalEntry>& journal) {
  for (const remediation::CallRecord& call : calls) {
    journal.push_back({.job_id = job_id, .at = now, .kind = "aws_call", .detail = ToJson(call)});
  }
}

JobOutcome FailedOutcome(std::string message) {
  JobOutcome o;
  o.state = std::string(kStateFailed);
  o.reason = "FAILED";
  o.message = std::move(message);
  o.failed = true;
  o.finding_update = report::FindingUpdateKind::kFlag;
  o.report_key = "outcome";
  return o;
}

}  // namespace asr::workflow
