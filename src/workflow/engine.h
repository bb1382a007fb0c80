#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/client.h"
#include "aws/retry.h"
#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/registry.h"
#include "remediation/roles.h"
#include "remediation/sessions.h"
#include "report/alarms.h"
#include "report/cloudwatch.h"
#include "report/log_stream.h"
#include "report/metrics.h"
#include "routing/config.h"
#include "routing/routing.h"
#include "store/store.h"
#include "workflow/api.h"
#include "workflow/limits.h"

namespace asr::workflow {

struct JobOutcome;  // engine_internal.h

// Where reports go. Empty topic → no SNS message for that kind (the log line is still written).
struct ReportOptions {
  std::string topic_arn;              // SO0111-ASR_Topic equivalent: QUEUED and every outcome
  std::string alarm_topic_arn;        // SO0111-ASR_Alarm_Topic equivalent
  std::string securityhub_region;     // where BatchUpdateFindings goes (the aggregation region)
  bool update_findings = true;        // note + workflow status on the finding (spec §e.3)
  bool account_alias_lookup = false;  // organizations:DescribeAccount for Account_Alias
};

struct EngineOptions {
  std::string instance_id;  // this process ("w-<host>-<pid>-<start>"); names leases
  std::string home_region;  // the engine's own region (Finding_Link, Finding.region)
  std::string partition = "aws";
  int workers = 4;
  std::chrono::milliseconds lease{std::chrono::minutes(10)};
  int max_attempts = 3;  // a job whose worker died this many times fails (no crash loop)
  LimitOptions limits;
  ReportOptions report;
  remediation::RoleOptions roles;
  bool kill_switch = false;  // initial state; the runtime setting wins once set
  // The reference's alarms (spec §e.6), evaluated by the engine over its own outcomes; a state
  // change to ALARM is published to report.alarm_topic_arn (when set) through the outbox.
  report::AlarmOptions alarms;
  // The ssm backend: how often a running control runbook is checked (spec §b.4: 10 s), and
  // when asr stops waiting for it (the reference's state machine times out after 23 h).
  std::chrono::milliseconds ssm_poll{std::chrono::seconds(10)};
  std::chrono::milliseconds ssm_timeout{std::chrono::hours(23)};
  // Crash-safety tests only (ASR_TEST_FAILPOINT): the process exits at once (exit code 86, no
  // cleanup, like kill -9) at this point: "admit" (after an event's jobs are committed),
  // "apply" (after a remediation changed the resource, before its outcome is committed),
  // "outcome" (after the outcome and its reports are committed, before they are delivered).
  std::string failpoint;
};

// What the engine borrows. Everything must outlive the engine.
struct EngineDeps {
  store::Store& store;
  aws::Client& client;                    // admin credentials by default
  remediation::MemberSessions& sessions;  // member-account role chains
  const remediation::Registry& registry;
  const catalog::Catalog& catalog;
  const Clock& clock;
  aws::Sleeper& sleeper;  // verify read-back retries
  const Logger& logger;
  report::MetricsRegistry& metrics;
  std::ostream* finding_log = nullptr;  // JSON lines per reference log stream (stdout)
  // Optional CloudWatch shipping (spec §e.4–e.5); the caller flushes them.
  report::CloudWatchMetricsPublisher* cloudwatch_metrics = nullptr;
  report::CloudWatchLogsShipper* cloudwatch_logs = nullptr;
};

// The durable workflow (DESIGN.md §3): one job per (finding, trigger), advanced through
// journaled steps — admit → schedule (limits) → run (assume role → plan → [approval] → apply →
// verify) → outcome — with every report going through the store's outbox. Jobs survive a crash
// of the process: Open() resumes every job from its last committed step.
//
// Threads: Start() runs one scheduler and `workers` worker threads; tests instead call
// ScheduleOnce()/RunOnce() with a FakeClock. Every public method is thread-safe.
class Engine final : public EngineApi {
 public:
  // Loads the active jobs, the scheduling state and the runtime settings from the store;
  // jobs a dead worker held go back to scheduling (journaled as "resumed").
  static Result<std::unique_ptr<Engine>> Open(const EngineDeps& deps,
                                              const routing::RoutingConfig& routing,
                                              const EngineOptions& options);
  ~Engine() override;

  void Start();  // scheduler + workers
  void Stop();   // waits for running jobs' current step to finish

  // One scheduler pass: decides which scheduled jobs may start. Returns how many started.
  size_t ScheduleOnce();
  // Runs at most one ready job to its next resting point (outcome or approval). False when no
  // job was ready.
  bool RunOnce();
  // Number of non-terminal jobs.
  size_t ActiveCount() const;
  // Evaluates the alarms over the outcomes of the last window; commits state changes and their
  // notifications. Returns the number of state changes. The scheduler calls it after outcomes
  // and at least every 15 s.
  size_t EvaluateAlarmsOnce();

  // EngineApi
  Result<SubmitResult> Submit(std::string_view body, const SubmitOptions& options) override;
  Result<nlohmann::json> ListJobs(const JobFilter& filter) override;
  Result<nlohmann::json> GetJob(const std::string& id) override;
  Result<nlohmann::json> Approve(const std::string& id, const Principal& who,
                                 const std::string& comment) override;
  Result<nlohmann::json> Reject(const std::string& id, const Principal& who,
                                const std::string& comment) override;
  Result<nlohmann::json> Undo(const std::string& id, const Principal& who) override;
  Result<nlohmann::json> Controls() override;
  Result<nlohmann::json> SetControlMode(const std::string& control, std::string_view mode,
                                        const Principal& who) override;
  Result<nlohmann::json> SetKillSwitch(bool engaged, const Principal& who) override;
  nlohmann::json Health(bool& ok) override;
  std::string MetricsText() override;

 private:
  Engine(const EngineDeps& deps, const routing::RoutingConfig& routing,
         const EngineOptions& options);
  Status Load();

  store::Millis NowMs() const;
  std::string NewId(std::string_view prefix);
  Candidate CandidateOf(const store::JobRow& job) const;
  // Commits `batch` and, when it succeeded, replaces the in-memory copies of its jobs.
  Status CommitJobs(store::Batch& batch);
  void Execute(store::JobRow job);
  // The ssm backend (engine_ssm.cc): checks and starts the member account's control runbook,
  // then polls it from the job (the worker is free between polls).
  void ExecuteSsm(store::JobRow job, const routing::Route& route);
  void PollSsm(store::JobRow job);
  // A transient SSM error before the runbook started: commits `batch` and tries again later.
  void RetrySsmLater(store::JobRow job, const std::string& what, const Status& error,
                     store::Batch batch);
  // The ASSUME_ROLE_FAILURE outcome for `account`.
  JobOutcome AssumeRoleFailure(const std::string& account, const Status& error) const;
  // Pauses `job` until a person approves or rejects `planned`; commits `batch` with it.
  void AwaitApproval(store::JobRow job, const nlohmann::json& planned, const std::string& reason,
                     store::Batch batch);
  // Leaves a job taken by a worker for another try after `delay` (nothing committed).
  void RetryLater(const std::string& job_id, std::chrono::milliseconds delay);
  void Finish(store::JobRow job, const JobOutcome& outcome, store::Batch batch);
  void AddReports(const store::JobRow& job, const JobOutcome& outcome, store::Batch& batch);
  // The job `id` if it awaits approval and no one else is changing it; marks it busy.
  Result<store::JobRow> TakeAwaitingApproval(const std::string& id);
  // organizations:DescribeAccount name when enabled, else the id (cached).
  std::string AccountAlias(const std::string& account_id);
  // Remembers an outcome for the alarms and counts it for CloudWatch (requires mu_ not held).
  void NoteOutcome(const store::JobRow& job, const std::string& state);
  void WorkerLoop();
  void SchedulerLoop();

  EngineDeps deps_;
  EngineOptions options_;
  std::unique_ptr<report::FindingLogWriter> finding_log_;  // null when deps.finding_log is

  mutable std::shared_mutex routing_mu_;
  routing::RoutingConfig routing_;  // the config's, with runtime control modes applied
  std::map<std::string, std::string> runtime_modes_;  // control → mode set at run time

  std::mutex submit_mu_;  // one intake commit at a time (dedupe against in-flight jobs)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, store::JobRow> active_;  // non-terminal jobs by id
  std::map<std::string, bool> busy_;             // job id → an actor is changing it
  Limiter limiter_;
  bool kill_switch_ = false;
  uint64_t id_sequence_ = 0;
  std::map<std::string, std::string> account_aliases_;
  std::deque<report::OutcomeSample> outcome_samples_;  // the alarm window's outcomes, by time
  report::AlarmStates alarm_states_;
  std::atomic<store::Millis> last_alarm_evaluation_{0};
  std::atomic<bool> alarms_dirty_{false};  // an outcome since the last evaluation

  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace asr::workflow
