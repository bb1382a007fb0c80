#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "store/internal/schema.h"
#include "store/internal/semantics.h"
#include "store/internal/sqlite.h"
#include "store/store.h"

namespace asr::store {
namespace {

using internal::Connection;
using internal::ConnectionPool;
using internal::Query;

// Readers kept open between calls; more are opened (and closed after use) under heavier load.
constexpr size_t kMaxIdleReaders = 4;

// Column lists, in the order the Read*/Bind* helpers below use.
constexpr std::string_view kJobColumns =
    "id, event_id, finding_id, dedupe_key, resource_key, account_id, region, control_id, "
    "remediation_id, job_trigger, step, state, terminal, reason, message, hold, not_before, "
    "attempts, lease_owner, lease_until, received_at, created_at, updated_at, finished_at, "
    "version, data";
constexpr std::string_view kEventColumns =
    "id, source, external_id, received_at, findings, body_sha256";
constexpr std::string_view kJournalColumns = "seq, job_id, at, kind, detail";
constexpr std::string_view kOutboxColumns =
    "id, job_id, kind, key, payload, attempts, next_attempt, last_error, done, created_at, "
    "done_at";

std::string Select(std::string_view columns, std::string_view table, std::string_view tail) {
  std::string sql = "SELECT ";
  sql.append(columns).append(" FROM ").append(table).append(" ").append(tail);
  return sql;
}

bool IsConstraint(int rc) { return (rc & 0xff) == SQLITE_CONSTRAINT; }

// --- rows <-> statements ---------------------------------------------------------------------

// Parameters ?1..?26 in kJobColumns order; ?25 is the version.
void BindJob(Query& q, const JobRow& j, int64_t version, const std::string& data) {
  q.BindAll(j.id, j.event_id, j.finding_id, j.dedupe_key, j.resource_key, j.account_id, j.region,
            j.control_id, j.remediation_id, j.trigger, j.step, j.state, j.terminal, j.reason,
            j.message, j.hold, j.not_before, j.attempts, j.lease_owner, j.lease_until,
            j.received_at, j.created_at, j.updated_at, j.finished_at, version, data);
}

Result<JobRow> ReadJob(const Query& q) {
  JobRow j;
  j.id = q.Text(0);
  j.event_id = q.Text(1);
  j.finding_id = q.Text(2);
  j.dedupe_key = q.Text(3);
  j.resource_key = q.Text(4);
  j.account_id = q.Text(5);
  j.region = q.Text(6);
  j.control_id = q.Text(7);
  j.remediation_id = q.Text(8);
  j.trigger = q.Text(9);
  j.step = q.Text(10);
  j.state = q.Text(11);
  j.terminal = q.Bool(12);
  j.reason = q.Text(13);
  j.message = q.Text(14);
  j.hold = q.Text(15);
  j.not_before = q.Int(16);
  j.attempts = static_cast<int>(q.Int(17));
  j.lease_owner = q.Text(18);
  j.lease_until = q.Int(19);
  j.received_at = q.Int(20);
  j.created_at = q.Int(21);
  j.updated_at = q.Int(22);
  j.finished_at = q.Int(23);
  j.version = q.Int(24);
  ASR_ASSIGN_OR_RETURN(j.data, internal::DecodeJson(q.Text(25), "job " + j.id + " data"));
  return j;
}

Result<EventRow> ReadEvent(const Query& q) {
  return EventRow{.id = q.Text(0),
                  .source = q.Text(1),
                  .external_id = q.Text(2),
                  .received_at = q.Int(3),
                  .findings = static_cast<int>(q.Int(4)),
                  .body_sha256 = q.Text(5)};
}

Result<JournalEntry> ReadJournal(const Query& q) {
  JournalEntry e{.seq = q.Int(0), .job_id = q.Text(1), .at = q.Int(2), .kind = q.Text(3)};
  ASR_ASSIGN_OR_RETURN(e.detail,
                       internal::DecodeJson(q.Text(4), "journal entry " + std::to_string(e.seq)));
  return e;
}

Result<OutboxItem> ReadOutbox(const Query& q) {
  OutboxItem o{.id = q.Int(0), .job_id = q.Text(1), .kind = q.Text(2), .key = q.Text(3)};
  ASR_ASSIGN_OR_RETURN(o.payload,
                       internal::DecodeJson(q.Text(4), "outbox item " + std::to_string(o.id)));
  o.attempts = static_cast<int>(q.Int(5));
  o.next_attempt = q.Int(6);
  o.last_error = q.Text(7);
  o.done = q.Bool(8);
  o.created_at = q.Int(9);
  o.done_at = q.Int(10);
  return o;
}

Result<ScheduleSlot> ReadSlot(const Query& q) {
  return ScheduleSlot{.key = q.Text(0), .last_start = q.Int(1)};
}

Result<Setting> ReadSetting(const Query& q) {
  return Setting{
      .key = q.Text(0), .value = q.Text(1), .updated_by = q.Text(2), .updated_at = q.Int(3)};
}

using Param = std::variant<std::string, int64_t>;

// Runs `sql` with `params` and reads every row with `read`.
template <typename T>
Result<std::vector<T>> SelectAll(Connection& c, const std::string& sql,
                                 const std::vector<Param>& params,
                                 Result<T> (*read)(const Query&)) {
  ASR_ASSIGN_OR_RETURN(Query q, c.Prepare(sql));
  int index = 0;
  for (const Param& p : params) {
    ++index;
    std::visit([&](const auto& v) { q.BindOne(index, v); }, p);
  }
  std::vector<T> rows;
  while (true) {
    ASR_ASSIGN_OR_RETURN(bool has_row, q.Step());
    if (!has_row) {
      return rows;
    }
    ASR_ASSIGN_OR_RETURN(T row, read(q));
    rows.push_back(std::move(row));
  }
}

template <typename T>
Result<std::optional<T>> SelectOne(Connection& c, const std::string& sql,
                                   const std::vector<Param>& params,
                                   Result<T> (*read)(const Query&)) {
  ASR_ASSIGN_OR_RETURN(std::vector<T> rows, SelectAll(c, sql, params, read));
  if (rows.empty()) {
    return std::optional<T>();
  }
  return std::optional<T>(std::move(rows.front()));
}

Result<std::optional<int64_t>> SelectInt(Connection& c, const std::string& sql,
                                         const std::vector<Param>& params) {
  return SelectOne<int64_t>(c, sql, params,
                            [](const Query& q) -> Result<int64_t> { return q.Int(0); });
}

Result<std::optional<std::string>> SelectText(Connection& c, const std::string& sql,
                                              const std::vector<Param>& params) {
  return SelectOne<std::string>(c, sql, params,
                                [](const Query& q) -> Result<std::string> { return q.Text(0); });
}

// The id of the active job holding `dedupe_key`, other than `self`.
Result<std::optional<std::string>> ActiveJobId(Connection& c, const std::string& dedupe_key,
                                               const std::string& self) {
  return SelectText(c, "SELECT id FROM jobs WHERE terminal = 0 AND dedupe_key = ?1 AND id <> ?2",
                    {dedupe_key, self});
}

// --- the write path --------------------------------------------------------------------------

Status InsertEvent(Connection& w, const EventRow& e) {
  {
    ASR_ASSIGN_OR_RETURN(Query q, w.Prepare("INSERT INTO events (" + std::string(kEventColumns) +
                                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    q.BindAll(e.id, e.source, e.external_id, e.received_at, e.findings, e.body_sha256);
    Status status = q.Run();
    if (status.ok() || !IsConstraint(q.rc())) {
      return status;
    }
  }
  ASR_ASSIGN_OR_RETURN(auto same_id, SelectInt(w, "SELECT 1 FROM events WHERE id = ?1", {e.id}));
  if (same_id) {
    return ConflictError(internal::EventExistsMessage(e));
  }
  ASR_ASSIGN_OR_RETURN(auto other, SelectText(w,
                                              "SELECT id FROM events WHERE source = ?1 AND "
                                              "external_id = ?2 AND external_id <> ''",
                                              {e.source, e.external_id}));
  return ConflictError(other ? internal::EventExternalIdMessage(e, *other)
                             : "event " + e.id + " clashes with a stored event");
}

std::string InsertJobSql() {
  std::string sql = "INSERT INTO jobs (" + std::string(kJobColumns) + ") VALUES (?1";
  for (int i = 2; i <= 26; ++i) {
    sql += ", ?" + std::to_string(i);
  }
  return sql + ")";
}

constexpr std::string_view kUpdateJobSql =
    "UPDATE jobs SET event_id = ?2, finding_id = ?3, dedupe_key = ?4, resource_key = ?5, "
    "account_id = ?6, region = ?7, control_id = ?8, remediation_id = ?9, job_trigger = ?10, "
    "step = ?11, state = ?12, terminal = ?13, reason = ?14, message = ?15, hold = ?16, "
    "not_before = ?17, attempts = ?18, lease_owner = ?19, lease_until = ?20, received_at = ?21, "
    "created_at = ?22, updated_at = ?23, finished_at = ?24, version = ?25 + 1, data = ?26 "
    "WHERE id = ?1 AND version = ?25";

Status InsertJob(Connection& w, const JobRow& j) {
  ASR_ASSIGN_OR_RETURN(std::string data, internal::EncodeJson(j.data, "job " + j.id + " data"));
  {
    ASR_ASSIGN_OR_RETURN(Query q, w.Prepare(InsertJobSql()));
    BindJob(q, j, /*version=*/1, data);
    Status status = q.Run();
    if (status.ok() || !IsConstraint(q.rc())) {
      return status;
    }
  }
  // Name the clash the way the memory store does: the id first, then the dedupe key.
  ASR_ASSIGN_OR_RETURN(auto same_id, SelectInt(w, "SELECT 1 FROM jobs WHERE id = ?1", {j.id}));
  if (same_id) {
    return ConflictError(internal::JobExistsMessage(j));
  }
  ASR_ASSIGN_OR_RETURN(auto active, ActiveJobId(w, j.dedupe_key, j.id));
  return ConflictError(active ? internal::DedupeClashMessage(j, *active)
                              : "job " + j.id + " clashes with a stored job");
}

Status UpdateJob(Connection& w, const JobRow& j) {
  ASR_ASSIGN_OR_RETURN(std::string data, internal::EncodeJson(j.data, "job " + j.id + " data"));
  {
    ASR_ASSIGN_OR_RETURN(Query q, w.Prepare(std::string(kUpdateJobSql)));
    BindJob(q, j, j.version, data);
    Status status = q.Run();
    if (!status.ok()) {
      if (!IsConstraint(q.rc())) {
        return status;
      }
      ASR_ASSIGN_OR_RETURN(auto active, ActiveJobId(w, j.dedupe_key, j.id));
      return ConflictError(active ? internal::DedupeClashMessage(j, *active)
                                  : "job " + j.id + " clashes with a stored job");
    }
  }
  if (w.Changes() == 1) {
    return Status::Ok();
  }
  ASR_ASSIGN_OR_RETURN(auto stored, SelectInt(w, "SELECT version FROM jobs WHERE id = ?1", {j.id}));
  if (!stored) {
    return NotFoundError(internal::JobNotFoundMessage(j));
  }
  return ConflictError(internal::VersionClashMessage(j, *stored));
}

Status AppendJournal(Connection& w, const JournalEntry& e) {
  ASR_ASSIGN_OR_RETURN(std::string detail,
                       internal::EncodeJson(e.detail, "journal entry of job " + e.job_id));
  ASR_ASSIGN_OR_RETURN(
      Query q, w.Prepare("INSERT INTO journal (job_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)"));
  q.BindAll(e.job_id, e.at, e.kind, detail);
  return q.Run();
}

Status AddOutbox(Connection& w, const OutboxItem& o) {
  ASR_ASSIGN_OR_RETURN(std::string payload,
                       internal::EncodeJson(o.payload, "outbox " + o.kind + " item of job " +
                                                           o.job_id + " payload"));
  ASR_ASSIGN_OR_RETURN(
      Query q,
      w.Prepare("INSERT INTO outbox (job_id, kind, key, payload, attempts, next_attempt, "
                "last_error, done, created_at, done_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                "?9, ?10) ON CONFLICT (job_id, kind, key) DO NOTHING"));
  q.BindAll(o.job_id, o.kind, o.key, payload, o.attempts, o.next_attempt, o.last_error, o.done,
            o.created_at, o.done_at);
  return q.Run();
}

Status UpdateOutbox(Connection& w, const OutboxItem& o) {
  {
    ASR_ASSIGN_OR_RETURN(Query q, w.Prepare("UPDATE outbox SET attempts = ?2, next_attempt = ?3, "
                                            "last_error = ?4, done = ?5, done_at = ?6 "
                                            "WHERE id = ?1"));
    q.BindAll(o.id, o.attempts, o.next_attempt, o.last_error, o.done, o.done_at);
    ASR_RETURN_IF_ERROR(q.Run());
  }
  if (w.Changes() == 0) {
    return NotFoundError(internal::OutboxNotFoundMessage(o));
  }
  return Status::Ok();
}

Status UpsertSlot(Connection& w, const ScheduleSlot& s) {
  ASR_ASSIGN_OR_RETURN(Query q, w.Prepare("INSERT INTO schedule (key, last_start) VALUES (?1, ?2) "
                                          "ON CONFLICT (key) DO UPDATE SET "
                                          "last_start = excluded.last_start"));
  q.BindAll(s.key, s.last_start);
  return q.Run();
}

Status UpsertSetting(Connection& w, const Setting& s) {
  ASR_ASSIGN_OR_RETURN(Query q,
                       w.Prepare("INSERT INTO settings (key, value, updated_by, updated_at) "
                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO UPDATE SET "
                                 "value = excluded.value, updated_by = excluded.updated_by, "
                                 "updated_at = excluded.updated_at"));
  q.BindAll(s.key, s.value, s.updated_by, s.updated_at);
  return q.Run();
}

// Applies every part in the order internal/semantics.h fixes; the caller owns the transaction.
Status ApplyBatch(Connection& w, const Batch& b) {
  for (const EventRow& e : b.events) {
    ASR_RETURN_IF_ERROR(InsertEvent(w, e));
  }
  for (const JobRow& j : b.update_jobs) {
    ASR_RETURN_IF_ERROR(UpdateJob(w, j));
  }
  for (const JobRow& j : b.insert_jobs) {
    ASR_RETURN_IF_ERROR(InsertJob(w, j));
  }
  for (const JournalEntry& e : b.journal) {
    ASR_RETURN_IF_ERROR(AppendJournal(w, e));
  }
  for (const OutboxItem& o : b.outbox_add) {
    ASR_RETURN_IF_ERROR(AddOutbox(w, o));
  }
  for (const OutboxItem& o : b.outbox_update) {
    ASR_RETURN_IF_ERROR(UpdateOutbox(w, o));
  }
  for (const ScheduleSlot& s : b.schedule) {
    ASR_RETURN_IF_ERROR(UpsertSlot(w, s));
  }
  for (const Setting& s : b.settings) {
    ASR_RETURN_IF_ERROR(UpsertSetting(w, s));
  }
  return Status::Ok();
}

Status RunSql(Connection& c, const char* sql) {
  ASR_ASSIGN_OR_RETURN(Query q, c.Prepare(sql));
  return q.Run();
}

// --- the store -------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  // `writer` is null for a read-only store.
  SqliteStore(std::string path, std::unique_ptr<Connection> writer,
              std::unique_ptr<ConnectionPool> readers)
      : path_(std::move(path)), writer_(std::move(writer)), readers_(std::move(readers)) {}

  Status Commit(const Batch& batch) override {
    if (writer_ == nullptr) {
      return FailedPreconditionError("store " + path_ +
                                     " was opened read-only; only `asr serve` writes to it");
    }
    if (batch.empty()) {
      return Status::Ok();
    }
    std::lock_guard<std::mutex> lock(write_mu_);
    Connection& w = *writer_;
    Status status = [&]() -> Status {
      ASR_RETURN_IF_ERROR(RunSql(w, "BEGIN IMMEDIATE"));
      ASR_RETURN_IF_ERROR(ApplyBatch(w, batch));
      return RunSql(w, "COMMIT");
    }();
    // SQLite may already have rolled back by itself (some I/O errors do); otherwise undo here so
    // that nothing of the batch stays.
    if (!status.ok() && w.InTransaction()) {
      (void)RunSql(w, "ROLLBACK");  // the first error is the one to report
    }
    return status;
  }

  Result<std::optional<JobRow>> GetJob(const std::string& id) override {
    return WithReader([&](Connection& c) {
      return SelectOne(c, Select(kJobColumns, "jobs", "WHERE id = ?1"), {id}, ReadJob);
    });
  }

  Result<std::optional<JobRow>> ActiveJobFor(const std::string& dedupe_key) override {
    return WithReader([&](Connection& c) {
      return SelectOne(c, Select(kJobColumns, "jobs", "WHERE terminal = 0 AND dedupe_key = ?1"),
                       {dedupe_key}, ReadJob);
    });
  }

  Result<std::vector<JobRow>> ListJobs(const JobQuery& query) override {
    std::string where = "WHERE 1 = 1";
    std::vector<Param> params;
    auto add = [&](std::string_view condition, Param value) {
      params.push_back(std::move(value));
      where.append(" AND ").append(condition).append(" ?" + std::to_string(params.size()));
    };
    if (query.active_only) {
      where += " AND terminal = 0";
    }
    if (!query.state.empty()) {
      add("state =", query.state);
    }
    if (!query.control_id.empty()) {
      add("control_id =", query.control_id);
    }
    if (!query.account_id.empty()) {
      add("account_id =", query.account_id);
    }
    if (!query.finding_id.empty()) {
      add("finding_id =", query.finding_id);
    }
    if (query.finished_since) {
      add("terminal = 1 AND finished_at >=", *query.finished_since);
    }
    if (!query.before_id.empty()) {
      add("id <", query.before_id);
    }
    params.emplace_back(internal::ClampLimit(query.limit));
    where += " ORDER BY id DESC LIMIT ?" + std::to_string(params.size());
    return WithReader([&](Connection& c) {
      return SelectAll(c, Select(kJobColumns, "jobs", where), params, ReadJob);
    });
  }

  Result<std::vector<JobRow>> ActiveJobs() override {
    return WithReader([&](Connection& c) {
      return SelectAll(c, Select(kJobColumns, "jobs", "WHERE terminal = 0 ORDER BY id"), {},
                       ReadJob);
    });
  }

  Result<std::vector<JournalEntry>> Journal(const std::string& job_id) override {
    return WithReader([&](Connection& c) {
      return SelectAll(c, Select(kJournalColumns, "journal", "WHERE job_id = ?1 ORDER BY seq"),
                       {job_id}, ReadJournal);
    });
  }

  Result<std::vector<OutboxItem>> PendingOutbox(Millis now, size_t limit) override {
    return WithReader([&](Connection& c) {
      return SelectAll(c,
                       Select(kOutboxColumns, "outbox",
                              "WHERE done = 0 AND next_attempt <= ?1 ORDER BY id LIMIT ?2"),
                       {now, internal::ClampLimit(limit)}, ReadOutbox);
    });
  }

  Result<std::vector<OutboxItem>> OutboxFor(const std::string& job_id) override {
    return WithReader([&](Connection& c) {
      return SelectAll(c, Select(kOutboxColumns, "outbox", "WHERE job_id = ?1 ORDER BY id"),
                       {job_id}, ReadOutbox);
    });
  }

  Result<std::vector<ScheduleSlot>> ScheduleSlots() override {
    return WithReader([&](Connection& c) {
      return SelectAll(c, "SELECT key, last_start FROM schedule ORDER BY key", {}, ReadSlot);
    });
  }

  Result<std::vector<Setting>> Settings() override {
    return WithReader([&](Connection& c) {
      return SelectAll(c, "SELECT key, value, updated_by, updated_at FROM settings ORDER BY key",
                       {}, ReadSetting);
    });
  }

  Result<std::optional<EventRow>> GetEvent(const std::string& id) override {
    return WithReader([&](Connection& c) {
      return SelectOne(c, Select(kEventColumns, "events", "WHERE id = ?1"), {id}, ReadEvent);
    });
  }

  Result<std::optional<EventRow>> EventByExternalId(const std::string& source,
                                                    const std::string& external_id) override {
    if (external_id.empty()) {
      return std::optional<EventRow>();  // "" means "no external id", which identifies nothing
    }
    return WithReader([&](Connection& c) {
      return SelectOne(c, Select(kEventColumns, "events", "WHERE source = ?1 AND external_id = ?2"),
                       {source, external_id}, ReadEvent);
    });
  }

  Result<std::vector<JobRow>> JobsOfEvent(const std::string& event_id) override {
    return WithReader([&](Connection& c) {
      return SelectAll(c, Select(kJobColumns, "jobs", "WHERE event_id = ?1 ORDER BY id"),
                       {event_id}, ReadJob);
    });
  }

 private:
  // Runs `read` on a pooled reader connection. Each read is one SELECT, so it sees one
  // committed snapshot (WAL) and never blocks the writer.
  template <typename F>
  auto WithReader(F&& read) -> decltype(read(std::declval<Connection&>())) {
    ASR_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, readers_->Acquire());
    return std::forward<F>(read)(*lease);
  }

  const std::string path_;
  std::mutex write_mu_;
  const std::unique_ptr<Connection> writer_;  // guarded by write_mu_; null when read-only
  const std::unique_ptr<ConnectionPool> readers_;
};

Status PrepareWriter(Connection& w) {
  ASR_ASSIGN_OR_RETURN(std::string mode, w.QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal") {
    return UnavailableError("store " + w.path() + ": cannot switch to WAL mode (journal mode is " +
                            mode + "); put the store on a local file system");
  }
  return w.Exec("PRAGMA synchronous = FULL");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  const std::string& path = options.path;
  if (path.empty()) {
    return InvalidArgumentError("store path is empty; give the SQLite database file to use");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (options.read_only) {
    if (!fs::exists(path, ec)) {
      return FailedPreconditionError("store " + path + " does not exist; `asr serve` creates it");
    }
    auto readers = std::make_unique<ConnectionPool>(
        Connection::Options{.path = path, .mode = internal::OpenMode::kReadOnly}, "",
        kMaxIdleReaders);
    {
      ASR_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, readers->Acquire());
      ASR_RETURN_IF_ERROR(internal::CheckSchemaVersion(*lease, internal::kSchemaVersion));
    }
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(path, nullptr, std::move(readers)));
  }

  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) {
      return UnavailableError("store " + path + ": cannot create directory " + parent.string() +
                              ": " + ec.message());
    }
  }
  ASR_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> writer,
      Connection::Open({.path = path, .mode = internal::OpenMode::kReadWriteCreate}));
  ASR_RETURN_IF_ERROR(PrepareWriter(*writer));
  ASR_RETURN_IF_ERROR(internal::Migrate(*writer, internal::Migrations()));
  // Readers open the file read-write (WAL readers need the shared-memory index) but refuse to
  // write, so a bug in a read path cannot bypass the writer's discipline.
  auto readers = std::make_unique<ConnectionPool>(
      Connection::Options{.path = path, .mode = internal::OpenMode::kReadWrite},
      "PRAGMA query_only = 1", kMaxIdleReaders);
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(path, std::move(writer), std::move(readers)));
}

}  // namespace asr::store
