#include "store/internal/sqlite.h"

#include <limits>
#include <utility>

namespace asr::store::internal {

Status SqliteError(int rc, std::string_view path, std::string_view context,
                   std::string_view detail) {
  std::string message = "store " + std::string(path) + ": " + std::string(context) + ": " +
                        std::string(detail.empty() ? sqlite3_errstr(rc) : detail);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return UnavailableError(std::move(message));
    case SQLITE_CONSTRAINT:
      return ConflictError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

// --- Query -----------------------------------------------------------------------------------

Query::Query(Query&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      conn_(other.conn_),
      in_use_(std::exchange(other.in_use_, nullptr)),
      bind_rc_(other.bind_rc_),
      rc_(other.rc_) {}

Query::~Query() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  if (in_use_ != nullptr) {
    *in_use_ = false;
  }
}

void Query::BindOne(int index, std::string_view value) {
  if (value.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    bind_rc_ = SQLITE_TOOBIG;
    return;
  }
  int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

void Query::BindOne(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
  }
}

Result<bool> Query::Step() {
  if (bind_rc_ != SQLITE_OK) {
    rc_ = bind_rc_;
    return conn_->Error(bind_rc_, "bind");
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  rc_ = rc;
  return conn_->Error(rc, std::string_view(sqlite3_sql(stmt_)).substr(0, 60));
}

Status Query::Run() {
  while (true) {
    ASR_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) {
      return Status::Ok();
    }
  }
}

int64_t Query::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Query::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) {
    return {};
  }
  int size = sqlite3_column_bytes(stmt_, column);
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(size)};
}

// --- Connection ------------------------------------------------------------------------------

Connection::Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::Open(const Options& options) {
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (options.mode) {
    case OpenMode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case OpenMode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case OpenMode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 hands out a handle even on failure (it carries the message); own it at once.
  auto conn = std::make_unique<Connection>(raw, options.path);
  if (rc != SQLITE_OK) {
    if (raw == nullptr) {
      return SqliteError(rc, options.path, "open", "");
    }
    return conn->Error(rc, "open");
  }
  sqlite3_extended_result_codes(raw, 1);
  rc = sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (rc != SQLITE_OK) {
    return conn->Error(rc, "busy_timeout");
  }
  return conn;
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) {
    return Status::Ok();
  }
  std::string detail = err != nullptr ? err : "";
  sqlite3_free(err);
  return SqliteError(rc, path_, sql.substr(0, 80), detail);
}

Result<Query> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()) + 1,
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return Error(rc, "prepare " + sql.substr(0, 80));
    }
    it = cache_.emplace(sql, Cached{.stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>(stmt)})
             .first;
  }
  if (it->second.in_use) {
    return InternalError("store " + path_ + ": statement already in use: " + sql.substr(0, 60));
  }
  it->second.in_use = true;
  return Query(it->second.stmt.get(), this, &it->second.in_use);
}

Result<int64_t> Connection::QueryInt(const std::string& sql) {
  ASR_ASSIGN_OR_RETURN(Query q, Prepare(sql));
  ASR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    return InternalError("store " + path_ + ": " + sql + ": no row");
  }
  return q.Int(0);
}

Result<std::string> Connection::QueryText(const std::string& sql) {
  ASR_ASSIGN_OR_RETURN(Query q, Prepare(sql));
  ASR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    return InternalError("store " + path_ + ": " + sql + ": no row");
  }
  return q.Text(0);
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_.get()); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

Status Connection::Error(int rc, std::string_view context) const {
  // The connection's message describes the last failure only when it is about this code.
  std::string_view detail =
      (sqlite3_extended_errcode(db_.get()) == rc) ? sqlite3_errmsg(db_.get()) : "";
  return SqliteError(rc, path_, context, detail);
}

// --- ConnectionPool --------------------------------------------------------------------------

ConnectionPool::Lease::~Lease() {
  if (conn_ != nullptr) {
    pool_->Give(std::move(conn_));
  }
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  ASR_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(options_));
  if (!setup_.empty()) {
    ASR_RETURN_IF_ERROR(conn->Exec(setup_));
  }
  return Lease(this, std::move(conn));
}

void ConnectionPool::Give(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(std::move(conn));
  }
  // Otherwise `conn` closes here; the pool keeps only what steady-state concurrency needs.
}

}  // namespace asr::store::internal
