#include "workflow/engine.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "common/arn.h"
#include "common/strings.h"
#include "finding/finding.h"
#include "remediation/runner.h"
#include "report/notification.h"
#include "workflow/engine_internal.h"
#include "workflow/job.h"

namespace asr::workflow {

using nlohmann::json;

namespace {

constexpr std::string_view kKillSwitchKey = "kill_switch";
constexpr std::string_view kControlKeyPrefix = "control:";

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", digest[i]);
    out += buf;
  }
  return out;
}

std::string CompactStamp(store::Millis ms) {
  // 20261128T142000123: sortable, compact.
  std::string t =
      FormatRfc3339Millis(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
  std::string out;
  for (char c : t) {
    if (c != '-' && c != ':' && c != '.' && c != 'Z') {
      out.push_back(c);
    }
  }
  return out;
}

bool IsAutomatic(const store::JobRow& job) {
  return job.trigger == routing::TriggerName(routing::Trigger::kAutomatic);
}

}  // namespace

void Failpoint(const std::string& failpoint, std::string_view name) {
  if (!failpoint.empty() && failpoint == name) {
    std::fprintf(stderr, "asr: failpoint %s reached; exiting\n", failpoint.c_str());
    std::_Exit(86);
  }
}

std::string TopicRegion(const std::string& topic_arn) {
  const std::optional<Arn> arn = ParseArn(topic_arn);
  return arn ? std::string(arn->region) : "";
}

Engine::Engine(const EngineDeps& deps, const routing::RoutingConfig& routing,
               const EngineOptions& options)
    : deps_(deps),
      options_(options),
      routing_(routing),
      limiter_(options.limits),
      kill_switch_(options.kill_switch) {
  if (deps.finding_log != nullptr) {
    finding_log_ = std::make_unique<report::FindingLogWriter>(*deps.finding_log, deps.clock);
  }
}

Engine::~Engine() { Stop(); }

Result<std::unique_ptr<Engine>> Engine::Open(const EngineDeps& deps,
                                             const routing::RoutingConfig& routing,
                                             const EngineOptions& options) {
  std::unique_ptr<Engine> engine(new Engine(deps, routing, options));  // private constructor
  ASR_RETURN_IF_ERROR(engine->Load());
  return engine;
}

store::Millis Engine::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deps_.clock.Now().time_since_epoch())
      .count();
}

std::string Engine::NewId(std::string_view prefix) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    seq = ++id_sequence_;
  }
  char tail[24];
  std::snprintf(tail, sizeof(tail), "%06llx%04x", static_cast<unsigned long long>(seq & 0xffffff),
                static_cast<unsigned>(rng() & 0xffff));
  return std::string(prefix) + "-" + CompactStamp(NowMs()) + "-" + tail;
}

Candidate Engine::CandidateOf(const store::JobRow& job) const {
  return Candidate{.job_id = job.id,
                   .account_id = job.account_id,
                   .region = job.region,
                   .resource_key = job.resource_key,
                   .control_id = job.control_id,
                   .automatic = IsAutomatic(job)};
}

Status Engine::Load() {
  const store::Millis now = NowMs();
  ASR_ASSIGN_OR_RETURN(std::vector<store::Setting> settings, deps_.store.Settings());
  for (const store::Setting& s : settings) {
    if (s.key == kKillSwitchKey) {
      kill_switch_ = s.value == "engaged";
    } else if (s.key == kAlarmsSettingKey) {
      Result<report::AlarmStates> states =
          report::AlarmStatesFromJson(json::parse(s.value, nullptr, false));
      if (states.ok()) {
        alarm_states_ = std::move(*states);
      } else {
        deps_.logger.Warn("stored alarm states unusable; starting from OK",
                          {{"error", states.status().ToString()}});
      }
    } else if (s.key.starts_with(kControlKeyPrefix)) {
      const std::string control = s.key.substr(kControlKeyPrefix.size());
      Result<routing::ControlMode> mode = routing::ParseControlMode(s.value);
      if (mode.ok()) {
        routing_.control_modes[control] = *mode;
        runtime_modes_[control] = s.value;
      }
    }
  }
  ASR_ASSIGN_OR_RETURN(std::vector<store::ScheduleSlot> slots, deps_.store.ScheduleSlots());
  for (const store::ScheduleSlot& slot : slots) {
    limiter_.RestoreSlot(slot.key, slot.last_start);
  }
  // History for the circuit breaker and the blast-radius cap.
  const store::Millis since =
      now - std::max({options_.limits.breaker_window.count(), store::Millis{3600 * 1000},
                      static_cast<store::Millis>(options_.alarms.window.count()) * 1000});
  const store::Millis alarm_since =
      now - static_cast<store::Millis>(options_.alarms.window.count()) * 1000;
  std::string before;
  for (int page = 0; page < 100; ++page) {
    ASR_ASSIGN_OR_RETURN(
        std::vector<store::JobRow> done,
        deps_.store.ListJobs({.finished_since = since, .before_id = before, .limit = 500}));
    for (const store::JobRow& job : done) {
      const json outcome = job.data.value("outcome", json::object());
      if (job.data.contains("started_at")) {
        if (IsAutomatic(job)) {
          limiter_.RestoreAutomaticStart(job.control_id, job.data["started_at"].get<int64_t>());
        }
        limiter_.RestoreOutcome(job.control_id, job.finished_at, outcome.value("failed", false));
      }
      if (job.finished_at > alarm_since && (job.data.contains("outcome") || !IsAutomatic(job))) {
        // Reported outcomes, and the skips a person was told about (NO_RUNBOOK, ...).
        outcome_samples_.push_front({.time = std::chrono::system_clock::time_point(
                                         std::chrono::milliseconds(job.finished_at)),
                                     .state = job.state,
                                     .control_id = job.control_id});
      }
    }
    if (done.size() < 500) {
      break;
    }
    before = done.back().id;
  }
  ASR_ASSIGN_OR_RETURN(std::vector<store::JobRow> active, deps_.store.ActiveJobs());
  store::Batch batch;
  for (store::JobRow& job : active) {
    if (job.step == kStepRun) {
      // Its worker died (this process holds the store, so no other one runs it): schedule it
      // again; it resumes from its last committed step, and Apply is idempotent.
      batch.journal.push_back(
          {.job_id = job.id,
           .at = now,
           .kind = "resumed",
           .detail = {{"previous_worker", job.lease_owner}, {"attempts", job.attempts}}});
      job.step = std::string(kStepSchedule);
      job.state = std::string(kStateQueued);
      job.lease_owner.clear();
      job.lease_until = 0;
      job.not_before = 0;
      job.message = "resumed after a restart; waiting to start again";
      job.updated_at = now;
      batch.update_jobs.push_back(job);
    } else if (IsAutomatic(job) && job.data.contains("started_at") && job.step == kStepApproval) {
      limiter_.RestoreAutomaticStart(job.control_id, job.data["started_at"].get<int64_t>());
    }
    active_.emplace(job.id, job);
  }
  if (!batch.empty()) {
    ASR_RETURN_IF_ERROR(CommitJobs(batch));
  }
  deps_.logger.Info("engine loaded", {{"active_jobs", std::to_string(active_.size())},
                                      {"resumed", std::to_string(batch.update_jobs.size())},
                                      {"kill_switch", kill_switch_ ? "engaged" : "released"}});
  return Status::Ok();
}

Status Engine::CommitJobs(store::Batch& batch) {
  ASR_RETURN_IF_ERROR(deps_.store.Commit(batch));
  std::lock_guard lock(mu_);
  for (store::JobRow& job : batch.update_jobs) {
    job.version += 1;
    if (job.terminal) {
      active_.erase(job.id);
    } else {
      active_[job.id] = job;
    }
  }
  for (store::JobRow& job : batch.insert_jobs) {
    job.version = 1;
    if (!job.terminal) {
      active_[job.id] = job;
    }
  }
  cv_.notify_all();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Threads

void Engine::Start() {
  stopping_ = false;
  threads_.emplace_back([this] { SchedulerLoop(); });
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
}

void Engine::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

void Engine::SchedulerLoop() {
  while (!stopping_) {
    ScheduleOnce();
    if (alarms_dirty_.exchange(false) || NowMs() - last_alarm_evaluation_ >= 15000) {
      EvaluateAlarmsOnce();
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_.load(); });
  }
}

void Engine::WorkerLoop() {
  while (!stopping_) {
    if (RunOnce()) {
      continue;
    }
    std::unique_lock lock(mu_);
    // Woken by new work (commits notify); the timeout covers planned start times.
    cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_.load(); });
  }
}

size_t Engine::ScheduleOnce() {
  const store::Millis now = NowMs();
  store::Batch batch;
  std::vector<Candidate> started;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, job] : active_) {
      if (job.step != kStepSchedule || busy_.contains(id)) {
        continue;
      }
      const Candidate c = CandidateOf(job);
      const Admission a = limiter_.Check(c, now, kill_switch_);
      store::JobRow u = job;
      u.updated_at = now;
      if (a.start) {
        const store::Millis planned = limiter_.Start(c, now);
        started.push_back(c);
        u.step = std::string(kStepRun);
        u.not_before = planned;
        u.hold = planned > now ? "SPACING" : "";
        u.message = planned > now ? "waiting for the account-region spacing; starts at " +
                                        FormatRfc3339Millis(std::chrono::system_clock::time_point(
                                            std::chrono::milliseconds(planned)))
                                  : "starting";
        u.data["started_at"] = now;
        batch.schedule.push_back({.key = Limiter::SlotKey(c), .last_start = planned});
        batch.journal.push_back(
            {.job_id = id, .at = now, .kind = "scheduled", .detail = {{"planned_start", planned}}});
        batch.update_jobs.push_back(std::move(u));
        busy_[id] = true;
      } else if (job.hold != a.hold) {
        u.hold = a.hold;
        u.message = a.message;
        batch.journal.push_back({.job_id = id,
                                 .at = now,
                                 .kind = "held",
                                 .detail = {{"hold", a.hold}, {"message", a.message}}});
        batch.update_jobs.push_back(std::move(u));
        busy_[id] = true;
      }
    }
  }
  if (batch.empty()) {
    return 0;
  }
  const Status s = CommitJobs(batch);
  std::lock_guard lock(mu_);
  for (const store::JobRow& u : batch.update_jobs) {
    busy_.erase(u.id);
  }
  if (!s.ok()) {
    for (const Candidate& c : started) {
      limiter_.Release(c);
    }
    deps_.logger.Error("scheduling not committed", {{"error", s.ToString()}});
    return 0;
  }
  return started.size();
}

bool Engine::RunOnce() {
  const store::Millis now = NowMs();
  std::optional<store::JobRow> job;
  {
    std::lock_guard lock(mu_);
    const store::JobRow* best = nullptr;
    for (const auto& [id, j] : active_) {
      if (j.step == kStepRun && !busy_.contains(id) && j.not_before <= now &&
          (best == nullptr || j.not_before < best->not_before)) {
        best = &j;
      }
    }
    if (best == nullptr) {
      return false;
    }
    busy_[best->id] = true;
    job = *best;
  }
  Execute(std::move(*job));
  return true;
}

size_t Engine::ActiveCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

// ---------------------------------------------------------------------------------------------
// Intake

Result<SubmitResult> Engine::Submit(std::string_view body, const SubmitOptions& options) {
  Result<finding::Event> event = finding::ParseEvent(body);
  if (!event.ok()) {
    deps_.metrics.Increment(report::kIntakeEventsTotal, {options.source, "rejected"});
    return event.status();
  }
  if (event->findings.empty()) {
    deps_.metrics.Increment(report::kIntakeEventsTotal, {options.source, "rejected"});
    return InvalidArgumentError("the event has no findings");
  }
  const std::string external = options.external_id.empty() ? event->event_id : options.external_id;
  SubmitResult result;
  if (!external.empty()) {
    ASR_ASSIGN_OR_RETURN(std::optional<store::EventRow> seen,
                         deps_.store.EventByExternalId(options.source, external));
    if (seen) {
      result.event_id = seen->id;
      result.duplicate = true;
      ASR_ASSIGN_OR_RETURN(std::vector<store::JobRow> jobs, deps_.store.JobsOfEvent(seen->id));
      for (const store::JobRow& j : jobs) {
        result.findings.push_back({{"finding_id", j.finding_id},
                                   {"job_id", j.id},
                                   {"state", j.state},
                                   {"reason", j.reason},
                                   {"message", j.message}});
      }
      deps_.metrics.Increment(report::kIntakeEventsTotal, {options.source, "duplicate"});
      return result;
    }
  }
  const store::Millis now = NowMs();
  const routing::Trigger trigger = routing::TriggerFor(event->kind);
  store::Batch batch;
  result.event_id = NewId("e");
  batch.events.push_back({.id = result.event_id,
                          .source = options.source,
                          .external_id = external,
                          .received_at = now,
                          .findings = static_cast<int>(event->findings.size()),
                          .body_sha256 = Sha256Hex(body)});
  std::vector<std::pair<store::JobRow, JobOutcome>> skips;
  std::lock_guard submit_lock(submit_mu_);
  for (const finding::Finding& f : event->findings) {
    routing::Decision decision = [&] {
      std::shared_lock lock(routing_mu_);
      return routing::Decide(f, routing_, trigger, deps_.catalog);
    }();
    store::JobRow job;
    job.id = NewId("j");
    job.event_id = result.event_id;
    job.finding_id = f.id;
    job.dedupe_key = f.id;
    job.account_id = f.aws_account_id;
    job.region = f.region;
    job.control_id = f.security_control_id.empty() ? f.standard.control : f.security_control_id;
    job.trigger = std::string(routing::TriggerName(trigger));
    job.received_at = now;
    job.created_at = now;
    job.updated_at = now;
    job.data["finding"] = json::parse(f.raw_json, nullptr, false);
    job.data["event"] = {{"detail_type", event->detail_type},
                         {"action_name", event->action_name},
                         {"source", options.source},
                         {"external_id", external},
                         {"principal", options.principal.name}};
    json entry = {{"finding_id", f.id}};
    if (!decision.routed()) {
      const routing::Skip& skip = decision.skip();
      job.step = std::string(kStepDone);
      job.terminal = true;
      job.finished_at = now;
      job.state = std::string(SkipState(skip.reason));
      job.reason = std::string(routing::SkipReasonCode(skip.reason));
      job.message = skip.message;
      batch.journal.push_back({.job_id = job.id,
                               .at = now,
                               .kind = "skipped",
                               .detail = {{"reason", job.reason}, {"message", job.message}}});
      if (routing::IsManual(trigger)) {
        // A person asked: tell them why not, as the reference does for its own skip states.
        JobOutcome o;
        o.state = job.state;
        o.reason = job.reason;
        o.message = job.message;
        o.finding_update = report::FindingUpdateKind::kFlag;
        skips.emplace_back(job, o);
      }
    } else {
      const routing::Route& route = decision.route();
      job.account_id = route.account_id;
      job.region = route.region;
      job.control_id =
          route.security_control_id.empty() ? route.control_id : route.security_control_id;
      job.remediation_id = route.remediation_id;
      job.resource_key = ResourceKey(route);
      job.data["route"] = RouteToJson(route);
      std::optional<std::string> in_flight;
      {
        std::lock_guard lock(mu_);
        for (const auto& [id, a] : active_) {
          if (a.dedupe_key == job.dedupe_key) {
            in_flight = id;
            break;
          }
        }
      }
      for (const store::JobRow& j : batch.insert_jobs) {
        if (!j.terminal && j.dedupe_key == job.dedupe_key) {
          in_flight = j.id;
        }
      }
      if (in_flight) {
        result.findings.push_back({{"finding_id", f.id},
                                   {"job_id", *in_flight},
                                   {"state", "IN_FLIGHT"},
                                   {"reason", "IN_FLIGHT"},
                                   {"message", "the finding already has an active job"}});
        continue;
      }
      job.step = std::string(kStepSchedule);
      job.state = std::string(kStateQueued);
      job.message = report::QueuedMessage(route.short_name, route.control_id, route.account_id);
      batch.journal.push_back({.job_id = job.id,
                               .at = now,
                               .kind = "admitted",
                               .detail = {{"trigger", job.trigger},
                                          {"mode", routing::ControlModeName(route.mode)},
                                          {"source", options.source},
                                          {"principal", options.principal.name}}});
      JobOutcome queued;
      queued.state = std::string(kStateQueued);
      queued.message = job.message;
      queued.report_key = "QUEUED";
      AddReports(job, queued, batch);
    }
    entry["job_id"] = job.id;
    entry["state"] = job.state;
    entry["reason"] = job.reason;
    entry["message"] = job.message;
    result.findings.push_back(entry);
    batch.insert_jobs.push_back(std::move(job));
  }
  for (const auto& [job, outcome] : skips) {
    AddReports(job, outcome, batch);
  }
  const Status committed = CommitJobs(batch);
  if (!committed.ok()) {
    deps_.metrics.Increment(report::kIntakeEventsTotal, {options.source, "error"});
    return committed.Annotate("commit the event");
  }
  deps_.metrics.Increment(report::kIntakeEventsTotal, {options.source, "accepted"});
  for (const auto& [job, outcome] : skips) {
    NoteOutcome(job, outcome.state);
  }
  Failpoint(options_.failpoint, "admit");
  return result;
}

// ---------------------------------------------------------------------------------------------
// Queries and operator actions

Result<json> Engine::ListJobs(const JobFilter& filter) {
  store::JobQuery q{.active_only = filter.active_only,
                    .state = filter.state,
                    .control_id = filter.control_id,
                    .account_id = filter.account_id,
                    .finding_id = filter.finding_id,
                    .before_id = filter.before_id,
                    .limit = std::clamp<size_t>(filter.limit, 1, 500)};
  ASR_ASSIGN_OR_RETURN(std::vector<store::JobRow> jobs, deps_.store.ListJobs(q));
  json out = {{"jobs", json::array()}, {"next", ""}};
  for (const store::JobRow& j : jobs) {
    out["jobs"].push_back(JobSummary(j));
  }
  if (jobs.size() == q.limit) {
    out["next"] = jobs.back().id;
  }
  return out;
}

Result<json> Engine::GetJob(const std::string& id) {
  ASR_ASSIGN_OR_RETURN(std::optional<store::JobRow> job, deps_.store.GetJob(id));
  if (!job) {
    return NotFoundError("no job " + Quote(id));
  }
  json out = JobSummary(*job);
  for (const char* key :
       {"route", "plan", "approval", "record", "outcome", "event", "finding", "params_note"}) {
    if (job->data.contains(key)) {
      out[key] = job->data[key];
    }
  }
  ASR_ASSIGN_OR_RETURN(std::vector<store::JournalEntry> journal, deps_.store.Journal(id));
  out["journal"] = json::array();
  for (const store::JournalEntry& e : journal) {
    out["journal"].push_back({{"seq", e.seq},
                              {"at", FormatRfc3339Millis(std::chrono::system_clock::time_point(
                                         std::chrono::milliseconds(e.at)))},
                              {"kind", e.kind},
                              {"detail", e.detail}});
  }
  ASR_ASSIGN_OR_RETURN(std::vector<store::OutboxItem> outbox, deps_.store.OutboxFor(id));
  out["reports"] = json::array();
  for (const store::OutboxItem& o : outbox) {
    out["reports"].push_back({{"kind", o.kind},
                              {"key", o.key},
                              {"done", o.done},
                              {"attempts", o.attempts},
                              {"last_error", o.last_error}});
  }
  return out;
}

namespace {
Status RequireOperator(const Principal& who) {
  if (who.role != Principal::Role::kOperator) {
    return PermissionDeniedError(Quote(who.name) + " may not do this; it needs an operator token");
  }
  return Status::Ok();
}
}  // namespace

Result<store::JobRow> Engine::TakeAwaitingApproval(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = active_.find(id);
  if (it == active_.end() || it->second.step != kStepApproval || busy_.contains(id)) {
    return FailedPreconditionError("job " + Quote(id) + " is not awaiting approval");
  }
  busy_[id] = true;
  return it->second;
}

Result<json> Engine::Approve(const std::string& id, const Principal& who,
                             const std::string& comment) {
  ASR_RETURN_IF_ERROR(RequireOperator(who));
  ASR_ASSIGN_OR_RETURN(store::JobRow job, TakeAwaitingApproval(id));
  const store::Millis now = NowMs();
  job.step = std::string(kStepSchedule);
  job.state = std::string(kStateQueued);
  job.reason.clear();
  job.message = "approved by " + who.name + "; waiting to start";
  job.updated_at = now;
  job.data["approval"] = {{"by", who.name},
                          {"at", now},
                          {"comment", comment},
                          {"plan", job.data.value("plan", json())}};
  store::Batch batch;
  batch.journal.push_back({.job_id = id,
                           .at = now,
                           .kind = "approved",
                           .detail = {{"by", who.name}, {"comment", comment}}});
  batch.update_jobs.push_back(job);
  const Status s = CommitJobs(batch);
  {
    std::lock_guard lock(mu_);
    busy_.erase(id);
  }
  ASR_RETURN_IF_ERROR(s);
  return GetJob(id);
}

Result<json> Engine::Reject(const std::string& id, const Principal& who,
                            const std::string& comment) {
  ASR_RETURN_IF_ERROR(RequireOperator(who));
  ASR_ASSIGN_OR_RETURN(store::JobRow job, TakeAwaitingApproval(id));
  JobOutcome o;
  o.state = std::string(kStateRejected);
  o.reason = "REJECTED";
  o.message = "Remediation rejected by " + who.name + " for control " + job.control_id +
              " in account " + job.account_id + (comment.empty() ? "" : ": " + comment);
  o.report_key = "outcome";
  store::Batch batch;
  batch.journal.push_back({.job_id = id,
                           .at = NowMs(),
                           .kind = "rejected",
                           .detail = {{"by", who.name}, {"comment", comment}}});
  Finish(job, o, std::move(batch));
  return GetJob(id);
}

Result<json> Engine::Undo(const std::string& id, const Principal& who) {
  ASR_RETURN_IF_ERROR(RequireOperator(who));
  ASR_ASSIGN_OR_RETURN(std::optional<store::JobRow> found, deps_.store.GetJob(id));
  if (!found) {
    return NotFoundError("no job " + Quote(id));
  }
  store::JobRow job = *found;
  if (job.data.contains("ssm")) {
    return FailedPreconditionError(
        "job " + Quote(id) +
        " ran the member account's SSM control runbook (ssm backend); asr cannot undo what a "
        "runbook changed. Only jobs of the native backend with a reversible remediation can be "
        "undone");
  }
  if (job.state != kStateSuccess || !job.data.contains("record")) {
    return FailedPreconditionError("job " + Quote(id) + " is " + job.state +
                                   "; only a SUCCESS job can be undone");
  }
  {
    std::lock_guard lock(mu_);
    if (busy_.contains(id)) {
      return FailedPreconditionError("job " + Quote(id) + " is being changed; try again");
    }
    busy_[id] = true;
  }
  const auto release = [&] {
    std::lock_guard lock(mu_);
    busy_.erase(id);
  };
  Result<remediation::RunRecord> record = remediation::RunRecordFromJson(job.data["record"]);
  const remediation::Remediation* rem =
      record.ok() ? deps_.registry.Find(record->remediation_id) : nullptr;
  if (rem == nullptr) {
    release();
    return FailedPreconditionError("job " + Quote(id) + " has no usable remediation record");
  }
  const std::unique_ptr<aws::CredentialsProvider> creds =
      deps_.sessions.Chain(remediation::RoleChain(options_.roles, record->target.partition,
                                                  record->target.account_id, rem->spec().id),
                           options_.roles.external_id, remediation::SessionNameFor(id + "-undo"));
  remediation::Context ctx(deps_.client, rem->spec(), deps_.clock, deps_.sleeper, deps_.logger,
                           {.region = record->target.region, .credentials = creds.get()});
  Result<remediation::RunRecord> undone = remediation::UndoRun(*rem, ctx, *record);
  if (!undone.ok()) {
    release();
    return undone.status();
  }
  const store::Millis now = NowMs();
  store::Batch batch;
  AppendCallJournal(id, now, undone->calls, batch.journal);
  batch.journal.push_back(
      {.job_id = id, .at = now, .kind = "undone", .detail = {{"by", who.name}}});
  job.state = std::string(kStateUndone);
  job.reason = "UNDONE";
  job.message = "undone by " + who.name + ": the before-state was restored";
  job.updated_at = now;
  job.data["record"] = remediation::ToJson(*undone);
  JobOutcome o;
  o.state = std::string(kStateUndone);
  o.message = "Remediation undone by " + who.name + " for control " + job.control_id +
              " in account " + job.account_id + "; the resource is back in its earlier state";
  o.finding_update = report::FindingUpdateKind::kFlag;
  o.report_key = "UNDONE";
  AddReports(job, o, batch);
  batch.update_jobs.push_back(job);
  const Status s = deps_.store.Commit(batch);
  release();
  ASR_RETURN_IF_ERROR(s);
  return GetJob(id);
}

Result<json> Engine::Controls() {
  std::shared_lock lock(routing_mu_);
  json out = {{"default_mode", routing::ControlModeName(routing_.default_mode)},
              {"kill_switch", kill_switch_},
              {"controls", json::array()}};
  for (const std::string& pb_id : routing_.playbooks) {
    const catalog::Playbook* pb = deps_.catalog.FindPlaybook(pb_id);
    if (pb == nullptr) {
      continue;
    }
    for (const catalog::Control& c : deps_.catalog.Controls(*pb)) {
      const std::string control(c.security_control_id.empty() ? c.control_id
                                                              : c.security_control_id);
      routing::ControlMode mode = routing_.default_mode;
      std::string source = "default";
      const std::string qualified = std::string(pb->id) + ":" + std::string(c.control_id);
      if (auto it = routing_.control_modes.find(qualified); it != routing_.control_modes.end()) {
        mode = it->second;
        source = runtime_modes_.contains(qualified) ? "runtime" : "config";
      } else if (auto it2 = routing_.control_modes.find(control);
                 it2 != routing_.control_modes.end()) {
        mode = it2->second;
        source = runtime_modes_.contains(control) ? "runtime" : "config";
      }
      out["controls"].push_back(
          {{"playbook", pb->id},
           {"control", c.control_id},
           {"security_control", c.security_control_id},
           {"remediation", c.remediation_id},
           {"native", deps_.registry.Find(std::string(c.remediation_id)) != nullptr},
           {"mode", routing::ControlModeName(mode)},
           {"source", source}});
    }
  }
  return out;
}

Result<json> Engine::SetControlMode(const std::string& control, std::string_view mode_text,
                                    const Principal& who) {
  ASR_RETURN_IF_ERROR(RequireOperator(who));
  ASR_ASSIGN_OR_RETURN(const routing::ControlMode mode, routing::ParseControlMode(mode_text));
  // The control must exist in an enabled playbook: a typo must not silently do nothing.
  bool known = false;
  {
    std::shared_lock lock(routing_mu_);
    for (const std::string& pb_id : routing_.playbooks) {
      const catalog::Playbook* pb = deps_.catalog.FindPlaybook(pb_id);
      if (pb == nullptr) {
        continue;
      }
      std::string_view wanted = control;
      const size_t colon = control.find(':');
      if (colon != std::string::npos) {
        if (!EqualsIgnoreCase(control.substr(0, colon), pb->id)) {
          continue;
        }
        wanted = std::string_view(control).substr(colon + 1);
      }
      for (const catalog::Control& c : deps_.catalog.Controls(*pb)) {
        if (EqualsIgnoreCase(c.control_id, wanted) ||
            (colon == std::string::npos && EqualsIgnoreCase(c.security_control_id, wanted))) {
          known = true;
        }
      }
    }
  }
  if (!known) {
    return NotFoundError("no control " + Quote(control) +
                         " in the enabled playbooks (use a security control id such as "
                         "\"S3.2\" or \"<PLAYBOOK>:<control>\")");
  }
  store::Batch batch;
  batch.settings.push_back({.key = std::string(kControlKeyPrefix) + control,
                            .value = std::string(routing::ControlModeName(mode)),
                            .updated_by = who.name,
                            .updated_at = NowMs()});
  ASR_RETURN_IF_ERROR(deps_.store.Commit(batch));
  {
    std::unique_lock lock(routing_mu_);
    routing_.control_modes[control] = mode;
    runtime_modes_[control] = std::string(routing::ControlModeName(mode));
  }
  deps_.logger.Warn("control mode changed", {{"control", control},
                                             {"mode", std::string(routing::ControlModeName(mode))},
                                             {"by", who.name}});
  return json{{"control", control},
              {"mode", routing::ControlModeName(mode)},
              {"source", "runtime"},
              {"updated_by", who.name}};
}

Result<json> Engine::SetKillSwitch(bool engaged, const Principal& who) {
  ASR_RETURN_IF_ERROR(RequireOperator(who));
  store::Batch batch;
  batch.settings.push_back({.key = std::string(kKillSwitchKey),
                            .value = engaged ? "engaged" : "released",
                            .updated_by = who.name,
                            .updated_at = NowMs()});
  ASR_RETURN_IF_ERROR(deps_.store.Commit(batch));
  {
    std::lock_guard lock(mu_);
    kill_switch_ = engaged;
  }
  cv_.notify_all();
  deps_.logger.Warn(engaged ? "kill switch engaged" : "kill switch released", {{"by", who.name}});
  return json{{"engaged", engaged}, {"updated_by", who.name}};
}

json Engine::Health(bool& ok) {
  const store::Millis now = NowMs();
  Result<std::vector<store::OutboxItem>> pending = deps_.store.PendingOutbox(now, 1000);
  ok = pending.ok();
  json out = {{"status", ok ? "ok" : "degraded"}};
  if (!ok) {
    out["store_error"] = pending.status().ToString();
  } else {
    out["outbox_pending"] = pending->size();
  }
  std::lock_guard lock(mu_);
  out["active_jobs"] = active_.size();
  out["kill_switch"] = kill_switch_;
  out["limits"] = limiter_.Snapshot(now);
  json alarms = json::array();
  for (const auto& [name, status] : alarm_states_) {
    if (status.state == report::AlarmState::kAlarm) {
      alarms.push_back(name);
    }
  }
  out["alarms_in_alarm"] = alarms;
  return out;
}

std::string Engine::MetricsText() {
  deps_.metrics.Set(report::kQueueDepth, {}, static_cast<double>(ActiveCount()));
  return deps_.metrics.Render();
}

std::string Engine::AccountAlias(const std::string& account_id) {
  if (!options_.report.account_alias_lookup) {
    return account_id;
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = account_aliases_.find(account_id); it != account_aliases_.end()) {
      return it->second;
    }
  }
  std::string alias = account_id;
  Result<json> out =
      deps_.client.Call("organizations", "DescribeAccount", {{"AccountId", account_id}}, {});
  if (out.ok()) {
    alias = out->value("Account", json::object()).value("Name", account_id);
  }
  std::lock_guard lock(mu_);
  account_aliases_[account_id] = alias;
  return alias;
}

}  // namespace asr::workflow
