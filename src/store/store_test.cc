// Conformance suite: every test runs against both the SQLite store and the memory store, which
// must behave identically (same results, errors, ordering, dedupe, version guards, atomicity).

#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/internal/test_util.h"

namespace asr::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Ids;
using testing::MakeJob;
using testing::TempDir;
using testing::ToJson;

enum class Impl { kSqlite, kMemory };

void PrintTo(Impl impl, std::ostream* os) { *os << (impl == Impl::kSqlite ? "Sqlite" : "Memory"); }

class StoreConformanceTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    if (GetParam() == Impl::kMemory) {
      store_ = NewMemoryStore();
      return;
    }
    dir_ = std::make_unique<TempDir>();
    ASSERT_FALSE(dir_->path().empty());
    auto opened = OpenSqliteStore({.path = dir_->path() + "/asr.db"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();  // close the database before its directory goes
    dir_.reset();
  }

  void MustCommit(const Batch& b) {
    Status s = store_->Commit(b);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void InsertJobs(std::vector<JobRow> jobs) { MustCommit({.insert_jobs = std::move(jobs)}); }
  JobRow Stored(const std::string& id) {
    auto got = store_->GetJob(id);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got.ok() && got->has_value()) << id;
    return got.ok() && got->has_value() ? **got : JobRow{};
  }
  std::vector<std::string> List(const JobQuery& q) {
    auto got = store_->ListJobs(q);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? Ids(*got) : std::vector<std::string>{};
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, InsertedJobReadsBackWithEveryFieldAndVersionOne) {
  JobRow j = MakeJob("j-1");
  j.reason = "R";
  j.message = "m \"quoted\" é";
  j.hold = "spacing";
  j.not_before = 5;
  j.attempts = 2;
  j.lease_owner = "w-1";
  j.lease_until = 7;
  j.received_at = 900;
  j.finished_at = 0;
  j.data = {{"nested", {{"a", {1, 2.5, "x", nullptr, true}}}}, {"unicode", "€"}};
  InsertJobs({j});
  JobRow want = j;
  want.version = 1;
  EXPECT_EQ(ToJson(Stored("j-1")), ToJson(want));
}

TEST_P(StoreConformanceTest, UnknownIdsReadAsAbsent) {
  auto job = store_->GetJob("j-none");
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->has_value());
  auto event = store_->GetEvent("e-none");
  ASSERT_TRUE(event.ok());
  EXPECT_FALSE(event->has_value());
  auto active = store_->ActiveJobFor("dk-none");
  ASSERT_TRUE(active.ok());
  EXPECT_FALSE(active->has_value());
}

TEST_P(StoreConformanceTest, ListJobsAppliesEveryFilterNewestFirst) {
  auto job = [](std::string id, std::string state, std::string control, std::string account,
                bool terminal, Millis finished_at) {
    JobRow j = MakeJob(id);
    j.state = std::move(state);
    j.control_id = std::move(control);
    j.account_id = std::move(account);
    j.terminal = terminal;
    j.finished_at = finished_at;
    return j;
  };
  InsertJobs({job("j-1", "SUCCESS", "S3.2", "111", true, 100),
              job("j-2", "QUEUED", "S3.2", "222", false, 0),
              job("j-3", "FAILED", "EC2.19", "111", true, 300),
              job("j-4", "QUEUED", "EC2.19", "111", false, 0),
              job("j-5", "SUCCESS", "S3.2", "222", true, 500)});
  struct Case {
    std::string name;
    JobQuery query;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"all", {}, {"j-5", "j-4", "j-3", "j-2", "j-1"}},
      {"active only", {.active_only = true}, {"j-4", "j-2"}},
      {"state", {.state = "SUCCESS"}, {"j-5", "j-1"}},
      {"control", {.control_id = "EC2.19"}, {"j-4", "j-3"}},
      {"account", {.account_id = "222"}, {"j-5", "j-2"}},
      {"finding", {.finding_id = MakeJob("j-3").finding_id}, {"j-3"}},
      {"finished since", {.finished_since = 300}, {"j-5", "j-3"}},
      {"finished since excludes active", {.finished_since = 0}, {"j-5", "j-3", "j-1"}},
      {"active and finished", {.active_only = true, .finished_since = 0}, {}},
      {"combined", {.state = "QUEUED", .control_id = "S3.2"}, {"j-2"}},
      {"before id", {.before_id = "j-3"}, {"j-2", "j-1"}},
      {"before id is exclusive of an absent id", {.before_id = "j-35"}, {"j-3", "j-2", "j-1"}},
      {"limit", {.limit = 2}, {"j-5", "j-4"}},
      {"limit zero", {.limit = 0}, {}},
      {"limit after filter", {.state = "QUEUED", .limit = 1}, {"j-4"}},
      {"no match", {.state = "NOPE"}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(List(c.query), c.want);
  }
}

TEST_P(StoreConformanceTest, ListJobsPagesWithBeforeIdCursor) {
  std::vector<JobRow> jobs;
  for (int i = 0; i < 7; ++i) {
    jobs.push_back(MakeJob("j-" + std::to_string(i)));
  }
  InsertJobs(jobs);
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    std::vector<std::string> ids = List({.before_id = cursor, .limit = 3});
    if (ids.empty()) {
      break;
    }
    EXPECT_LE(ids.size(), 3U);
    seen.insert(seen.end(), ids.begin(), ids.end());
    cursor = ids.back();
  }
  EXPECT_THAT(seen, ElementsAre("j-6", "j-5", "j-4", "j-3", "j-2", "j-1", "j-0"));
}

TEST_P(StoreConformanceTest, SecondActiveJobForADedupeKeyConflictsUntilTheFirstIsTerminal) {
  InsertJobs({MakeJob("j-0", "K")});
  Status clash = store_->Commit({.insert_jobs = {MakeJob("j-1", "K")}});
  EXPECT_EQ(clash.code(), StatusCode::kConflict);
  EXPECT_THAT(clash.message(), HasSubstr("job j-1: finding \"" + MakeJob("j-1").finding_id +
                                         "\" already has active job j-0"));
  EXPECT_FALSE(Stored("j-0").terminal);
  auto absent = store_->GetJob("j-1");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());

  // A terminal job never holds the key.
  JobRow old_done = MakeJob("j-9", "K");
  old_done.terminal = true;
  InsertJobs({old_done});

  JobRow done = Stored("j-0");
  done.terminal = true;
  done.state = "SUCCESS";
  MustCommit({.update_jobs = {done}});
  InsertJobs({MakeJob("j-1", "K")});
  auto active = store_->ActiveJobFor("K");
  ASSERT_TRUE(active.ok());
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, "j-1");
}

TEST_P(StoreConformanceTest, OneBatchCanFinishAJobAndStartItsSuccessor) {
  InsertJobs({MakeJob("j-0", "K")});
  JobRow done = Stored("j-0");
  done.terminal = true;
  MustCommit({.insert_jobs = {MakeJob("j-1", "K")}, .update_jobs = {done}});
  EXPECT_TRUE(Stored("j-0").terminal);
  EXPECT_FALSE(Stored("j-1").terminal);
}

TEST_P(StoreConformanceTest, InsertConflictsNameWhatClashed) {
  InsertJobs({MakeJob("j-0", "K")});
  JobRow reactivated = MakeJob("j-2", "K");
  reactivated.terminal = true;
  InsertJobs({reactivated});
  reactivated = Stored("j-2");
  reactivated.terminal = false;
  struct Case {
    std::string name;
    Batch batch;
    StatusCode want_code;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"same id",
       {.insert_jobs = {MakeJob("j-0", "other")}},
       StatusCode::kConflict,
       "job j-0 already exists"},
      {"same id and key: the id is named",
       {.insert_jobs = {MakeJob("j-0", "K")}},
       StatusCode::kConflict,
       "job j-0 already exists"},
      {"same id twice in one batch",
       {.insert_jobs = {MakeJob("j-5"), MakeJob("j-5", "x")}},
       StatusCode::kConflict,
       "job j-5 already exists"},
      {"same key twice in one batch",
       {.insert_jobs = {MakeJob("j-5", "Z"), MakeJob("j-6", "Z")}},
       StatusCode::kConflict,
       "already has active job j-5 (dedupe key \"Z\")"},
      {"update reactivates a job whose key is taken",
       {.update_jobs = {reactivated}},
       StatusCode::kConflict,
       "job j-2: finding \"" + reactivated.finding_id +
           "\" already has active job j-0 (dedupe key \"K\")"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Status s = store_->Commit(c.batch);
    EXPECT_EQ(s.code(), c.want_code) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr(c.want_message));
  }
}

TEST_P(StoreConformanceTest, UpdateIsGuardedByVersion) {
  InsertJobs({MakeJob("j-1")});
  JobRow v1 = Stored("j-1");
  ASSERT_EQ(v1.version, 1);
  JobRow next = v1;
  next.step = "run";
  next.data["plan"] = {{"changes", 1}};
  MustCommit({.update_jobs = {next}});
  JobRow v2 = Stored("j-1");
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.step, "run");
  EXPECT_EQ(v2.data["plan"]["changes"], 1);

  JobRow stale = v1;
  stale.step = "stale";
  Status s = store_->Commit({.update_jobs = {stale}});
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_THAT(s.message(), HasSubstr("job j-1 changed concurrently: version 1 expected, 2 stored"));
  EXPECT_EQ(Stored("j-1").step, "run");

  Status missing = store_->Commit({.update_jobs = {MakeJob("j-404")}});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("job j-404 not found"));

  // Two updates of one job in one batch: the second must carry the version the first stored.
  JobRow a = v2;
  JobRow b = v2;
  b.version = 3;
  b.step = "verify";
  MustCommit({.update_jobs = {a, b}});
  EXPECT_EQ(Stored("j-1").version, 4);
  EXPECT_EQ(Stored("j-1").step, "verify");
}

size_t PendingCount(const Result<std::vector<OutboxItem>>& items) {
  EXPECT_TRUE(items.ok()) << items.status().ToString();
  return items.ok() ? items->size() : 0;
}

// Everything a reader can see, for before/after comparisons.
nlohmann::json Snapshot(Store& store) {
  nlohmann::json out;
  auto jobs = store.ListJobs({.limit = 1000});
  out["jobs"] = jobs.ok() ? ToJson(*jobs) : nlohmann::json(jobs.status().ToString());
  for (const char* job : {"j-1", "j-2", "j-new"}) {
    auto journal = store.Journal(job);
    out["journal"][job] = journal.ok() ? ToJson(*journal) : nlohmann::json("error");
    auto outbox = store.OutboxFor(job);
    out["outbox"][job] = outbox.ok() ? ToJson(*outbox) : nlohmann::json("error");
  }
  for (const char* event : {"e-1", "e-new"}) {
    auto e = store.GetEvent(event);
    out["events"][event] = e.ok() && e->has_value() ? ToJson(**e) : nlohmann::json(nullptr);
  }
  auto slots = store.ScheduleSlots();
  for (const ScheduleSlot& s : slots.ok() ? *slots : std::vector<ScheduleSlot>{}) {
    out["schedule"][s.key] = s.last_start;
  }
  auto settings = store.Settings();
  for (const Setting& s : settings.ok() ? *settings : std::vector<Setting>{}) {
    out["settings"][s.key] = {s.value, s.updated_by, s.updated_at};
  }
  return out;
}

TEST_P(StoreConformanceTest, BatchWithOneBadPartWritesNothing) {
  MustCommit({.events = {{.id = "e-1", .source = "http"}},
              .insert_jobs = {MakeJob("j-1", "K1"), MakeJob("j-2", "K2")},
              .journal = {{.job_id = "j-1", .kind = "admitted"}},
              .outbox_add = {{.job_id = "j-1", .kind = "sns", .key = "QUEUED"}},
              .schedule = {{.key = "111-us-east-1", .last_start = 1}},
              .settings = {{.key = "kill_switch", .value = "off"}}});
  const nlohmann::json before = Snapshot(*store_);
  const JobRow j1 = Stored("j-1");
  JobRow j1_next = j1;
  j1_next.state = "RUNNING";
  JobRow bad_utf8 = MakeJob("j-new", "K9");
  bad_utf8.data = {{"x", std::string("\xff\xfe")}};

  // A batch that writes to every table, plus one bad part.
  auto batch_with = [&](auto&& spoil) {
    Batch b{.events = {{.id = "e-new", .source = "sqs", .external_id = "m-1"}},
            .insert_jobs = {MakeJob("j-new", "K9")},
            .update_jobs = {j1_next},
            .journal = {{.job_id = "j-1", .kind = "state"}, {.job_id = "j-new", .kind = "x"}},
            .outbox_add = {{.job_id = "j-new", .kind = "sns", .key = "QUEUED"}},
            .outbox_update = {},
            .schedule = {{.key = "111-us-east-1", .last_start = 99},
                         {.key = "222-eu-west-1", .last_start = 99}},
            .settings = {{.key = "kill_switch", .value = "on"}, {.key = "control:S3.2"}}};
    spoil(b);
    return b;
  };
  struct Case {
    std::string name;
    Batch batch;
    StatusCode want;
  };
  const std::vector<Case> cases = {
      {"event id exists", batch_with([](Batch& b) { b.events.push_back({.id = "e-1"}); }),
       StatusCode::kConflict},
      {"dedupe clash", batch_with([](Batch& b) { b.insert_jobs.push_back(MakeJob("j-3", "K2")); }),
       StatusCode::kConflict},
      {"stale version", batch_with([&](Batch& b) { b.update_jobs.push_back(j1); }),
       StatusCode::kConflict},
      {"missing job", batch_with([](Batch& b) { b.update_jobs.push_back(MakeJob("j-404")); }),
       StatusCode::kNotFound},
      {"missing outbox item",
       batch_with([](Batch& b) { b.outbox_update.push_back({.id = 999, .done = true}); }),
       StatusCode::kNotFound},
      {"data not UTF-8", batch_with([&](Batch& b) { b.insert_jobs = {bad_utf8}; }),
       StatusCode::kInvalidArgument},
      {"journal detail not UTF-8", batch_with([](Batch& b) {
         b.journal.push_back({.job_id = "j-1", .detail = {{"x", std::string("\xc3")}}});
       }),
       StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Status s = store_->Commit(c.batch);
    EXPECT_EQ(s.code(), c.want) << s.ToString();
    EXPECT_EQ(Snapshot(*store_), before);
  }
  // The failed batches consumed no sequence numbers either, and the store still takes writes.
  MustCommit({.journal = {{.job_id = "j-1", .kind = "after"}}});
  auto journal = store_->Journal("j-1");
  ASSERT_TRUE(journal.ok());
  ASSERT_EQ(journal->size(), 2U);
  EXPECT_EQ((*journal)[1].seq, (*journal)[0].seq + 1);
}

TEST_P(StoreConformanceTest, JournalKeepsCommitOrderPerJob) {
  MustCommit({.journal = {{.job_id = "j-1", .at = 1, .kind = "admitted"},
                          {.job_id = "j-2", .at = 2, .kind = "admitted"},
                          {.job_id = "j-1", .at = 3, .kind = "state", .detail = {{"to", "RUN"}}}}});
  MustCommit(
      {.journal = {
           {.job_id = "j-1", .at = 4, .kind = "aws_call", .detail = {{"request_id", "r-1"}}}}});
  auto journal = store_->Journal("j-1");
  ASSERT_TRUE(journal.ok());
  std::vector<std::string> kinds;
  for (size_t i = 0; i < journal->size(); ++i) {
    kinds.push_back((*journal)[i].kind);
    EXPECT_EQ((*journal)[i].job_id, "j-1");
    if (i > 0) {
      EXPECT_GT((*journal)[i].seq, (*journal)[i - 1].seq);
    }
  }
  EXPECT_THAT(kinds, ElementsAre("admitted", "state", "aws_call"));
  EXPECT_EQ((*journal)[1].detail["to"], "RUN");
  EXPECT_EQ((*journal)[2].detail["request_id"], "r-1");
  EXPECT_EQ((*journal)[2].at, 4);
  auto other = store_->Journal("j-2");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1U);
  EXPECT_GT((*other)[0].seq, (*journal)[0].seq);
  EXPECT_LT((*other)[0].seq, (*journal)[1].seq);
}

TEST_P(StoreConformanceTest, OutboxAddOfAnExistingKeyIsIgnored) {
  MustCommit({.outbox_add = {{.job_id = "j-1",
                              .kind = "sns",
                              .key = "QUEUED",
                              .payload = {{"v", 1}},
                              .created_at = 10}}});
  MustCommit(
      {.outbox_add = {{.job_id = "j-1", .kind = "sns", .key = "QUEUED", .payload = {{"v", 2}}},
                      {.job_id = "j-1", .kind = "sns", .key = "SUCCESS"},
                      {.job_id = "j-1", .kind = "securityhub", .key = "QUEUED"},
                      {.job_id = "j-1", .kind = "sns", .key = "SUCCESS"}}});
  auto items = store_->OutboxFor("j-1");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3U);
  EXPECT_EQ((*items)[0].payload["v"], 1);
  EXPECT_EQ((*items)[0].created_at, 10);
  EXPECT_EQ((*items)[1].kind + "/" + (*items)[1].key, "sns/SUCCESS");
  EXPECT_EQ((*items)[2].kind + "/" + (*items)[2].key, "securityhub/QUEUED");
  EXPECT_LT((*items)[0].id, (*items)[1].id);
  EXPECT_LT((*items)[1].id, (*items)[2].id);
}

TEST_P(StoreConformanceTest, PendingOutboxFiltersByDueTimeAndDoneOldestFirst) {
  MustCommit({.outbox_add = {{.job_id = "j-1", .kind = "a", .next_attempt = 50},
                             {.job_id = "j-1", .kind = "b", .next_attempt = 10},
                             {.job_id = "j-1", .kind = "c", .next_attempt = 0, .done = true},
                             {.job_id = "j-2", .kind = "d", .next_attempt = 30},
                             {.job_id = "j-2", .kind = "e", .next_attempt = 100}}});
  auto kinds = [&](Millis now, size_t limit) {
    auto items = store_->PendingOutbox(now, limit);
    EXPECT_TRUE(items.ok());
    std::string out;
    for (const OutboxItem& o : items.ok() ? *items : std::vector<OutboxItem>{}) {
      out += o.kind;
    }
    return out;
  };
  struct Case {
    Millis now;
    size_t limit;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{0, 10, ""},
                                         {10, 10, "b"},
                                         {30, 10, "bd"},
                                         {50, 10, "abd"},
                                         {1000, 10, "abde"},
                                         {1000, 2, "ab"},
                                         {1000, 0, ""}}) {
    SCOPED_TRACE("now=" + std::to_string(c.now) + " limit=" + std::to_string(c.limit));
    EXPECT_EQ(kinds(c.now, c.limit), c.want);
  }
}

TEST_P(StoreConformanceTest, OutboxUpdateChangesDeliveryFieldsOnly) {
  MustCommit({.outbox_add = {{.job_id = "j-1",
                              .kind = "sns",
                              .key = "QUEUED",
                              .payload = {{"v", 1}},
                              .created_at = 10}}});
  auto items = store_->OutboxFor("j-1");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1U);
  OutboxItem retry = (*items)[0];
  retry.attempts = 1;
  retry.next_attempt = 500;
  retry.last_error = "Throttling";
  retry.kind = "ignored";
  retry.payload = {{"v", 2}};
  MustCommit({.outbox_update = {retry}});
  auto after = store_->OutboxFor("j-1");
  ASSERT_TRUE(after.ok());
  OutboxItem want = (*items)[0];
  want.attempts = 1;
  want.next_attempt = 500;
  want.last_error = "Throttling";
  EXPECT_EQ(ToJson(*after), ToJson(std::vector<OutboxItem>{want}));
  EXPECT_EQ(PendingCount(store_->PendingOutbox(499, 10)), 0U);
  EXPECT_EQ(PendingCount(store_->PendingOutbox(500, 10)), 1U);

  retry.done = true;
  retry.done_at = 600;
  MustCommit({.outbox_update = {retry}});
  EXPECT_EQ(PendingCount(store_->PendingOutbox(10000, 10)), 0U);
  auto done = store_->OutboxFor("j-1");
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE((*done)[0].done);
  EXPECT_EQ((*done)[0].done_at, 600);

  Status missing = store_->Commit({.outbox_update = {{.id = 4242}}});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("outbox item 4242 not found"));
}

TEST_P(StoreConformanceTest, ScheduleAndSettingsAreUpsertedByKey) {
  MustCommit(
      {.schedule = {{.key = "222-eu-west-1", .last_start = 5},
                    {.key = "111-us-east-1", .last_start = 1}},
       .settings = {{.key = "kill_switch", .value = "off", .updated_by = "a", .updated_at = 1}}});
  MustCommit(
      {.schedule = {{.key = "111-us-east-1", .last_start = 9}},
       .settings = {{.key = "kill_switch", .value = "on", .updated_by = "b", .updated_at = 2},
                    {.key = "control:S3.2", .value = "auto"}}});
  auto slots = store_->ScheduleSlots();
  ASSERT_TRUE(slots.ok());
  ASSERT_EQ(slots->size(), 2U);
  EXPECT_EQ((*slots)[0].key, "111-us-east-1");
  EXPECT_EQ((*slots)[0].last_start, 9);
  EXPECT_EQ((*slots)[1].key, "222-eu-west-1");
  EXPECT_EQ((*slots)[1].last_start, 5);
  auto settings = store_->Settings();
  ASSERT_TRUE(settings.ok());
  ASSERT_EQ(settings->size(), 2U);
  EXPECT_EQ((*settings)[0].key, "control:S3.2");
  EXPECT_EQ((*settings)[0].value, "auto");
  EXPECT_EQ((*settings)[1].key, "kill_switch");
  EXPECT_EQ((*settings)[1].value, "on");
  EXPECT_EQ((*settings)[1].updated_by, "b");
  EXPECT_EQ((*settings)[1].updated_at, 2);
}

TEST_P(StoreConformanceTest, EventsAreFoundByIdAndByExternalId) {
  EventRow e1{.id = "e-1",
              .source = "sqs",
              .external_id = "m-1",
              .received_at = 7,
              .findings = 3,
              .body_sha256 = "abc"};
  MustCommit({.events = {e1,
                         {.id = "e-2", .source = "http", .external_id = "m-1"},
                         {.id = "e-3", .source = "cli"},
                         {.id = "e-4", .source = "cli"}}});
  auto got = store_->GetEvent("e-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(ToJson(**got), ToJson(e1));
  struct Case {
    std::string source, external_id;
    std::string want;  // "" = absent
  };
  for (const Case& c : std::vector<Case>{{"sqs", "m-1", "e-1"},
                                         {"http", "m-1", "e-2"},
                                         {"sweep", "m-1", ""},
                                         {"sqs", "m-2", ""},
                                         {"cli", "", ""}}) {
    SCOPED_TRACE(c.source + "/" + c.external_id);
    auto found = store_->EventByExternalId(c.source, c.external_id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->has_value() ? (*found)->id : "", c.want);
  }
  Status same_id = store_->Commit({.events = {{.id = "e-1", .source = "http"}}});
  EXPECT_EQ(same_id.code(), StatusCode::kConflict);
  EXPECT_THAT(same_id.message(), HasSubstr("event e-1 already exists"));
  Status redelivered =
      store_->Commit({.events = {{.id = "e-9", .source = "sqs", .external_id = "m-1"}}});
  EXPECT_EQ(redelivered.code(), StatusCode::kConflict);
  EXPECT_THAT(redelivered.message(), HasSubstr("already accepted as event e-1"));
}

TEST_P(StoreConformanceTest, JobsOfEventAndActiveJobsComeInCreationOrder) {
  auto job = [](std::string id, std::string event, bool terminal) {
    JobRow j = MakeJob(std::move(id));
    j.event_id = std::move(event);
    j.terminal = terminal;
    return j;
  };
  InsertJobs({job("j-3", "e-1", false), job("j-1", "e-1", true)});
  InsertJobs({job("j-2", "e-2", false), job("j-4", "e-1", false)});
  auto of_event = store_->JobsOfEvent("e-1");
  ASSERT_TRUE(of_event.ok());
  EXPECT_THAT(Ids(*of_event), ElementsAre("j-1", "j-3", "j-4"));
  auto active = store_->ActiveJobs();
  ASSERT_TRUE(active.ok());
  EXPECT_THAT(Ids(*active), ElementsAre("j-2", "j-3", "j-4"));
  auto none = store_->JobsOfEvent("e-404");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, EmptyBatchCommitsNothing) {
  EXPECT_TRUE(store_->Commit({}).ok());
  EXPECT_TRUE(List({}).empty());
}

INSTANTIATE_TEST_SUITE_P(Impls, StoreConformanceTest,
                         ::testing::Values(Impl::kSqlite, Impl::kMemory),
                         [](const ::testing::TestParamInfo<Impl>& param) {
                           return param.param == Impl::kSqlite ? "Sqlite" : "Memory";
                         });

}  // namespace
}  // namespace asr::store
