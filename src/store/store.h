#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace asr::store {

// Times are milliseconds since the Unix epoch (UTC), as the workflow's Clock gives them.
using Millis = int64_t;

// One durable job: one (finding, trigger) the engine admitted. The store treats `step`, `state`
// and `data` as opaque; the workflow owns their meaning (workflow/README.md).
struct JobRow {
  std::string id;          // "j-..." unique, sortable by creation time
  std::string event_id;    // the intake event that created it
  std::string finding_id;  // ASFF Id
  // At most one non-terminal job per dedupe key (a finding already in flight is not started
  // twice): Commit refuses a second one with Conflict.
  std::string dedupe_key;
  std::string resource_key;  // "<account>/<region>/<resource id>"; "" when unrouted
  std::string account_id;
  std::string region;
  std::string control_id;      // security control id (or the standard's control)
  std::string remediation_id;  // "" when unrouted
  std::string trigger;         // "automatic" | "custom-action" | "api-action"
  std::string step;            // internal workflow step ("schedule", "run", "done", ...)
  std::string state;           // the visible state (QUEUED, SUCCESS, FAILED, SKIPPED, ...)
  bool terminal = false;       // true once the job has its final outcome
  std::string reason;          // stable code for a skip, hold or failure ("" when none)
  std::string message;         // one sentence for a person
  std::string hold;            // the limit holding the job back right now ("" when none)
  Millis not_before = 0;       // do not start before (spacing, retry backoff)
  int attempts = 0;            // how many times a worker started running it
  std::string lease_owner;     // worker instance holding it, "" when free
  Millis lease_until = 0;
  Millis received_at = 0;  // when intake received the event
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis finished_at = 0;  // 0 until terminal
  // Optimistic concurrency: Commit updates a job only when the stored version equals this one,
  // and stores version + 1. New jobs start at version 0 (Commit stores 1).
  int64_t version = 0;
  nlohmann::json data = nlohmann::json::object();  // finding, route, plan, run record, approval
};

// Append-only audit: every state transition and every AWS call (with request id).
struct JournalEntry {
  int64_t seq = 0;  // assigned by the store, increasing
  std::string job_id;
  Millis at = 0;
  std::string kind;  // "admitted", "state", "hold", "aws_call", "plan", "approval", ...
  nlohmann::json detail = nlohmann::json::object();
};

// A side effect to perform once (SNS message, Security Hub update, ...). Unique by
// (job_id, kind, key): adding an existing one is ignored, so a rerun never duplicates it.
struct OutboxItem {
  int64_t id = 0;  // assigned by the store
  std::string job_id;
  std::string kind;  // "sns", "securityhub", ...
  std::string key;   // distinguishes several items of one kind for one job ("QUEUED", "SUCCESS")
  nlohmann::json payload = nlohmann::json::object();
  int attempts = 0;
  Millis next_attempt = 0;
  std::string last_error;
  bool done = false;
  Millis created_at = 0;
  Millis done_at = 0;
};

// Per account-region scheduling state (spec §d.1): when the last remediation was planned to
// start.
struct ScheduleSlot {
  std::string key;  // "<account>-<region>"
  Millis last_start = 0;
};

// A setting changed at run time (per-control mode, kill switch), surviving restarts.
struct Setting {
  std::string key;    // "control:S3.2", "kill_switch", ...
  std::string value;  // "auto", "on", ...
  std::string updated_by;
  Millis updated_at = 0;
};

// An accepted intake event (what was acknowledged to a caller).
struct EventRow {
  std::string id;           // asr's id for the event ("e-...")
  std::string source;       // "http", "sqs", "sweep", "cli"
  std::string external_id;  // the EventBridge event id or SQS message id, "" when none
  Millis received_at = 0;
  int findings = 0;
  std::string body_sha256;
};

// Everything one Commit writes, atomically: either all of it is durable when Commit returns OK,
// or none of it is. The parts apply in this order: events, update_jobs, insert_jobs, journal,
// outbox_add, outbox_update, schedule, settings (updates before inserts, so one batch can finish
// a job and admit its successor for the same dedupe key); the first failing part aborts all.
struct Batch {
  // Conflict when the id exists, or when an event of the same source with the same non-empty
  // external_id exists (a redelivered event is accepted once).
  std::vector<EventRow> events;
  std::vector<JobRow> insert_jobs;        // Conflict on id or active dedupe_key clash
  std::vector<JobRow> update_jobs;        // whole-row replace, guarded by `version` (Conflict)
  std::vector<JournalEntry> journal;      // seq assigned
  std::vector<OutboxItem> outbox_add;     // ignored when (job_id, kind, key) exists
  std::vector<OutboxItem> outbox_update;  // by id: attempts, next_attempt, last_error, done,
                                          // done_at (NotFound when the id does not exist)
  std::vector<ScheduleSlot> schedule;     // upsert
  std::vector<Setting> settings;          // upsert

  [[nodiscard]] bool empty() const {
    return events.empty() && insert_jobs.empty() && update_jobs.empty() && journal.empty() &&
           outbox_add.empty() && outbox_update.empty() && schedule.empty() && settings.empty();
  }
};

struct JobQuery {
  bool active_only = false;              // non-terminal jobs only
  std::string state;                     // exact visible state, "" = any
  std::string control_id;                // "" = any
  std::string account_id;                // "" = any
  std::string finding_id;                // "" = any
  std::optional<Millis> finished_since;  // terminal jobs with finished_at >= this
  std::string before_id;  // paging: ids strictly less than this ("" = from the newest)
  size_t limit = 100;     // newest first (descending id); 0 gives no rows
};

// The durable state of the engine. Implementations are thread-safe; Commit is serialised (one
// writer at a time), reads may run concurrently with it and see only committed data.
class Store {
 public:
  virtual ~Store() = default;

  // Applies the batch in one transaction. Errors: Conflict (event id or job id exists, a second
  // active job for a dedupe key, a job's version is not the stored one — the message names
  // which), NotFound (an updated job does not exist), Unavailable (I/O; nothing was written),
  // InvalidArgument (a JSON value holds a string that is not UTF-8), FailedPrecondition (the
  // store was opened read-only). An empty batch is OK and writes nothing.
  virtual Status Commit(const Batch& batch) = 0;

  virtual Result<std::optional<JobRow>> GetJob(const std::string& id) = 0;
  // The non-terminal job holding `dedupe_key`, if any.
  virtual Result<std::optional<JobRow>> ActiveJobFor(const std::string& dedupe_key) = 0;
  virtual Result<std::vector<JobRow>> ListJobs(const JobQuery& query) = 0;
  // Every non-terminal job, oldest first (ascending id; the engine loads them at start).
  virtual Result<std::vector<JobRow>> ActiveJobs() = 0;
  virtual Result<std::vector<JournalEntry>> Journal(const std::string& job_id) = 0;
  // Items not done whose next_attempt <= now, oldest first.
  virtual Result<std::vector<OutboxItem>> PendingOutbox(Millis now, size_t limit) = 0;
  virtual Result<std::vector<OutboxItem>> OutboxFor(const std::string& job_id) = 0;
  virtual Result<std::vector<ScheduleSlot>> ScheduleSlots() = 0;
  virtual Result<std::vector<Setting>> Settings() = 0;
  virtual Result<std::optional<EventRow>> GetEvent(const std::string& id) = 0;
  // The event accepted earlier with this external id (EventBridge id / SQS message id), for
  // idempotent intake of redelivered events. An empty external_id finds nothing.
  virtual Result<std::optional<EventRow>> EventByExternalId(const std::string& source,
                                                            const std::string& external_id) = 0;
  // Jobs of `event_id`, in creation order (ascending id).
  virtual Result<std::vector<JobRow>> JobsOfEvent(const std::string& event_id) = 0;
};

// In-memory store for tests: the same semantics as SqliteStore, nothing on disk.
std::unique_ptr<Store> NewMemoryStore();

struct SqliteOptions {
  std::string path;  // the database file; its directory is created when missing
  // Set by read-only tools (`asr jobs` on a stopped server's store): no writes, no migration.
  bool read_only = false;
};

// SQLite in WAL mode with synchronous=FULL: a Commit that returned OK survives a crash of the
// process or the machine. Migrates the schema on open (schema version in `PRAGMA user_version`);
// refuses a database written by a newer asr (FailedPrecondition). Errors name the file.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace asr::store
