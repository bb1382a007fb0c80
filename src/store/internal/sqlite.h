#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace asr::store::internal {

// Small RAII layer over the SQLite C API, private to the store. Not a general-purpose wrapper:
// it offers what sqlite_store.cc needs (cached prepared statements, positional binding, typed
// columns, error mapping that names the database file).

// Maps a SQLite result code to a Status whose message names the file and what was being done:
// "store /var/asr/asr.db: commit: disk I/O error". SQLITE_BUSY, SQLITE_LOCKED, I/O errors, a full
// disk, SQLITE_CANTOPEN and SQLITE_READONLY give Unavailable (retryable; nothing was written);
// a constraint violation gives Conflict; anything else Internal.
[[nodiscard]] Status SqliteError(int rc, std::string_view path, std::string_view context,
                                 std::string_view detail);

enum class OpenMode {
  kReadWriteCreate,  // creates the file when missing
  kReadWrite,        // the file must exist
  kReadOnly,         // SQLITE_OPEN_READONLY
};

class Connection;

// One use of a cached prepared statement: bind, step, read columns. Resets the statement and
// clears its bindings when destroyed, so the next user starts clean. Borrowed from (and must not
// outlive) its Connection. Not thread-safe (neither is its Connection).
class Query final {
 public:
  // `in_use` is the cache's flag for this statement; the Query clears it when destroyed.
  Query(sqlite3_stmt* stmt, const Connection* conn, bool* in_use)
      : stmt_(stmt), conn_(conn), in_use_(in_use) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Binds parameters ?1, ?2, ... in order. A binding error is reported by the next Step().
  template <typename... Args>
  void BindAll(const Args&... args) {
    int index = 0;
    (BindOne(++index, args), ...);
  }
  void BindOne(int index, std::string_view value);
  void BindOne(int index, const char* value) { BindOne(index, std::string_view(value)); }
  void BindOne(int index, int64_t value);
  void BindOne(int index, int value) { BindOne(index, int64_t{value}); }
  void BindOne(int index, bool value) { BindOne(index, int64_t{value ? 1 : 0}); }

  // Advances: true when a row is ready, false when the statement is done. Errors as SqliteError;
  // the raw result code of the last failure is in rc().
  [[nodiscard]] Result<bool> Step();
  // Steps to completion, ignoring any rows.
  [[nodiscard]] Status Run();
  // The extended result code of the last failed Step() (SQLITE_OK before any failure).
  [[nodiscard]] int rc() const { return rc_; }

  [[nodiscard]] int64_t Int(int column) const;
  [[nodiscard]] bool Bool(int column) const { return Int(column) != 0; }
  [[nodiscard]] std::string Text(int column) const;

 private:
  sqlite3_stmt* stmt_;
  const Connection* conn_;
  bool* in_use_;
  int bind_rc_ = SQLITE_OK;
  int rc_ = SQLITE_OK;
};

// One SQLite connection with a cache of prepared statements. Opened with extended result codes,
// SQLITE_OPEN_NOMUTEX (the owner serialises use) and a busy timeout. Not thread-safe: use it from
// one thread at a time.
class Connection final {
 public:
  struct Options {
    std::string path;
    OpenMode mode = OpenMode::kReadWrite;
    int busy_timeout_ms = 5000;
  };
  // Errors: Unavailable when the file cannot be opened (naming it).
  [[nodiscard]] static Result<std::unique_ptr<Connection>> Open(const Options& options);

  // Adopts an open handle (closed when this is destroyed). `path` is for messages.
  Connection(sqlite3* db, std::string path);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements, discarding any rows (DDL, PRAGMA assignments).
  [[nodiscard]] Status Exec(const std::string& sql);
  // A statement prepared once per connection and reused. The returned Query borrows it; asking
  // for the same SQL again while that Query is alive is a programming error (Internal).
  [[nodiscard]] Result<Query> Prepare(const std::string& sql);
  // Convenience: the first column of the first row as an integer (e.g. PRAGMA user_version).
  [[nodiscard]] Result<int64_t> QueryInt(const std::string& sql);
  // Same, as text.
  [[nodiscard]] Result<std::string> QueryText(const std::string& sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  [[nodiscard]] int64_t Changes() const;
  // True while a transaction is open (BEGIN without COMMIT/ROLLBACK yet).
  [[nodiscard]] bool InTransaction() const;
  // SqliteError for `rc` with this connection's last error message.
  [[nodiscard]] Status Error(int rc, std::string_view context) const;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] sqlite3* raw() const { return db_.get(); }

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };

  // Declared first so that it is destroyed last, after every cached statement is finalised.
  std::unique_ptr<sqlite3, DbCloser> db_;
  struct Cached {
    std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt;
    bool in_use = false;
  };
  std::unordered_map<std::string, Cached> cache_;
  std::string path_;
};

// Connections for readers, reused across calls. Acquire() hands out an idle connection or opens
// a new one; the lease gives it back when destroyed (keeping at most `max_idle`). Thread-safe.
class ConnectionPool final {
 public:
  class Lease final {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // `setup` runs SQL (PRAGMAs) on every newly opened connection.
  ConnectionPool(Connection::Options options, std::string setup, size_t max_idle)
      : options_(std::move(options)), setup_(std::move(setup)), max_idle_(max_idle) {}

  [[nodiscard]] Result<Lease> Acquire();
  // Adds an already opened connection to the idle list.
  void Give(std::unique_ptr<Connection> conn);

 private:
  Connection::Options options_;
  std::string setup_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

}  // namespace asr::store::internal
