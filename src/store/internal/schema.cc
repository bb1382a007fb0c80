#include "store/internal/schema.h"

#include <array>
#include <string>

namespace asr::store::internal {
namespace {

// Version 1. Notes on choices that are not obvious from the SQL:
// - jobs_dedupe_active is a partial UNIQUE index, so "one active job per dedupe key" holds even
//   against a buggy caller or a second process: SQLite itself refuses the second row.
// - events_external is unique among events that have an external id, so a redelivered
//   EventBridge/SQS event raced by two intake paths is accepted once.
// - journal and outbox use AUTOINCREMENT: seq and ids are never reused, even after the newest
//   rows are gone, so they order items by creation.
// - No foreign keys: the journal and outbox must accept entries whatever order the workflow
//   writes them in, and rows are never deleted.
// - The Batch field `trigger` is stored as job_trigger (TRIGGER is an SQL keyword).
constexpr std::string_view kV1 = R"sql(
CREATE TABLE events (
  id          TEXT PRIMARY KEY NOT NULL,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  findings    INTEGER NOT NULL,
  body_sha256 TEXT NOT NULL
);
CREATE UNIQUE INDEX events_external ON events(source, external_id) WHERE external_id <> '';

CREATE TABLE jobs (
  id             TEXT PRIMARY KEY NOT NULL,
  event_id       TEXT NOT NULL,
  finding_id     TEXT NOT NULL,
  dedupe_key     TEXT NOT NULL,
  resource_key   TEXT NOT NULL,
  account_id     TEXT NOT NULL,
  region         TEXT NOT NULL,
  control_id     TEXT NOT NULL,
  remediation_id TEXT NOT NULL,
  job_trigger    TEXT NOT NULL,
  step           TEXT NOT NULL,
  state          TEXT NOT NULL,
  terminal       INTEGER NOT NULL CHECK (terminal IN (0, 1)),
  reason         TEXT NOT NULL,
  message        TEXT NOT NULL,
  hold           TEXT NOT NULL,
  not_before     INTEGER NOT NULL,
  attempts       INTEGER NOT NULL,
  lease_owner    TEXT NOT NULL,
  lease_until    INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  finished_at    INTEGER NOT NULL,
  version        INTEGER NOT NULL,
  data           TEXT NOT NULL
);
CREATE INDEX jobs_active ON jobs(id) WHERE terminal = 0;
CREATE UNIQUE INDEX jobs_dedupe_active ON jobs(dedupe_key) WHERE terminal = 0;
CREATE INDEX jobs_state ON jobs(state, id);
CREATE INDEX jobs_control ON jobs(control_id, id);
CREATE INDEX jobs_account ON jobs(account_id, id);
CREATE INDEX jobs_finding ON jobs(finding_id, id);
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE terminal = 1;
CREATE INDEX jobs_event ON jobs(event_id, id);

CREATE TABLE journal (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  at     INTEGER NOT NULL,
  kind   TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX journal_job ON journal(job_id, seq);

CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id       TEXT NOT NULL,
  kind         TEXT NOT NULL,
  key          TEXT NOT NULL,
  payload      TEXT NOT NULL,
  attempts     INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL,
  last_error   TEXT NOT NULL,
  done         INTEGER NOT NULL CHECK (done IN (0, 1)),
  created_at   INTEGER NOT NULL,
  done_at      INTEGER NOT NULL,
  UNIQUE (job_id, kind, key)
);
CREATE INDEX outbox_pending ON outbox(done, next_attempt);

CREATE TABLE schedule (
  key        TEXT PRIMARY KEY NOT NULL,
  last_start INTEGER NOT NULL
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY NOT NULL,
  value      TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {kV1};

std::string NewerMessage(const Connection& conn, int64_t found, size_t known) {
  return "store " + conn.path() + ": schema version " + std::to_string(found) +
         " was written by a newer asr; this asr knows versions up to " + std::to_string(known) +
         " (upgrade asr or point it at another store)";
}

}  // namespace

std::span<const std::string_view> Migrations() { return kMigrations; }

Status Migrate(Connection& conn, std::span<const std::string_view> steps) {
  ASR_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  // Read the version inside the write transaction so that two processes opening a new file at
  // once cannot both run the same steps.
  Status status = [&]() -> Status {
    ASR_ASSIGN_OR_RETURN(int64_t found, conn.QueryInt("PRAGMA user_version"));
    if (found < 0 || static_cast<uint64_t>(found) > steps.size()) {
      return FailedPreconditionError(NewerMessage(conn, found, steps.size()));
    }
    for (auto v = static_cast<size_t>(found); v < steps.size(); ++v) {
      Status step = conn.Exec(std::string(steps[v]));
      if (!step.ok()) {
        return step.Annotate("migrate schema to version " + std::to_string(v + 1));
      }
    }
    if (static_cast<size_t>(found) != steps.size()) {
      ASR_RETURN_IF_ERROR(conn.Exec("PRAGMA user_version = " + std::to_string(steps.size())));
    }
    return conn.Exec("COMMIT");
  }();
  if (!status.ok() && conn.InTransaction()) {
    (void)conn.Exec("ROLLBACK");  // the original error is the one worth reporting
  }
  return status;
}

Status CheckSchemaVersion(Connection& conn, int version) {
  ASR_ASSIGN_OR_RETURN(int64_t found, conn.QueryInt("PRAGMA user_version"));
  if (found == version) {
    return Status::Ok();
  }
  if (found == 0) {
    return FailedPreconditionError("store " + conn.path() +
                                   " has no asr schema; `asr serve` creates it");
  }
  if (found > version) {
    return FailedPreconditionError(NewerMessage(conn, found, static_cast<size_t>(version)));
  }
  return FailedPreconditionError("store " + conn.path() + ": schema version " +
                                 std::to_string(found) + " is older than this asr's " +
                                 std::to_string(version) + "; `asr serve` migrates it");
}

}  // namespace asr::store::internal
