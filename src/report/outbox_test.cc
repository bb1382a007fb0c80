#include "report/outbox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/model.h"
#include "aws/testing/scripted_transport.h"
#include "report/finding_update.h"
#include "report/notification.h"

namespace asr::report {
namespace {

using aws::testing::JsonResponse;
using aws::testing::QueryAction;
using aws::testing::QueryError;
using aws::testing::RestJsonError;
using aws::testing::XmlResponse;
using nlohmann::json;
using std::chrono::milliseconds;

const std::chrono::system_clock::time_point kStart{std::chrono::seconds(1'800'000'000)};
constexpr store::Millis kStartMs = 1'800'000'000'000;
constexpr const char* kProduct = "arn:aws:securityhub:us-east-1::product/aws/securityhub";

class FixedRandom final : public aws::Random {
 public:
  double Uniform() override { return 0.5; }
};

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(milliseconds /*duration*/) override {}
};

// Delegates to a memory store; Commit or PendingOutbox fail on demand.
class FlakyStore final : public store::Store {
 public:
  bool fail_commit = false;
  bool fail_pending = false;
  std::unique_ptr<store::Store> inner = store::NewMemoryStore();

  Status Commit(const store::Batch& batch) override {
    if (fail_commit) {
      return UnavailableError("disk full");
    }
    return inner->Commit(batch);
  }
  Result<std::optional<store::JobRow>> GetJob(const std::string& id) override {
    return inner->GetJob(id);
  }
  Result<std::optional<store::JobRow>> ActiveJobFor(const std::string& key) override {
    return inner->ActiveJobFor(key);
  }
  Result<std::vector<store::JobRow>> ListJobs(const store::JobQuery& q) override {
    return inner->ListJobs(q);
  }
  Result<std::vector<store::JobRow>> ActiveJobs() override { return inner->ActiveJobs(); }
  Result<std::vector<store::JournalEntry>> Journal(const std::string& id) override {
    return inner->Journal(id);
  }
  Result<std::vector<store::OutboxItem>> PendingOutbox(store::Millis now, size_t limit) override {
    if (fail_pending) {
      return UnavailableError("locked");
    }
    return inner->PendingOutbox(now, limit);
  }
  Result<std::vector<store::OutboxItem>> OutboxFor(const std::string& id) override {
    return inner->OutboxFor(id);
  }
  Result<std::vector<store::ScheduleSlot>> ScheduleSlots() override {
    return inner->ScheduleSlots();
  }
  Result<std::vector<store::Setting>> Settings() override { return inner->Settings(); }
  Result<std::optional<store::EventRow>> GetEvent(const std::string& id) override {
    return inner->GetEvent(id);
  }
  Result<std::optional<store::EventRow>> EventByExternalId(const std::string& s,
                                                           const std::string& e) override {
    return inner->EventByExternalId(s, e);
  }
  Result<std::vector<store::JobRow>> JobsOfEvent(const std::string& id) override {
    return inner->JobsOfEvent(id);
  }
};

const char* const kPublishOk =
    R"(<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>)"
    R"(<MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>)"
    R"(</ResponseMetadata></PublishResponse>)";
const char* const kBatchOk = R"({"ProcessedFindings":[],"UnprocessedFindings":[]})";

// Form fields of a query-protocol body (application/x-www-form-urlencoded).
std::map<std::string, std::string> Form(std::string body) {
  std::replace(body.begin(), body.end(), '+', ' ');
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) {
      amp = body.size();
    }
    const std::string pair = body.substr(pos, amp - pos);
    const size_t eq = pair.find('=');
    out[aws::UriDecode(pair.substr(0, eq))] =
        eq == std::string::npos ? "" : aws::UriDecode(pair.substr(eq + 1));
    pos = amp + 1;
  }
  return out;
}

bool IsBatchUpdate(const aws::HttpRequest& r) {
  return r.method == "PATCH" && r.path == "/findings/batchupdate";
}

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest()
      : admin_(aws::Credentials{.access_key_id = "AKIDADMIN", .secret_access_key = "s"}),
        default_creds_(aws::Credentials{.access_key_id = "AKIDDEFAULT", .secret_access_key = "s"}),
        clock_(kStart),
        logger_(sink_, clock_, LogLevel::kDebug),
        client_(transport_, default_creds_, aws::BuiltinModels(), clock_, sleeper_, random_,
                &logger_, aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}}),
        metrics_(NewAsrMetrics()) {}

  DispatcherOptions Options() {
    return {.credentials = &admin_, .metrics = metrics_.get(), .random = &random_};
  }
  OutboxDispatcher Dispatcher(DispatcherOptions options) {
    return {store_, client_, clock_, logger_, options};
  }

  void Add(const std::string& job, std::string_view kind, const std::string& key, json payload) {
    store::Batch batch;
    batch.outbox_add.push_back(store::OutboxItem{.job_id = job,
                                                 .kind = std::string(kind),
                                                 .key = key,
                                                 .payload = std::move(payload),
                                                 .created_at = kStartMs});
    ASSERT_TRUE(store_.Commit(batch).ok());
  }
  void AddUpdate(const std::string& job, const std::string& finding, const std::string& message,
                 FindingUpdateKind kind = FindingUpdateKind::kResolve,
                 const std::string& region = "us-east-1") {
    Add(job, kOutboxKindSecurityHub, "securityhub",
        SecurityHubOutboxPayload({.region = region,
                                  .finding_id = finding,
                                  .product_arn = kProduct,
                                  .message = message,
                                  .kind = kind}));
  }
  store::OutboxItem Item(const std::string& job) const {
    auto items = store_.inner->OutboxFor(job);
    EXPECT_TRUE(items.ok());
    EXPECT_EQ(items->size(), 1U);
    return items->empty() ? store::OutboxItem{} : items->front();
  }
  std::vector<aws::HttpRequest> BatchUpdates() const {
    std::vector<aws::HttpRequest> out;
    for (const auto& r : transport_.requests()) {
      if (IsBatchUpdate(r)) {
        out.push_back(r);
      }
    }
    return out;
  }
  static std::vector<std::string> Ids(const aws::HttpRequest& r) {
    std::vector<std::string> ids;
    const json body = json::parse(r.body);
    for (const json& id : body["FindingIdentifiers"]) {
      ids.push_back(id["Id"]);
      EXPECT_EQ(id["ProductArn"], kProduct);
    }
    return ids;
  }
  int LogLines(std::string_view level, std::string_view msg) const {
    int n = 0;
    for (const std::string& line : sink_.Lines()) {
      const json j = json::parse(line);
      n += (j["level"] == level && j["msg"] == msg) ? 1 : 0;
    }
    return n;
  }

  aws::testing::ScriptedTransport transport_;
  aws::StaticCredentialsProvider admin_;
  aws::StaticCredentialsProvider default_creds_;
  FakeClock clock_;
  NoSleep sleeper_;
  FixedRandom random_;
  MemoryLogSink sink_;
  Logger logger_;
  aws::Client client_;
  std::unique_ptr<MetricsRegistry> metrics_;
  FlakyStore store_;
};

TEST_F(OutboxTest, SnsPublishSendsTopicMessageAndNotificationIdWithoutSubject) {
  const std::string message =
      "{\n  \"Remediation_Status\": \"SUCCESS\",\n  \"x\": \"caf\\u00e9 & =\"\n}";
  Add("j-1", kOutboxKindSns, "SUCCESS",
      SnsOutboxPayload("arn:aws:sns:eu-west-1:111111111111:SO0111-ASR_Topic", "eu-west-1",
                       message));
  transport_.On(QueryAction("Publish"), {XmlResponse(200, kPublishOk)});
  auto dispatcher = Dispatcher(Options());

  const Result<size_t> delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok()) << delivered.status().ToString();
  EXPECT_EQ(*delivered, 1U);

  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].host, "sns.eu-west-1.amazonaws.com");
  const auto form = Form(requests[0].body);
  EXPECT_EQ(form, (std::map<std::string, std::string>{
                      {"Action", "Publish"},
                      {"Version", "2010-03-31"},
                      {"TopicArn", "arn:aws:sns:eu-west-1:111111111111:SO0111-ASR_Topic"},
                      {"Message", message},
                      {"MessageAttributes.entry.1.Name", "asr_notification_id"},
                      {"MessageAttributes.entry.1.Value.DataType", "String"},
                      {"MessageAttributes.entry.1.Value.StringValue", "j-1/SUCCESS"}}));
  const std::string* auth = requests[0].FindHeader("Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_NE(auth->find("Credential=AKIDADMIN/"), std::string::npos);

  const store::OutboxItem item = Item("j-1");
  EXPECT_TRUE(item.done);
  EXPECT_EQ(item.done_at, kStartMs);
  EXPECT_EQ(item.attempts, 1);
  EXPECT_EQ(item.last_error, "");
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"sns", "delivered"}), 1);

  // Nothing is due any more.
  const Result<size_t> again = dispatcher.RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0U);
  EXPECT_EQ(transport_.requests().size(), 1U);
}

TEST_F(OutboxTest, WithoutCredentialsOptionTheClientDefaultIsUsed) {
  Add("j-1", kOutboxKindSns, "QUEUED", SnsOutboxPayload("arn:aws:sns:us-east-1:1:t", "", "m"));
  transport_.On(QueryAction("Publish"), {XmlResponse(200, kPublishOk)});
  DispatcherOptions options = Options();
  options.credentials = nullptr;
  auto dispatcher = Dispatcher(options);
  ASSERT_TRUE(dispatcher.RunOnce().ok());
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].host, "sns.us-east-1.amazonaws.com");  // "" region → client default
  EXPECT_NE(requests[0].FindHeader("Authorization")->find("Credential=AKIDDEFAULT/"),
            std::string::npos);
}

TEST_F(OutboxTest, SecurityHubItemsWithTheSameUpdateShareOneCall) {
  AddUpdate("j-1", "f1", "fixed");
  AddUpdate("j-2", "f2", "fixed");
  AddUpdate("j-3", "f3", "fixed", FindingUpdateKind::kFlag);                  // other status
  AddUpdate("j-4", "f4", "other");                                            // other note
  AddUpdate("j-5", "f5", "fixed", FindingUpdateKind::kResolve, "eu-west-1");  // other region
  transport_.On(IsBatchUpdate, {JsonResponse(200, kBatchOk)});
  auto dispatcher = Dispatcher(Options());

  const Result<size_t> delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok()) << delivered.status().ToString();
  EXPECT_EQ(*delivered, 5U);

  const auto calls = BatchUpdates();
  ASSERT_EQ(calls.size(), 4U);
  EXPECT_EQ(json::parse(calls[0].body), json::parse(R"({
      "FindingIdentifiers": [
        {"Id": "f1", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub"},
        {"Id": "f2", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub"}],
      "Note": {"Text": "[automated-security-response-on-aws] fixed",
               "UpdatedBy": "update_text_and_status"},
      "Workflow": {"Status": "RESOLVED"}})"));
  EXPECT_EQ(calls[0].host, "securityhub.us-east-1.amazonaws.com");
  EXPECT_EQ(Ids(calls[1]), std::vector<std::string>{"f3"});
  EXPECT_EQ(json::parse(calls[1].body)["Workflow"]["Status"], "NOTIFIED");
  EXPECT_EQ(json::parse(calls[1].body)["Note"]["Text"], "fixed");
  EXPECT_EQ(Ids(calls[2]), std::vector<std::string>{"f4"});
  EXPECT_EQ(Ids(calls[3]), std::vector<std::string>{"f5"});
  EXPECT_EQ(calls[3].host, "securityhub.eu-west-1.amazonaws.com");
  for (const std::string job : {"j-1", "j-2", "j-3", "j-4", "j-5"}) {
    EXPECT_TRUE(Item(job).done) << job;
  }
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"securityhub", "delivered"}), 5);
}

TEST_F(OutboxTest, SecurityHubCallsCarryAtMost100Identifiers) {
  for (int i = 0; i < 150; ++i) {
    AddUpdate("j-" + std::to_string(i), "f" + std::to_string(i), "fixed");
  }
  transport_.On(IsBatchUpdate, {JsonResponse(200, kBatchOk)});
  auto dispatcher = Dispatcher(Options());
  const Result<size_t> delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 150U);
  const auto calls = BatchUpdates();
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(Ids(calls[0]).size(), 100U);
  EXPECT_EQ(Ids(calls[1]).size(), 50U);
  EXPECT_EQ(Ids(calls[0]).front(), "f0");
  EXPECT_EQ(Ids(calls[1]).front(), "f100");
}

TEST_F(OutboxTest, AFindingUpdatedByTwoItemsIsSentOnce) {
  AddUpdate("j-1", "f1", "fixed");
  AddUpdate("j-2", "f1", "fixed");
  transport_.On(IsBatchUpdate, {JsonResponse(200, kBatchOk)});
  auto dispatcher = Dispatcher(Options());
  const Result<size_t> delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 2U);
  const auto calls = BatchUpdates();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(Ids(calls[0]), std::vector<std::string>{"f1"});
  EXPECT_TRUE(Item("j-1").done);
  EXPECT_TRUE(Item("j-2").done);
}

TEST_F(OutboxTest, UnprocessedFindingsRetryOnlyTheirItems) {
  AddUpdate("j-1", "f1", "fixed");
  AddUpdate("j-2", "f2", "fixed");
  transport_.On(IsBatchUpdate,
                {JsonResponse(200, R"({"ProcessedFindings":[{"Id":"f1","ProductArn":"p"}],
                   "UnprocessedFindings":[{"FindingIdentifier":{"Id":"f2","ProductArn":"p"},
                   "ErrorCode":"FindingNotFound","ErrorMessage":"no such finding"}]})"),
                 JsonResponse(200, kBatchOk)});
  auto dispatcher = Dispatcher(Options());
  const Result<size_t> first = dispatcher.RunOnce();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1U);
  EXPECT_TRUE(Item("j-1").done);
  const store::OutboxItem failed = Item("j-2");
  EXPECT_FALSE(failed.done);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_NE(failed.last_error.find("FindingNotFound: no such finding"), std::string::npos)
      << failed.last_error;
  EXPECT_EQ(failed.next_attempt, kStartMs + 1000);  // 0.5 * 2 s
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"securityhub", "retry"}), 1);

  clock_.Advance(milliseconds(1000));
  const Result<size_t> second = dispatcher.RunOnce();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 1U);
  const auto calls = BatchUpdates();
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(Ids(calls[1]), std::vector<std::string>{"f2"});
  EXPECT_TRUE(Item("j-2").done);
  EXPECT_EQ(Item("j-2").attempts, 2);
  EXPECT_EQ(Item("j-2").last_error, "");
}

TEST_F(OutboxTest, FailuresBackOffExponentiallyWithJitter) {
  Add("j-1", kOutboxKindSns, "FAILED", SnsOutboxPayload("arn:aws:sns:us-east-1:1:t", "", "m"));
  transport_.On(QueryAction("Publish"), {QueryError(403, "AuthorizationError", "not allowed")});
  auto dispatcher = Dispatcher(Options());

  ASSERT_TRUE(dispatcher.RunOnce().ok());
  store::OutboxItem item = Item("j-1");
  EXPECT_EQ(item.attempts, 1);
  EXPECT_FALSE(item.done);
  EXPECT_EQ(item.next_attempt, kStartMs + 1000);  // 0.5 * min(2 s, 10 min)
  EXPECT_NE(item.last_error.find("sns:Publish"), std::string::npos);
  EXPECT_NE(item.last_error.find("AuthorizationError"), std::string::npos) << item.last_error;

  // Not due yet: no call.
  clock_.Advance(milliseconds(999));
  ASSERT_TRUE(dispatcher.RunOnce().ok());
  EXPECT_EQ(transport_.requests().size(), 1U);

  clock_.Advance(milliseconds(1));
  ASSERT_TRUE(dispatcher.RunOnce().ok());
  EXPECT_EQ(transport_.requests().size(), 2U);
  item = Item("j-1");
  EXPECT_EQ(item.attempts, 2);
  EXPECT_EQ(item.next_attempt, kStartMs + 1000 + 2000);  // 0.5 * 4 s
  EXPECT_EQ(LogLines("warn", "outbox item failed; will retry"), 2);
}

TEST_F(OutboxTest, BackoffIsCappedAtMaxBackoff) {
  Add("j-1", kOutboxKindSns, "FAILED", SnsOutboxPayload("arn:aws:sns:us-east-1:1:t", "", "m"));
  transport_.On(QueryAction("Publish"), {QueryError(500, "InternalError", "oops")});
  DispatcherOptions options = Options();
  options.max_attempts = 20;
  options.max_backoff = milliseconds(5000);
  auto dispatcher = Dispatcher(options);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(dispatcher.RunOnce().ok());
    clock_.Advance(milliseconds(5000));
  }
  const store::OutboxItem item = Item("j-1");
  EXPECT_EQ(item.attempts, 6);
  // The last failure happened at start + 25 s; its delay is 0.5 * 5 s.
  EXPECT_EQ(item.next_attempt, kStartMs + 25000 + 2500);
}

TEST_F(OutboxTest, GivesUpAfterMaxAttemptsAndLogsOnce) {
  AddUpdate("j-1", "f1", "fixed");
  transport_.On(IsBatchUpdate, {RestJsonError(403, "AccessDeniedException", "denied")});
  DispatcherOptions options = Options();
  options.max_attempts = 3;
  auto dispatcher = Dispatcher(options);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(dispatcher.RunOnce().ok());
    clock_.Advance(std::chrono::minutes(10));
  }
  EXPECT_EQ(BatchUpdates().size(), 3U);
  const store::OutboxItem item = Item("j-1");
  EXPECT_TRUE(item.done);
  EXPECT_EQ(item.attempts, 3);
  EXPECT_TRUE(item.last_error.starts_with("gave up: securityhub:BatchUpdateFindings: "))
      << item.last_error;
  EXPECT_TRUE(item.last_error.ends_with("(after 3 attempts)")) << item.last_error;
  EXPECT_EQ(item.done_at, kStartMs + store::Millis{2} * 600'000);
  EXPECT_EQ(LogLines("error", "outbox item given up"), 1);
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"securityhub", "retry"}), 2);
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"securityhub", "gave_up"}), 1);
}

TEST_F(OutboxTest, UnknownKindAndMalformedPayloadsAreGivenUpAtOnce) {
  Add("j-1", "webhook", "SUCCESS", json{{"url", "https://example.com"}});
  Add("j-2", kOutboxKindSns, "SUCCESS", json{{"region", "us-east-1"}, {"message", "m"}});
  Add("j-3", kOutboxKindSecurityHub, "securityhub",
      json{{"region", "us-east-1"}, {"finding_id", "f"}, {"note", "n"}, {"status", "RESOLVED"}});
  Add("j-4", kOutboxKindSns, "SUCCESS", json::array());
  auto dispatcher = Dispatcher(Options());
  const Result<size_t> delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 0U);
  EXPECT_TRUE(transport_.requests().empty());
  const struct {
    std::string job;
    std::string error;
  } cases[] = {
      {"j-1", "gave up: unknown outbox kind \"webhook\" (known: sns, securityhub)"},
      {"j-2", "gave up: sns payload: \"topic_arn\" must be a non-empty string"},
      {"j-3", "gave up: securityhub payload: \"product_arn\" must be a non-empty string"},
      {"j-4", "gave up: sns payload: \"topic_arn\" must be a non-empty string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.job);
    const store::OutboxItem item = Item(c.job);
    EXPECT_TRUE(item.done);
    EXPECT_EQ(item.attempts, 1);
    EXPECT_EQ(item.last_error, c.error);
  }
  EXPECT_EQ(LogLines("error", "outbox item given up"), 4);
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"webhook", "gave_up"}), 1);
}

TEST_F(OutboxTest, RateLimitDefersCallsWithoutSleeping) {
  // Five different notes: five calls needed; the bucket allows 2 at once and 1 a second.
  for (int i = 0; i < 5; ++i) {
    AddUpdate("j-" + std::to_string(i), "f" + std::to_string(i), "note " + std::to_string(i));
  }
  transport_.On(IsBatchUpdate, {JsonResponse(200, kBatchOk)});
  DispatcherOptions options = Options();
  options.securityhub_requests_per_second = 1;
  options.securityhub_burst = 2;
  auto dispatcher = Dispatcher(options);

  Result<size_t> delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 2U);
  EXPECT_EQ(BatchUpdates().size(), 2U);
  EXPECT_EQ(clock_.Now(), kStart);  // the dispatcher never waits
  for (const std::string job : {"j-2", "j-3", "j-4"}) {
    const store::OutboxItem item = Item(job);
    EXPECT_FALSE(item.done) << job;
    EXPECT_EQ(item.attempts, 0) << job;  // a deferral is not an attempt
    EXPECT_EQ(item.next_attempt, kStartMs + 1000) << job;
  }
  EXPECT_EQ(metrics_->Value(kOutboxDeliveriesTotal, {"securityhub", "deferred"}), 3);

  // Too early: nothing due.
  clock_.Advance(milliseconds(999));
  delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 0U);
  EXPECT_EQ(BatchUpdates().size(), 2U);

  clock_.Advance(milliseconds(1));
  delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 1U);
  EXPECT_EQ(BatchUpdates().size(), 3U);
  EXPECT_EQ(Item("j-4").next_attempt, kStartMs + 2000);

  clock_.Advance(milliseconds(10'000));
  delivered = dispatcher.RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 2U);
  EXPECT_EQ(BatchUpdates().size(), 5U);
}

TEST_F(OutboxTest, StoreErrorsAreReturnedAndItemsStayPending) {
  Add("j-1", kOutboxKindSns, "SUCCESS", SnsOutboxPayload("arn:aws:sns:us-east-1:1:t", "", "m"));
  transport_.On(QueryAction("Publish"), {XmlResponse(200, kPublishOk)});
  auto dispatcher = Dispatcher(Options());

  store_.fail_pending = true;
  Result<size_t> result = dispatcher.RunOnce();
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("outbox: read pending items"), std::string::npos);
  EXPECT_TRUE(transport_.requests().empty());

  store_.fail_pending = false;
  store_.fail_commit = true;
  result = dispatcher.RunOnce();
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("outbox: commit delivery results"), std::string::npos);
  EXPECT_FALSE(Item("j-1").done);

  // Delivered again (at least once); the notification id lets subscribers drop the repeat.
  store_.fail_commit = false;
  result = dispatcher.RunOnce();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 1U);
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(Form(requests[0].body).at("MessageAttributes.entry.1.Value.StringValue"),
            Form(requests[1].body).at("MessageAttributes.entry.1.Value.StringValue"));
  EXPECT_TRUE(Item("j-1").done);
}

}  // namespace
}  // namespace asr::report
