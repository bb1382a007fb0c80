#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace asr::workflow {

// Who asks (from the HTTP token or the local user), for the journal and approvals.
struct Principal {
  std::string name;  // "alice", "cli:root", "sqs", ...
  // kViewer reads (jobs, controls, metrics); kOperator reads, submits events and changes state
  // (approve, reject, undo, control modes, kill switch); kIntake only submits events (POST
  // /v1/events), the least privilege for an EventBridge API destination's credential.
  enum class Role { kViewer, kOperator, kIntake } role = Role::kViewer;
};

// Where an event came from.
struct SubmitOptions {
  std::string source = "http";  // "http", "sqs", "sweep", "cli"
  std::string external_id;      // SQS message id; "" → the EventBridge event id is used
  Principal principal;
};

// What intake answers once the event is durably committed.
struct SubmitResult {
  std::string event_id;    // asr's id for the accepted event
  bool duplicate = false;  // the same event (external id) was accepted before; nothing new
  // One entry per finding, in input order: {"finding_id", "job_id", "state", "reason",
  // "message"}; "job_id" names the existing job when the finding was already in flight.
  nlohmann::json findings = nlohmann::json::array();
};

// Filters of GET /v1/jobs and `asr jobs`.
struct JobFilter {
  bool active_only = false;
  std::string state;
  std::string control_id;
  std::string account_id;
  std::string finding_id;
  std::string before_id;  // paging cursor: the last id of the previous page
  size_t limit = 50;      // 1..500
};

// The engine as the HTTP API and the CLI see it. Implemented by workflow::Engine; the server
// tests use a fake. Every method is thread-safe. Errors are Status codes the server maps to HTTP:
// InvalidArgument → 400, NotFound → 404, FailedPrecondition / Conflict → 409,
// PermissionDenied → 403, Throttled → 429, Unavailable → 503, others → 500.
class EngineApi {
 public:
  virtual ~EngineApi() = default;

  // POST /v1/events: parses the EventBridge event (or SQS body), routes each finding and commits
  // the event and its jobs before returning. InvalidArgument names the problem for bad input.
  virtual Result<SubmitResult> Submit(std::string_view body, const SubmitOptions& options) = 0;

  // GET /v1/jobs: {"jobs": [job summary...], "next": "<cursor or empty>"}.
  virtual Result<nlohmann::json> ListJobs(const JobFilter& filter) = 0;
  // GET /v1/jobs/{id}: the job with its plan, outcome, hold, and journal.
  virtual Result<nlohmann::json> GetJob(const std::string& id) = 0;

  // POST /v1/jobs/{id}/approve | /reject | /undo (operator). Return the updated job.
  virtual Result<nlohmann::json> Approve(const std::string& id, const Principal& who,
                                         const std::string& comment) = 0;
  virtual Result<nlohmann::json> Reject(const std::string& id, const Principal& who,
                                        const std::string& comment) = 0;
  virtual Result<nlohmann::json> Undo(const std::string& id, const Principal& who) = 0;

  // GET /v1/controls: {"default_mode", "kill_switch", "controls": [{"control", "mode",
  // "source": "config"|"runtime", "remediation", ...}]}.
  virtual Result<nlohmann::json> Controls() = 0;
  // PUT /v1/controls/{control} {"mode": "auto"} (operator). Returns the control's entry.
  virtual Result<nlohmann::json> SetControlMode(const std::string& control, std::string_view mode,
                                                const Principal& who) = 0;
  // PUT /v1/kill-switch {"engaged": true} (operator): stops every automatic remediation start.
  virtual Result<nlohmann::json> SetKillSwitch(bool engaged, const Principal& who) = 0;

  // GET /healthz: {"status": "ok"|"degraded", ...}; `ok` false → 503.
  virtual nlohmann::json Health(bool& ok) = 0;
  // GET /metrics: Prometheus text exposition.
  virtual std::string MetricsText() = 0;
};

}  // namespace asr::workflow
