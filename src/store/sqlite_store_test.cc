// Tests of what only the SQLite store has: a file, a schema version, durability, read-only
// opens, several connections and processes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/internal/schema.h"
#include "store/internal/sqlite.h"
#include "store/internal/test_util.h"
#include "store/store.h"

namespace asr::store {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::MakeJob;
using testing::TempDir;
using testing::ToJson;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  [[nodiscard]] std::string DbPath() const { return dir_.path() + "/data/asr.db"; }

  std::unique_ptr<Store> MustOpen() { return MustOpen({.path = DbPath()}); }
  std::unique_ptr<Store> MustOpenReadOnly() {
    return MustOpen({.path = DbPath(), .read_only = true});
  }
  static std::unique_ptr<Store> MustOpen(const SqliteOptions& options) {
    auto opened = OpenSqliteStore(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  // A raw connection for looking under the store (user_version, integrity).
  std::unique_ptr<internal::Connection> Raw() {
    auto conn = internal::Connection::Open(
        {.path = DbPath(), .mode = internal::OpenMode::kReadWriteCreate});
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(*conn) : nullptr;
  }

  int64_t UserVersion() {
    auto raw = Raw();
    auto version = raw->QueryInt("PRAGMA user_version");
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    return version.ok() ? *version : -1;
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, CommittedDataSurvivesReopen) {
  JobRow job = MakeJob("j-1");
  job.data = {{"plan", {{"changes", {"a", "b"}}}}};
  {
    auto store = MustOpen();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store
                    ->Commit({.events = {{.id = "e-1", .source = "sqs", .external_id = "m"}},
                              .insert_jobs = {job},
                              .journal = {{.job_id = "j-1", .kind = "admitted"}},
                              .outbox_add = {{.job_id = "j-1", .kind = "sns", .key = "Q"}},
                              .schedule = {{.key = "k", .last_start = 3}},
                              .settings = {{.key = "kill_switch", .value = "on"}}})
                    .ok());
  }
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  auto got = store->GetJob("j-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  job.version = 1;
  EXPECT_EQ(ToJson(**got), ToJson(job));
  EXPECT_EQ(store->Journal("j-1")->size(), 1U);
  EXPECT_EQ(store->OutboxFor("j-1")->size(), 1U);
  EXPECT_EQ(store->ScheduleSlots()->size(), 1U);
  EXPECT_EQ(store->Settings()->size(), 1U);
  EXPECT_TRUE(store->EventByExternalId("sqs", "m")->has_value());
}

TEST_F(SqliteStoreTest, OpenCreatesDirectoryAndSchemaInWalMode) {
  ASSERT_NE(MustOpen(), nullptr);
  EXPECT_EQ(UserVersion(), internal::kSchemaVersion);
  auto mode = Raw()->QueryText("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
}

TEST_F(SqliteStoreTest, MigratesAnEmptyFile) {
  std::filesystem::create_directories(dir_.path() + "/data");
  std::ofstream(DbPath()).close();
  ASSERT_EQ(std::filesystem::file_size(DbPath()), 0U);
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(UserVersion(), internal::kSchemaVersion);
  EXPECT_TRUE(store->Commit({.insert_jobs = {MakeJob("j-1")}}).ok());
}

TEST_F(SqliteStoreTest, RefusesASchemaWrittenByANewerAsr) {
  ASSERT_NE(MustOpen(), nullptr);
  const int newer = internal::kSchemaVersion + 1;
  ASSERT_TRUE(Raw()->Exec("PRAGMA user_version = " + std::to_string(newer)).ok());
  for (bool read_only : {false, true}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    auto opened = OpenSqliteStore({.path = DbPath(), .read_only = read_only});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(opened.status().message(),
                AllOf(HasSubstr(DbPath()), HasSubstr("version " + std::to_string(newer)),
                      HasSubstr("up to " + std::to_string(internal::kSchemaVersion))));
  }
  EXPECT_EQ(UserVersion(), newer);  // untouched
}

TEST_F(SqliteStoreTest, MigrationRunsMissingStepsInOneTransaction) {
  std::filesystem::create_directories(dir_.path() + "/data");
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  const std::array<std::string_view, 2> steps = {"CREATE TABLE t (a INTEGER)",
                                                 "ALTER TABLE t ADD COLUMN b TEXT"};
  ASSERT_TRUE(internal::Migrate(*raw, std::span(steps).first(1)).ok());
  EXPECT_EQ(*raw->QueryInt("PRAGMA user_version"), 1);
  ASSERT_TRUE(internal::Migrate(*raw, steps).ok());
  EXPECT_EQ(*raw->QueryInt("PRAGMA user_version"), 2);
  EXPECT_TRUE(raw->Exec("INSERT INTO t (a, b) VALUES (1, 'x')").ok());
  ASSERT_TRUE(internal::Migrate(*raw, steps).ok());  // nothing left to do

  // A failing step leaves neither its predecessors' changes nor a new version behind.
  const std::array<std::string_view, 4> broken = {steps[0], steps[1], "CREATE TABLE u (x)",
                                                  "THIS IS NOT SQL"};
  Status failed = internal::Migrate(*raw, broken);
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("migrate schema to version 4"));
  EXPECT_EQ(*raw->QueryInt("PRAGMA user_version"), 2);
  EXPECT_FALSE(raw->Exec("SELECT * FROM u").ok());
  EXPECT_FALSE(raw->InTransaction());
}

TEST_F(SqliteStoreTest, ReadOnlyStoreReadsButRefusesCommits) {
  auto writer = MustOpen();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Commit({.insert_jobs = {MakeJob("j-1")}}).ok());
  auto reader = MustOpenReadOnly();
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->GetJob("j-1")->has_value());
  Status s = reader->Commit({.insert_jobs = {MakeJob("j-2")}});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("read-only"));
  // It sees what the live writer commits afterwards.
  ASSERT_TRUE(writer->Commit({.insert_jobs = {MakeJob("j-3")}}).ok());
  EXPECT_TRUE(reader->GetJob("j-3")->has_value());
  EXPECT_FALSE(reader->GetJob("j-2")->has_value());
}

TEST_F(SqliteStoreTest, ReadOnlyOpenNeverCreatesOrMigrates) {
  struct Case {
    std::string name;
    bool create_empty_file;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{"missing file", false, "does not exist"},
                                         {"no schema", true, "has no asr schema"}}) {
    SCOPED_TRACE(c.name);
    if (c.create_empty_file) {
      std::filesystem::create_directories(dir_.path() + "/data");
      std::ofstream(DbPath()).close();
    }
    auto opened = OpenSqliteStore({.path = DbPath(), .read_only = true});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(opened.status().message(),
                AllOf(HasSubstr(DbPath()), HasSubstr(c.want), HasSubstr("`asr serve`")));
  }
  EXPECT_EQ(UserVersion(), 0);
}

TEST_F(SqliteStoreTest, UnusableLocationsFailNamingTheFile) {
  const std::string file = dir_.path() + "/plain-file";
  std::ofstream(file) << "not a directory";
  auto under_file = OpenSqliteStore({.path = file + "/asr.db"});
  ASSERT_FALSE(under_file.ok());
  EXPECT_EQ(under_file.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(under_file.status().message(), HasSubstr(file + "/asr.db"));

  auto not_a_db = OpenSqliteStore({.path = file});
  ASSERT_FALSE(not_a_db.ok());
  EXPECT_THAT(not_a_db.status().message(), HasSubstr(file));

  auto empty = OpenSqliteStore({.path = ""});
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteErrorTest, MapsResultCodesToStatusCodesNamingTheFile) {
  struct Case {
    int rc;
    StatusCode want;
  };
  for (const Case& c : std::vector<Case>{{SQLITE_BUSY, StatusCode::kUnavailable},
                                         {SQLITE_BUSY_SNAPSHOT, StatusCode::kUnavailable},
                                         {SQLITE_LOCKED, StatusCode::kUnavailable},
                                         {SQLITE_IOERR_FSYNC, StatusCode::kUnavailable},
                                         {SQLITE_FULL, StatusCode::kUnavailable},
                                         {SQLITE_CANTOPEN, StatusCode::kUnavailable},
                                         {SQLITE_CONSTRAINT_UNIQUE, StatusCode::kConflict},
                                         {SQLITE_CORRUPT, StatusCode::kInternal},
                                         {SQLITE_MISUSE, StatusCode::kInternal}}) {
    SCOPED_TRACE(sqlite3_errstr(c.rc));
    Status s = internal::SqliteError(c.rc, "/data/asr.db", "commit", "");
    EXPECT_EQ(s.code(), c.want);
    EXPECT_THAT(s.message(), AllOf(HasSubstr("/data/asr.db"), HasSubstr("commit")));
  }
}

TEST_F(SqliteStoreTest, ALockedDatabaseIsUnavailable) {
  ASSERT_NE(MustOpen(), nullptr);
  auto holder = Raw();
  ASSERT_TRUE(holder->Exec("BEGIN IMMEDIATE").ok());
  auto other = internal::Connection::Open(
      {.path = DbPath(), .mode = internal::OpenMode::kReadWrite, .busy_timeout_ms = 0});
  ASSERT_TRUE(other.ok());
  Status s = (*other)->Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_THAT(s.message(), HasSubstr(DbPath()));
  EXPECT_TRUE(holder->Exec("ROLLBACK").ok());
}

TEST_F(SqliteStoreTest, ConcurrentCommitsAllLandWithDistinctSeq) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4;
  constexpr int kCommits = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string job = "j-" + std::to_string(t);
      for (int i = 0; i < kCommits; ++i) {
        Batch b{.journal = {{.job_id = job, .at = i, .kind = "step"}}};
        if (i == 0) {
          b.insert_jobs.push_back(MakeJob(job));
        }
        if (!store->Commit(b).ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  std::set<int64_t> seqs;
  for (int t = 0; t < kThreads; ++t) {
    auto journal = store->Journal("j-" + std::to_string(t));
    ASSERT_TRUE(journal.ok());
    ASSERT_EQ(journal->size(), static_cast<size_t>(kCommits));
    for (int i = 0; i < kCommits; ++i) {
      EXPECT_EQ((*journal)[static_cast<size_t>(i)].at, i);  // each thread's own order is kept
      seqs.insert((*journal)[static_cast<size_t>(i)].seq);
    }
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kThreads * kCommits));
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), kThreads * kCommits);
}

TEST_F(SqliteStoreTest, ReadersSeeOnlyWholeCommitsWhileAWriterRuns) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  JobRow counter = MakeJob("j-counter");
  counter.data = {{"n", 0}};
  counter.message = "0";
  ASSERT_TRUE(store->Commit({.insert_jobs = {counter}}).ok());
  counter.version = 1;

  constexpr int kCommits = 150;
  std::atomic<bool> done{false};
  std::atomic<int> writer_failures{0};
  std::thread writer([&] {
    for (int n = 1; n <= kCommits; ++n) {
      counter.data["n"] = n;
      counter.message = std::to_string(n);
      Batch b{.insert_jobs = {MakeJob("j-" + std::to_string(1000 + n))}, .update_jobs = {counter}};
      if (!store->Commit(b).ok()) {
        writer_failures.fetch_add(1);
      }
      ++counter.version;
    }
    done = true;
  });
  auto read_loop = [&](std::vector<std::string>* errors) {
    int last = 0;
    int reads = 0;
    while (!done.load() || reads == 0) {
      ++reads;
      auto job = store->GetJob("j-counter");
      if (!job.ok() || !job->has_value()) {
        errors->push_back("GetJob: " + job.status().ToString());
        return;
      }
      const JobRow& row = **job;
      int n = row.data["n"].get<int>();
      if (row.message != std::to_string(n) || row.version != n + 1 || n < last) {
        errors->push_back("torn or stale row: " + ToJson(row).dump());
        return;
      }
      last = n;
      // Read later than the counter, so at least as many jobs are visible as it counts.
      auto active = store->ActiveJobs();
      if (!active.ok() || active->size() < static_cast<size_t>(n) + 1) {
        errors->push_back("active jobs behind the counter at n=" + std::to_string(n));
        return;
      }
    }
  };
  std::vector<std::string> errors_a;
  std::vector<std::string> errors_b;
  std::thread reader_a(read_loop, &errors_a);
  std::thread reader_b(read_loop, &errors_b);
  writer.join();
  reader_a.join();
  reader_b.join();
  EXPECT_EQ(writer_failures.load(), 0);
  EXPECT_THAT(errors_a, ::testing::IsEmpty());
  EXPECT_THAT(errors_b, ::testing::IsEmpty());
  EXPECT_EQ(store->ActiveJobs()->size(), static_cast<size_t>(kCommits) + 1);
}

// A child process commits in a loop and reports each id whose Commit returned OK through a
// pipe; the parent kills it with SIGKILL mid-way. Every reported job must be in the reopened
// database, whole.
TEST_F(SqliteStoreTest, CommitsThatReturnedSurviveSigkill) {
  ASSERT_NE(MustOpen(), nullptr);  // schema in place; closed again before fork
  std::array<int, 2> fds{};
  ASSERT_EQ(pipe(fds.data()), 0);
  const std::string blob(3000, 'x');  // rows spanning pages make torn writes possible
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = OpenSqliteStore({.path = DbPath()});
    if (!store.ok()) {
      _exit(2);
    }
    for (int i = 0; i < 1000000; ++i) {
      JobRow job = MakeJob("j-" + std::to_string(100000 + i));
      job.data = {{"n", i}, {"blob", blob}};
      Batch b{.insert_jobs = {job},
              .journal = {{.job_id = job.id, .kind = "admitted", .detail = {{"n", i}}}},
              .outbox_add = {{.job_id = job.id, .kind = "sns", .key = "QUEUED"}}};
      if (!(*store)->Commit(b).ok()) {
        _exit(3);
      }
      std::string line = job.id + "\n";
      if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        _exit(4);
      }
    }
    _exit(5);
  }
  close(fds[1]);
  std::vector<std::string> ids;
  std::string pending;
  bool killed = false;
  std::array<char, 4096> buf{};
  while (true) {
    ssize_t n = read(fds[0], buf.data(), buf.size());
    if (n <= 0) {
      break;  // EOF: the child is gone
    }
    pending.append(buf.data(), static_cast<size_t>(n));
    for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      ids.push_back(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
    if (!killed && ids.size() >= 150) {
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);
  ASSERT_GE(ids.size(), 150U);

  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  for (const std::string& id : ids) {
    auto job = store->GetJob(id);
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    ASSERT_TRUE(job->has_value()) << id << " was committed but is missing";
    const int n = std::stoi(id.substr(2)) - 100000;
    EXPECT_EQ((*job)->data["n"], n);
    EXPECT_EQ((*job)->data["blob"], blob);
    EXPECT_EQ((*job)->version, 1);
    auto journal = store->Journal(id);
    ASSERT_TRUE(journal.ok());
    EXPECT_EQ(journal->size(), 1U) << id;
    auto outbox = store->OutboxFor(id);
    ASSERT_TRUE(outbox.ok());
    EXPECT_EQ(outbox->size(), 1U) << id;
  }
  auto integrity = Raw()->QueryText("PRAGMA integrity_check");
  ASSERT_TRUE(integrity.ok());
  EXPECT_EQ(*integrity, "ok");
  // The store still takes writes after the crash.
  EXPECT_TRUE(store->Commit({.insert_jobs = {MakeJob("j-after")}}).ok());
}

}  // namespace
}  // namespace asr::store
