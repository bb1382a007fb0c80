#include "intake/sqs_poller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "intake/internal/wait.h"
#include "intake/metrics.h"
#include "intake/test_support.h"

namespace asr::intake {
namespace {

using aws::testing::JsonError;
using aws::testing::JsonResponse;
using aws::testing::JsonTarget;
using nlohmann::json;
using std::chrono::milliseconds;
using testing::Harness;

constexpr const char* kQueue = "https://sqs.eu-west-1.amazonaws.com/111111111111/asr-events";

const char* const kEvent =
    R"({"version":"0","id":"e-1","detail-type":"Security Hub Findings - Imported",)"
    R"("source":"aws.securityhub","detail":{"findings":[{"Id":"f-1"}]}})";

json Message(const std::string& id, const std::string& body, int receive_count = 1) {
  return {{"MessageId", id},
          {"ReceiptHandle", "rh-" + id},
          {"MD5OfBody", "x"},
          {"Body", body},
          {"Attributes", {{"ApproximateReceiveCount", std::to_string(receive_count)}}}};
}

aws::HttpResponse Received(const std::vector<json>& messages) {
  return JsonResponse(200, json{{"Messages", messages}}.dump());
}

aws::HttpResponse DeletedAll() { return JsonResponse(200, R"({"Successful":[],"Failed":[]})"); }

class SqsPollerTest : public ::testing::Test {
 protected:
  SqsPollerTest() { EXPECT_TRUE(RegisterIntakeMetrics(*h_.metrics).ok()); }

  IntakeDeps Deps() {
    return {.engine = h_.engine,
            .client = h_.client,
            .clock = h_.clock,
            .sleeper = h_.sleeper,
            .random = h_.random,
            .logger = h_.logger,
            .metrics = h_.metrics.get()};
  }
  // Answers DeleteMessageBatch with every entry successful.
  void DeleteSucceeds() {
    h_.transport.scripted.On(JsonTarget("DeleteMessageBatch"), {DeletedAll()});
  }
  // The receipt handles of each DeleteMessageBatch request.
  std::vector<std::vector<std::string>> DeletedHandles() {
    std::vector<std::vector<std::string>> out;
    for (const json& body : h_.Bodies("DeleteMessageBatch")) {
      EXPECT_EQ(body["QueueUrl"], kQueue);
      std::vector<std::string> handles;
      for (size_t i = 0; i < body["Entries"].size(); ++i) {
        EXPECT_EQ(body["Entries"][i]["Id"], "m" + std::to_string(i));
        handles.push_back(body["Entries"][i]["ReceiptHandle"]);
      }
      out.push_back(handles);
    }
    return out;
  }

  Harness h_;
};

TEST_F(SqsPollerTest, ReceiveRequestIsExactAndGoesToTheQueueRegion) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"), {Received({})});
  SqsPoller poller(Deps(), {.queue_url = kQueue, .visibility_timeout = 120});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_TRUE(round.ok()) << round.status().ToString();

  const std::vector<aws::HttpRequest> requests = h_.transport.scripted.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].host, "sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(*requests[0].FindHeader("X-Amz-Target"), "AmazonSQS.ReceiveMessage");
  EXPECT_EQ(*requests[0].FindHeader("Content-Type"), "application/x-amz-json-1.0");
  const json want = {{"QueueUrl", kQueue},
                     {"MaxNumberOfMessages", 10},
                     {"WaitTimeSeconds", 20},
                     {"VisibilityTimeout", 120},
                     {"MessageSystemAttributeNames", {"ApproximateReceiveCount", "SentTimestamp"}},
                     {"AttributeNames", {"ApproximateReceiveCount", "SentTimestamp"}}};
  EXPECT_EQ(json::parse(requests[0].body), want);
  EXPECT_EQ(round->receives, 1U);
  EXPECT_EQ(round->received, 0U);
  EXPECT_TRUE(h_.Bodies("DeleteMessageBatch").empty());
}

TEST_F(SqsPollerTest, ReceiveRequestClampsCountsAndOmitsUnsetVisibility) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"), {Received({})});
  SqsPoller poller(Deps(), {.queue_url = "http://127.0.0.1:5000/111111111111/q",
                            .wait_seconds = 99,
                            .max_messages = 50});
  ASSERT_TRUE(poller.RunOnce().ok());
  const std::vector<json> bodies = h_.Bodies("ReceiveMessage");
  ASSERT_EQ(bodies.size(), 1U);
  EXPECT_EQ(bodies[0]["MaxNumberOfMessages"], 10);
  EXPECT_EQ(bodies[0]["WaitTimeSeconds"], 20);
  EXPECT_FALSE(bodies[0].contains("VisibilityTimeout"));
  // No region in a custom queue URL: the client's region.
  EXPECT_EQ(h_.transport.scripted.requests()[0].host, "sqs.us-east-1.amazonaws.com");
}

TEST_F(SqsPollerTest, SubmitsEachMessageWithItsIdAndDeletesOnlyCommittedOnesAfterwards) {
  h_.transport.scripted.On(
      JsonTarget("ReceiveMessage"),
      {Received({Message("m-good", kEvent), Message("m-poison", "not json at all", 3),
                 Message("m-busy", kEvent), Message("m-good2", kEvent)})});
  DeleteSucceeds();
  h_.engine.script["m-busy"] = UnavailableError("store is locked");
  std::vector<size_t> deletes_before_submit;
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) {
    deletes_before_submit.push_back(h_.Bodies("DeleteMessageBatch").size());
  };

  SqsPoller poller(Deps(), {.queue_url = kQueue});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_TRUE(round.ok()) << round.status().ToString();

  const std::vector<testing::FakeEngine::Call> calls = h_.engine.calls();
  ASSERT_EQ(calls.size(), 4U);
  const std::vector<std::string> want_ids = {"m-good", "m-poison", "m-busy", "m-good2"};
  for (size_t i = 0; i < calls.size(); ++i) {
    SCOPED_TRACE(want_ids[i]);
    EXPECT_EQ(calls[i].options.source, "sqs");
    EXPECT_EQ(calls[i].options.external_id, want_ids[i]);
    EXPECT_EQ(calls[i].options.principal.name, "sqs");
    EXPECT_EQ(calls[i].options.principal.role, workflow::Principal::Role::kIntake);
  }
  EXPECT_EQ(calls[0].body, kEvent);
  EXPECT_EQ(deletes_before_submit, (std::vector<size_t>{0, 0, 0, 0}));
  EXPECT_EQ(DeletedHandles(), (std::vector<std::vector<std::string>>{{"rh-m-good", "rh-m-good2"}}));
  EXPECT_EQ(round->received, 4U);
  EXPECT_EQ(round->accepted, 2U);
  EXPECT_EQ(round->poison, 1U);
  EXPECT_EQ(round->errors, 1U);
  EXPECT_EQ(round->deleted, 0U);  // the scripted answer lists no Successful entries
  EXPECT_EQ(h_.metrics->Value(kSqsMessagesTotal, {"accepted"}), 2);
  EXPECT_EQ(h_.metrics->Value(kSqsMessagesTotal, {"poison"}), 1);
  EXPECT_EQ(h_.metrics->Value(kSqsMessagesTotal, {"error"}), 1);
}

TEST_F(SqsPollerTest, DuplicatesAreDeletedAgain) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"), {Received({Message("m-1", kEvent)})});
  h_.transport.scripted.On(JsonTarget("DeleteMessageBatch"),
                           {JsonResponse(200, R"({"Successful":[{"Id":"m0"}],"Failed":[]})")});
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  ASSERT_TRUE(poller.RunOnce().ok());
  // The delete was lost (e.g. a crash); SQS delivers the message again.
  const Result<SqsStats> again = poller.RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1U);
  EXPECT_EQ(again->accepted, 0U);
  EXPECT_EQ(again->deleted, 1U);
  EXPECT_EQ(DeletedHandles(), (std::vector<std::vector<std::string>>{{"rh-m-1"}, {"rh-m-1"}}));
  const SqsStats total = poller.stats();
  EXPECT_EQ(total.accepted, 1U);
  EXPECT_EQ(total.duplicates, 1U);
  EXPECT_EQ(total.deleted, 2U);
  EXPECT_EQ(h_.metrics->Value(kSqsDeletesTotal, {"ok"}), 2);
}

TEST_F(SqsPollerTest, PoisonIsLoggedByIdAndReasonWithoutTheBody) {
  const std::string body = "{\"secret-ish\": SENSITIVE-BODY-MARKER";
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"),
                           {Received({Message("m-poison", body, 7)})});
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->poison, 1U);
  EXPECT_TRUE(h_.Bodies("DeleteMessageBatch").empty());
  EXPECT_TRUE(h_.Logged("\"message_id\":\"m-poison\""));
  EXPECT_TRUE(h_.Logged("\"receive_count\":\"7\""));
  EXPECT_TRUE(h_.Logged("invalid JSON"));
  EXPECT_FALSE(h_.Logged("SENSITIVE-BODY-MARKER"));
}

TEST_F(SqsPollerTest, EngineErrorLeavesTheMessage) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"), {Received({Message("m-1", kEvent)})});
  h_.engine.script["m-1"] = InternalError("boom");
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->errors, 1U);
  EXPECT_EQ(round->poison, 0U);
  EXPECT_TRUE(h_.Bodies("DeleteMessageBatch").empty());
  EXPECT_TRUE(h_.Logged("\"message_id\":\"m-1\""));
}

TEST_F(SqsPollerTest, SnsEnvelopeIsUnwrapped) {
  const json envelope = {{"Type", "Notification"},
                         {"MessageId", "sns-1"},
                         {"TopicArn", "arn:aws:sns:eu-west-1:111111111111:t"},
                         {"Message", kEvent}};
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"),
                           {Received({Message("m-sns", envelope.dump())})});
  DeleteSucceeds();
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  ASSERT_TRUE(poller.RunOnce().ok());
  const auto calls = h_.engine.calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].body, kEvent);
  EXPECT_EQ(calls[0].options.external_id, "m-sns");  // the SQS message id, not SNS's
  EXPECT_EQ(DeletedHandles(), (std::vector<std::vector<std::string>>{{"rh-m-sns"}}));
}

TEST_F(SqsPollerTest, PartiallyFailedDeleteIsCounted) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"),
                           {Received({Message("m-1", kEvent), Message("m-2", kEvent)})});
  h_.transport.scripted.On(
      JsonTarget("DeleteMessageBatch"),
      {JsonResponse(200, R"({"Successful":[{"Id":"m0"}],"Failed":[{"Id":"m1","SenderFault":true,)"
                         R"("Code":"ReceiptHandleIsInvalid","Message":"expired"}]})")});
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->deleted, 1U);
  EXPECT_EQ(round->delete_errors, 1U);
  EXPECT_EQ(h_.metrics->Value(kSqsDeletesTotal, {"error"}), 1);
  EXPECT_TRUE(h_.Logged("ReceiptHandleIsInvalid"));
}

TEST_F(SqsPollerTest, FailedDeleteCallCountsEveryEntry) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"),
                           {Received({Message("m-1", kEvent), Message("m-2", kEvent)})});
  h_.transport.scripted.On(JsonTarget("DeleteMessageBatch"),
                           {JsonError(403, "AccessDenied", "no sqs:DeleteMessage")});
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->accepted, 2U);
  EXPECT_EQ(round->deleted, 0U);
  EXPECT_EQ(round->delete_errors, 2U);
}

TEST_F(SqsPollerTest, ReceiveErrorIsReturnedAndCounted) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"),
                           {JsonError(400, "AWS.SimpleQueueService.NonExistentQueue", "gone")});
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  const Result<SqsStats> round = poller.RunOnce();
  ASSERT_FALSE(round.ok());
  EXPECT_NE(round.status().message().find("sqs ReceiveMessage " + std::string(kQueue)),
            std::string::npos)
      << round.status().ToString();
  EXPECT_EQ(poller.stats().receive_errors, 1U);
  EXPECT_EQ(h_.metrics->Value(kSqsReceiveErrorsTotal, {}), 1);
  EXPECT_TRUE(h_.engine.calls().empty());
}

TEST_F(SqsPollerTest, RunBacksOffExponentiallyAfterReceiveErrorsAndResets) {
  const auto error = JsonError(500, "InternalError", "try later");
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"),
                           {error, error, Received({Message("m-1", kEvent)})});
  DeleteSucceeds();
  std::atomic<bool> stop{false};
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) { stop = true; };
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  poller.Run(stop);
  // Pauses 750 ms then 1500 ms (equal jitter with Uniform() = 0.5), the second in slices of at
  // most one second so that `stop` is noticed.
  EXPECT_EQ(h_.sleeper.sleeps,
            (std::vector<milliseconds>{milliseconds(750), milliseconds(1000), milliseconds(500)}));
  EXPECT_EQ(poller.stats().receive_errors, 2U);
  EXPECT_EQ(poller.stats().accepted, 1U);
  EXPECT_EQ(DeletedHandles(), (std::vector<std::vector<std::string>>{{"rh-m-1"}}));
}

TEST_F(SqsPollerTest, RunBacksOffAfterEngineErrors) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"), {Received({Message("m-1", kEvent)})});
  h_.engine.script["m-1"] = UnavailableError("store down");
  std::atomic<bool> stop{false};
  int submits = 0;
  h_.engine.on_submit = [&](const testing::FakeEngine::Call& /*call*/) {
    if (++submits == 2) {
      stop = true;
    }
  };
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  poller.Run(stop);
  EXPECT_EQ(h_.sleeper.sleeps, (std::vector<milliseconds>{milliseconds(750)}));
  EXPECT_EQ(poller.stats().errors, 2U);
  EXPECT_TRUE(h_.Bodies("DeleteMessageBatch").empty());
}

TEST_F(SqsPollerTest, RunPausesAfterEmptyShortPolls) {
  h_.transport.scripted.On(JsonTarget("ReceiveMessage"), {Received({})});
  std::atomic<bool> stop{false};
  h_.sleeper.on_sleep = [&] { stop = true; };
  SqsPoller poller(Deps(), {.queue_url = kQueue, .wait_seconds = 0});
  poller.Run(stop);
  EXPECT_EQ(h_.sleeper.sleeps, (std::vector<milliseconds>{milliseconds(1000)}));
  EXPECT_EQ(poller.stats().receives, 1U);
}

TEST_F(SqsPollerTest, RunReturnsAtOnceWhenStopIsSet) {
  std::atomic<bool> stop{true};
  SqsPoller poller(Deps(), {.queue_url = kQueue});
  poller.Run(stop);
  EXPECT_TRUE(h_.transport.scripted.requests().empty());
}

TEST(SqsMessageEventTest, UnwrapsOnlySnsNotifications) {
  const std::string event = kEvent;
  const struct {
    std::string name;
    std::string body;
    std::string want;
  } cases[] = {
      {"eventbridge event unchanged", event, event},
      {"sns notification unwrapped", json{{"Type", "Notification"}, {"Message", event}}.dump(),
       event},
      {"sns message that is not json is still unwrapped",
       json{{"Type", "Notification"}, {"Message", "hello"}}.dump(), "hello"},
      {"non-string Message unchanged",
       json{{"Type", "Notification"}, {"Message", {{"a", 1}}}}.dump(),
       json{{"Type", "Notification"}, {"Message", {{"a", 1}}}}.dump()},
      {"subscription confirmation unchanged",
       json{{"Type", "SubscriptionConfirmation"}, {"Message", "Notification"}}.dump(),
       json{{"Type", "SubscriptionConfirmation"}, {"Message", "Notification"}}.dump()},
      {"event mentioning Notification unchanged",
       json{{"detail-type", "x"}, {"Type", "Notification"}, {"Message", "m"}}.dump(),
       json{{"detail-type", "x"}, {"Type", "Notification"}, {"Message", "m"}}.dump()},
      {"invalid json unchanged", "{\"Type\":\"Notification\",", "{\"Type\":\"Notification\","},
      {"empty", "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(SqsMessageEvent(c.body), c.want);
  }
}

TEST(RegionFromQueueUrlTest, ReadsStandardHosts) {
  const struct {
    std::string url;
    std::string want;
  } cases[] = {
      {"https://sqs.eu-west-1.amazonaws.com/111111111111/q", "eu-west-1"},
      {"https://sqs.cn-north-1.amazonaws.com.cn/111111111111/q", "cn-north-1"},
      {"https://sqs-fips.us-gov-west-1.amazonaws.com/111111111111/q", "us-gov-west-1"},
      {"https://us-east-2.queue.amazonaws.com/111111111111/q", "us-east-2"},
      {"http://127.0.0.1:5000/111111111111/q", ""},
      {"https://vpce-1.sqs.us-east-1.vpce.amazonaws.com/1/q", ""},
      {"sqs.eu-west-1.amazonaws.com/1/q", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(RegionFromQueueUrl(c.url), c.want);
  }
}

TEST(ValidateSqsPollerOptionsTest, NamesTheBadField) {
  const struct {
    std::string name;
    SqsPollerOptions options;
    std::string want;  // "" → OK; else a substring of the error
  } cases[] = {
      {"defaults with a url", {.queue_url = kQueue}, ""},
      {"no url", {}, "sqs.queue_url"},
      {"wait too long", {.queue_url = kQueue, .wait_seconds = 21}, "sqs.wait_seconds"},
      {"no messages", {.queue_url = kQueue, .max_messages = 0}, "sqs.max_messages"},
      {"visibility", {.queue_url = kQueue, .visibility_timeout = -1}, "sqs.visibility_timeout"},
      {"backoff",
       {.queue_url = kQueue, .backoff_base = milliseconds(10), .backoff_max = milliseconds(1)},
       "sqs.backoff_max"},
      {"principal", {.queue_url = kQueue, .principal = ""}, "sqs.principal"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = ValidateSqsPollerOptions(c.options);
    if (c.want.empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
    }
  }
}

TEST(FailurePauseTest, DoublesUpToTheCapWithEqualJitter) {
  testing::FixedRandom random;
  const struct {
    int failures;
    double uniform;
    milliseconds want;
  } cases[] = {
      {1, 0.0, milliseconds(500)},   {1, 0.5, milliseconds(750)},
      {2, 0.0, milliseconds(1000)},  {3, 0.999, milliseconds(3998)},
      {10, 0.0, milliseconds(5000)}, {1000, 0.0, milliseconds(5000)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.failures);
    random.value = c.uniform;
    EXPECT_EQ(internal::FailurePause(milliseconds(1000), milliseconds(10000), c.failures, random),
              c.want);
  }
}

}  // namespace
}  // namespace asr::intake
