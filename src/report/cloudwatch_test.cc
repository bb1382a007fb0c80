#include "report/cloudwatch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aws/model.h"
#include "aws/testing/scripted_transport.h"
#include "common/log.h"

namespace asr::report {
namespace {

using aws::testing::JsonError;
using aws::testing::JsonResponse;
using aws::testing::JsonTarget;
using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

// 2027-01-15T08:00:00Z, a whole minute.
const TimePoint kStart{seconds(1'800'000'000)};
constexpr int64_t kStartSeconds = 1'800'000'000;
constexpr int64_t kStartMs = 1'800'000'000'000;

class FixedRandom final : public aws::Random {
 public:
  double Uniform() override { return 0.5; }
};

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(milliseconds /*duration*/) override {}
};

class CloudWatchTest : public ::testing::Test {
 protected:
  CloudWatchTest()
      : creds_(aws::Credentials{.access_key_id = "AKIDTEST", .secret_access_key = "s"}),
        clock_(kStart),
        logger_(sink_, clock_, LogLevel::kDebug),
        client_(transport_, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}}) {}

  // Bodies of the requests whose X-Amz-Target ends with ".<operation>", in order.
  std::vector<json> Bodies(std::string_view operation) const {
    std::vector<json> out;
    const auto match = JsonTarget(operation);
    for (const aws::HttpRequest& r : transport_.requests()) {
      if (match(r)) {
        out.push_back(json::parse(r.body));
      }
    }
    return out;
  }
  // Operation names of all requests, in order ("PutLogEvents", ...).
  std::vector<std::string> Operations() const {
    std::vector<std::string> out;
    for (const aws::HttpRequest& r : transport_.requests()) {
      if (const std::string* target = r.FindHeader("X-Amz-Target"); target != nullptr) {
        out.push_back(target->substr(target->find('.') + 1));
      }
    }
    return out;
  }

  aws::testing::ScriptedTransport transport_;
  aws::StaticCredentialsProvider creds_;
  FakeClock clock_;
  NoSleep sleeper_;
  FixedRandom random_;
  MemoryLogSink sink_;
  Logger logger_;
  aws::Client client_;
};

// ---------------------------------------------------------------------------------------------
// Metrics

json Datum(const std::string& metric, const json& dimensions, int64_t timestamp, double value) {
  json d = {{"MetricName", metric}, {"Timestamp", timestamp}, {"Value", value}, {"Unit", "Count"}};
  if (!dimensions.empty()) {
    d["Dimensions"] = dimensions;
  }
  return d;
}

json Dims(std::initializer_list<std::pair<const char*, const char*>> dims) {
  json out = json::array();
  for (const auto& [n, v] : dims) {
    out.push_back({{"Name", n}, {"Value", v}});
  }
  return out;
}

TEST_F(CloudWatchTest, MetricsAggregateCountsPerDimensionSetIntoOneCall) {
  transport_.On(JsonTarget("PutMetricData"), {JsonResponse(200, "{}")});
  CloudWatchMetricsPublisher publisher(clock_, {});
  publisher.Record("SUCCESS", "S3.1", "");
  publisher.Record("Success", "EC2.1", "");  // upper-cased: same series
  publisher.Record("Failed", "S3.1", "ASR:Remediate");
  publisher.RecordAssumeRoleFailure();
  publisher.RecordAssumeRoleFailure();
  EXPECT_EQ(publisher.pending_count(), 6);

  ASSERT_TRUE(publisher.Flush(client_, "eu-west-1").ok());
  const std::vector<json> bodies = Bodies("PutMetricData");
  ASSERT_EQ(bodies.size(), 1U);
  const json want = {
      {"Namespace", "ASR"},
      {"MetricData",
       {Datum("AssumeRoleFailure", json::array(), kStartSeconds, 2),
        Datum("RemediationOutcome", Dims({{"Outcome", "FAILED"}}), kStartSeconds, 1),
        Datum("RemediationOutcome",
              Dims({{"Outcome", "FAILED"}, {"CustomActionName", "ASR:Remediate"}}), kStartSeconds,
              1),
        Datum("RemediationOutcome", Dims({{"Outcome", "SUCCESS"}}), kStartSeconds, 2)}}};
  EXPECT_EQ(bodies[0], want) << bodies[0].dump(2);
  const aws::HttpRequest request = transport_.requests().front();
  EXPECT_NE(request.host.find("monitoring.eu-west-1."), std::string::npos) << request.host;
  EXPECT_EQ(publisher.pending_data_points(), 0U);

  // Nothing pending: no call.
  ASSERT_TRUE(publisher.Flush(client_, "eu-west-1").ok());
  EXPECT_EQ(Bodies("PutMetricData").size(), 1U);
}

TEST_F(CloudWatchTest, MetricsDimensionSetsFollowOptionsAndInput) {
  struct Case {
    std::string name;
    bool enhanced;
    std::string state, control, action;
    json want_dimension_sets;
  };
  const std::vector<Case> cases = {
      {"plain", false, "NO_RUNBOOK", "S3.1", "", {Dims({{"Outcome", "NO_RUNBOOK"}})}},
      {"enhanced adds ControlId",
       true,
       "QUEUED",
       "S3.1",
       "",
       {Dims({{"Outcome", "QUEUED"}}), Dims({{"Outcome", "QUEUED"}, {"ControlId", "S3.1"}})}},
      {"enhanced without control says Unknown",
       true,
       "TimedOut",
       "",
       "",
       {Dims({{"Outcome", "TIMEDOUT"}}),
        Dims({{"Outcome", "TIMEDOUT"}, {"ControlId", "Unknown"}})}},
      {"custom action name",
       false,
       "SUCCESS",
       "S3.1",
       "None",
       {Dims({{"Outcome", "SUCCESS"}}),
        Dims({{"Outcome", "SUCCESS"}, {"CustomActionName", "None"}})}},
      {"empty state is UNKNOWN", false, "", "", "", {Dims({{"Outcome", "UNKNOWN"}})}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    aws::testing::ScriptedTransport transport;
    transport.On(JsonTarget("PutMetricData"), {JsonResponse(200, "{}")});
    aws::Client client(transport, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, nullptr,
                       aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}});
    CloudWatchMetricsPublisher publisher(clock_, {.enhanced_metrics = c.enhanced});
    publisher.Record(c.state, c.control, c.action);
    ASSERT_TRUE(publisher.Flush(client, "us-east-1").ok());
    ASSERT_EQ(transport.requests().size(), 1U);
    const json body = json::parse(transport.requests()[0].body);
    json sets = json::array();
    for (const json& d : body["MetricData"]) {
      EXPECT_EQ(d["Value"], 1);
      sets.push_back(d["Dimensions"]);
    }
    // Data points are sent sorted; compare as sets.
    std::vector<json> got(sets.begin(), sets.end());
    std::vector<json> want(c.want_dimension_sets.begin(), c.want_dimension_sets.end());
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
  }
}

TEST_F(CloudWatchTest, MetricsKeepEachMinuteSeparate) {
  transport_.On(JsonTarget("PutMetricData"), {JsonResponse(200, "{}")});
  CloudWatchMetricsPublisher publisher(clock_, {});
  publisher.Record("SUCCESS", "", "");
  clock_.Advance(seconds(59));
  publisher.Record("SUCCESS", "", "");
  clock_.Advance(seconds(1));
  publisher.Record("SUCCESS", "", "");
  ASSERT_TRUE(publisher.Flush(client_, "us-east-1").ok());
  const std::vector<json> bodies = Bodies("PutMetricData");
  ASSERT_EQ(bodies.size(), 1U);
  const json dims = Dims({{"Outcome", "SUCCESS"}});
  EXPECT_EQ(bodies[0]["MetricData"],
            json({Datum("RemediationOutcome", dims, kStartSeconds, 2),
                  Datum("RemediationOutcome", dims, kStartSeconds + 60, 1)}));
}

TEST_F(CloudWatchTest, MetricsSplitIntoCallsWithinTheItemLimit) {
  transport_.On(JsonTarget("PutMetricData"), {JsonResponse(200, "{}")});
  CloudWatchMetricsPublisher publisher(clock_, {.max_metric_data_per_call = 2});
  for (const char* control : {"A.1", "B.1", "C.1", "D.1", "E.1"}) {
    publisher.Record("SUCCESS", "", control);  // 1 shared + 5 distinct series
  }
  ASSERT_TRUE(publisher.Flush(client_, "us-east-1").ok());
  const std::vector<json> bodies = Bodies("PutMetricData");
  ASSERT_EQ(bodies.size(), 3U);
  size_t total = 0;
  for (const json& b : bodies) {
    EXPECT_LE(b["MetricData"].size(), 2U);
    total += b["MetricData"].size();
  }
  EXPECT_EQ(total, 6U);
}

TEST_F(CloudWatchTest, MetricsFailedCallKeepsCountsForTheNextFlush) {
  transport_.On(JsonTarget("PutMetricData"),
                {JsonResponse(200, "{}"), JsonError(400, "InvalidParameterValue", "bad"),
                 JsonResponse(200, "{}")});
  CloudWatchMetricsPublisher publisher(clock_, {.max_metric_data_per_call = 1});
  publisher.Record("FAILED", "", "");   // series 2
  publisher.RecordAssumeRoleFailure();  // series 1 (sorted first)
  publisher.Record("SUCCESS", "", "");  // series 3

  const Status first = publisher.Flush(client_, "us-east-1");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.aws_error_code(), "InvalidParameterValue");
  EXPECT_NE(first.message().find("cloudwatch PutMetricData"), std::string::npos);
  // The first call went through; the failed one and the one after it stay pending.
  EXPECT_EQ(publisher.pending_data_points(), 2U);
  EXPECT_EQ(publisher.pending_count(), 2);

  publisher.Record("FAILED", "", "");  // adds to the pending series
  ASSERT_TRUE(publisher.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(publisher.pending_data_points(), 0U);
  const std::vector<json> bodies = Bodies("PutMetricData");
  ASSERT_EQ(bodies.size(), 4U);
  EXPECT_EQ(bodies[0]["MetricData"][0]["MetricName"], "AssumeRoleFailure");
  EXPECT_EQ(bodies[1]["MetricData"][0]["Dimensions"], Dims({{"Outcome", "FAILED"}}));
  EXPECT_EQ(bodies[2]["MetricData"][0],
            Datum("RemediationOutcome", Dims({{"Outcome", "FAILED"}}), kStartSeconds, 2));
  EXPECT_EQ(bodies[3]["MetricData"][0],
            Datum("RemediationOutcome", Dims({{"Outcome", "SUCCESS"}}), kStartSeconds, 1));
  EXPECT_EQ(publisher.dropped(), 0U);
}

TEST_F(CloudWatchTest, MetricsBoundsDropAndCount) {
  transport_.On(JsonTarget("PutMetricData"), {JsonResponse(200, "{}")});
  CloudWatchMetricsPublisher publisher(clock_, {.max_pending_data_points = 2});
  publisher.Record("SUCCESS", "", "");
  publisher.Record("FAILED", "", "");
  publisher.Record("SUCCESS", "", "");  // existing series: kept
  publisher.Record("QUEUED", "", "");   // a third series: dropped
  EXPECT_EQ(publisher.dropped(), 1U);
  EXPECT_EQ(publisher.pending_count(), 3);

  // Data older than max_age is dropped at Flush (CloudWatch would reject it): no call.
  clock_.Advance(hours(24 * 14) + minutes(2));
  ASSERT_TRUE(publisher.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(publisher.dropped(), 4U);
  EXPECT_EQ(publisher.pending_data_points(), 0U);
  EXPECT_TRUE(Bodies("PutMetricData").empty());
  // Room again.
  publisher.Record("QUEUED", "", "");
  ASSERT_TRUE(publisher.Flush(client_, "us-east-1").ok());
  const std::vector<json> bodies = Bodies("PutMetricData");
  ASSERT_EQ(bodies.size(), 1U);
  ASSERT_EQ(bodies[0]["MetricData"].size(), 1U);
  EXPECT_EQ(bodies[0]["MetricData"][0]["Dimensions"], Dims({{"Outcome", "QUEUED"}}));
}

TEST_F(CloudWatchTest, MetricsRecordFromManyThreadsWhileFlushingLosesNothing) {
  transport_.On(JsonTarget("PutMetricData"), {JsonResponse(200, "{}")});
  CloudWatchMetricsPublisher publisher(clock_, {});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&publisher] {
      for (int i = 0; i < kPerThread; ++i) {
        publisher.Record("SUCCESS", "", "");
      }
    });
  }
  Status flushed;
  for (int i = 0; i < 5 && flushed.ok(); ++i) {
    flushed = publisher.Flush(client_, "us-east-1");
  }
  for (std::thread& t : threads) {
    t.join();
  }
  ASSERT_TRUE(flushed.ok());
  ASSERT_TRUE(publisher.Flush(client_, "us-east-1").ok());
  double sent = 0;
  for (const json& b : Bodies("PutMetricData")) {
    for (const json& d : b["MetricData"]) {
      sent += d["Value"].get<double>();
    }
  }
  EXPECT_EQ(sent, kThreads * kPerThread);
}

// ---------------------------------------------------------------------------------------------
// Logs

json Event(int64_t ms, const std::string& message) {
  return {{"timestamp", ms}, {"message", message}};
}

TEST_F(CloudWatchTest, LogsCreateGroupAndStreamOnceAndPutEventsInTimeOrder) {
  transport_.On(JsonTarget("CreateLogGroup"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("PutLogEvents"), {JsonResponse(200, "{}")});
  CloudWatchLogsShipper shipper({});
  const std::string stream = LogStreamName("SC", "EC2.1", kStart);
  ASSERT_EQ(stream, "SC-EC2.1-2027-01-15");
  shipper.Add(stream, FindingLogLevel::kInfo, "second", {"detail a", "", "detail b"},
              kStart + seconds(2));
  shipper.Add(stream, FindingLogLevel::kError, "first", {}, kStart + seconds(1));
  shipper.Add("ASR-2027-01-15", FindingLogLevel::kInfo, "other", {}, kStart);
  EXPECT_EQ(shipper.queued_events(), 5U);

  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(shipper.queued_events(), 0U);
  EXPECT_EQ(Operations(),
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents",
                                      "CreateLogStream", "PutLogEvents"}));
  EXPECT_EQ(Bodies("CreateLogGroup")[0], json({{"logGroupName", "SO0111-ASR"}}));
  const std::vector<json> puts = Bodies("PutLogEvents");
  ASSERT_EQ(puts.size(), 2U);
  EXPECT_EQ(puts[0], json({{"logGroupName", "SO0111-ASR"},
                           {"logStreamName", "ASR-2027-01-15"},
                           {"logEvents", {Event(kStartMs, "INFO: other")}}}));
  EXPECT_EQ(puts[1],
            json({{"logGroupName", "SO0111-ASR"},
                  {"logStreamName", "SC-EC2.1-2027-01-15"},
                  {"logEvents",
                   {Event(kStartMs + 1000, "ERROR: first"), Event(kStartMs + 2000, "INFO: second"),
                    Event(kStartMs + 2000, "detail a"), Event(kStartMs + 2000, "detail b")}}}));

  // Known group and stream: only PutLogEvents.
  shipper.Add(stream, FindingLogLevel::kInfo, "third", {}, kStart + seconds(3));
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(Operations().size(), 6U);
  EXPECT_EQ(Operations().back(), "PutLogEvents");
  // Nothing queued: no call.
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(Operations().size(), 6U);
}

TEST_F(CloudWatchTest, LogsAlreadyExistingGroupAndStreamAreFine) {
  transport_.On(JsonTarget("CreateLogGroup"),
                {JsonError(400, "ResourceAlreadyExistsException", "exists")});
  transport_.On(JsonTarget("CreateLogStream"),
                {JsonError(400, "ResourceAlreadyExistsException", "exists")});
  transport_.On(JsonTarget("PutLogEvents"), {JsonResponse(200, "{}")});
  CloudWatchLogsShipper shipper({.log_group = "my-group"});
  shipper.Add("S", FindingLogLevel::kInfo, "m", {}, kStart);
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  ASSERT_EQ(Bodies("PutLogEvents").size(), 1U);
  EXPECT_EQ(Bodies("PutLogEvents")[0]["logGroupName"], "my-group");
}

TEST_F(CloudWatchTest, LogsRecreateGroupAndStreamOnResourceNotFound) {
  transport_.On(JsonTarget("CreateLogGroup"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("PutLogEvents"), {JsonResponse(200, "{}"),
                                             JsonError(400, "ResourceNotFoundException",
                                                       "The specified log stream does not exist."),
                                             JsonResponse(200, "{}")});
  CloudWatchLogsShipper shipper({});
  shipper.Add("S", FindingLogLevel::kInfo, "one", {}, kStart);
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  shipper.Add("S", FindingLogLevel::kInfo, "two", {}, kStart + seconds(1));
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(Operations(), (std::vector<std::string>{
                              "CreateLogGroup", "CreateLogStream", "PutLogEvents", "PutLogEvents",
                              "CreateLogGroup", "CreateLogStream", "PutLogEvents"}));
  const std::vector<json> puts = Bodies("PutLogEvents");
  EXPECT_EQ(puts[2]["logEvents"], json({Event(kStartMs + 1000, "INFO: two")}));
  EXPECT_EQ(shipper.queued_events(), 0U);
}

TEST_F(CloudWatchTest, LogsBatchesRespectLimits) {
  struct Case {
    std::string name;
    CloudWatchLogsOptions options;
    std::vector<std::pair<milliseconds, std::string>> events;  // offset from kStart, message
    std::vector<size_t> want_batch_sizes;
  };
  // "INFO: 1234" is 10 bytes + 26 = 36 per event.
  using Events = std::vector<std::pair<milliseconds, std::string>>;
  const Events three = {
      {milliseconds(0), "1234"}, {milliseconds(1), "1234"}, {milliseconds(2), "1234"}};
  CloudWatchLogsOptions two_events;
  two_events.max_batch_events = 2;
  CloudWatchLogsOptions bytes_72;
  bytes_72.max_batch_bytes = 72;
  CloudWatchLogsOptions bytes_71;
  bytes_71.max_batch_bytes = 71;
  const std::vector<Case> cases = {
      {"event count", two_events, three, {2, 1}},
      {"bytes incl. 26 per event", bytes_72, three, {2, 1}},
      {"one byte short", bytes_71, Events(three.begin(), three.begin() + 2), {1, 1}},
      {"24 h span",
       {},
       {{milliseconds(0), "a"},
        {hours(24) - milliseconds(1), "b"},
        {hours(24), "c"},
        {hours(25), "d"}},
       {2, 2}},
      {"all in one",
       {},
       {{milliseconds(0), "a"}, {milliseconds(5), "b"}, {milliseconds(5), "c"}},
       {3}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    aws::testing::ScriptedTransport transport;
    transport.On(JsonTarget("CreateLogGroup"), {JsonResponse(200, "{}")});
    transport.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
    transport.On(JsonTarget("PutLogEvents"), {JsonResponse(200, "{}")});
    aws::Client client(transport, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, nullptr,
                       aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}});
    CloudWatchLogsShipper shipper(c.options);
    for (const auto& [offset, message] : c.events) {
      shipper.Add("S", FindingLogLevel::kInfo, message, {}, kStart + offset);
    }
    ASSERT_TRUE(shipper.Flush(client, "us-east-1").ok());
    std::vector<size_t> sizes;
    int64_t last = 0;
    for (const aws::HttpRequest& r : transport.requests()) {
      if (JsonTarget("PutLogEvents")(r)) {
        const json body = json::parse(r.body);
        sizes.push_back(body["logEvents"].size());
        for (const json& e : body["logEvents"]) {
          EXPECT_GE(e["timestamp"].get<int64_t>(), last);
          last = e["timestamp"].get<int64_t>();
        }
      }
    }
    EXPECT_EQ(sizes, c.want_batch_sizes);
  }
}

TEST_F(CloudWatchTest, LogsFailedPutKeepsEventsInOrderForTheNextFlush) {
  transport_.On(JsonTarget("CreateLogGroup"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("PutLogEvents"),
                {JsonResponse(200, "{}"), JsonError(400, "InvalidParameterException", "bad"),
                 JsonResponse(200, "{}")});
  CloudWatchLogsShipper shipper({.max_batch_events = 1});
  shipper.Add("S", FindingLogLevel::kInfo, "a", {}, kStart);
  shipper.Add("S", FindingLogLevel::kInfo, "b", {}, kStart + seconds(1));
  shipper.Add("S", FindingLogLevel::kInfo, "c", {}, kStart + seconds(2));
  const Status failed = shipper.Flush(client_, "us-east-1");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.aws_error_code(), "InvalidParameterException");
  EXPECT_NE(failed.message().find("logs PutLogEvents S"), std::string::npos) << failed.message();
  EXPECT_EQ(shipper.queued_events(), 2U);

  shipper.Add("S", FindingLogLevel::kInfo, "d", {}, kStart + seconds(3));
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  std::vector<std::string> sent;
  for (const json& b : Bodies("PutLogEvents")) {
    sent.push_back(b["logEvents"][0]["message"]);
  }
  EXPECT_EQ(sent,
            (std::vector<std::string>{"INFO: a", "INFO: b", "INFO: b", "INFO: c", "INFO: d"}));
  EXPECT_EQ(shipper.queued_events(), 0U);
}

TEST_F(CloudWatchTest, LogsFailedGroupCreationKeepsEverything) {
  transport_.On(JsonTarget("CreateLogGroup"),
                {JsonError(400, "AccessDeniedException", "no"), JsonResponse(200, "{}")});
  transport_.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("PutLogEvents"), {JsonResponse(200, "{}")});
  CloudWatchLogsShipper shipper({});
  shipper.Add("S", FindingLogLevel::kInfo, "a", {"x"}, kStart);
  shipper.Add("T", FindingLogLevel::kInfo, "b", {}, kStart);
  const Status failed = shipper.Flush(client_, "us-east-1");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("logs CreateLogGroup SO0111-ASR"), std::string::npos);
  EXPECT_EQ(Operations(), std::vector<std::string>{"CreateLogGroup"});
  EXPECT_EQ(shipper.queued_events(), 3U);
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  ASSERT_EQ(Bodies("PutLogEvents").size(), 2U);
  EXPECT_EQ(Bodies("PutLogEvents")[0]["logEvents"].size(), 2U);
  EXPECT_EQ(shipper.queued_events(), 0U);
}

TEST_F(CloudWatchTest, LogsQueueBoundDropsTheOldestEvents) {
  transport_.On(JsonTarget("CreateLogGroup"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("PutLogEvents"), {JsonResponse(200, "{}")});
  CloudWatchLogsShipper shipper({.max_queued_events = 3});
  shipper.Add("B", FindingLogLevel::kInfo, "b1", {}, kStart + seconds(1));
  shipper.Add("A", FindingLogLevel::kInfo, "a0", {}, kStart);
  shipper.Add("B", FindingLogLevel::kInfo, "b2", {}, kStart + seconds(2));
  shipper.Add("A", FindingLogLevel::kInfo, "a3", {"a3 detail"}, kStart + seconds(3));
  EXPECT_EQ(shipper.dropped(), 2U);
  EXPECT_EQ(shipper.queued_events(), 3U);
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  std::vector<std::string> sent;
  for (const json& b : Bodies("PutLogEvents")) {
    for (const json& e : b["logEvents"]) {
      sent.push_back(e["message"]);
    }
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"INFO: a3", "a3 detail", "INFO: b2"}));
}

TEST_F(CloudWatchTest, LogsCountRejectedEventsAndCutLongMessages) {
  transport_.On(JsonTarget("CreateLogGroup"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("CreateLogStream"), {JsonResponse(200, "{}")});
  transport_.On(JsonTarget("PutLogEvents"),
                {JsonResponse(200, R"({"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":1,
                                        "tooNewLogEventStartIndex":2}})")});
  CloudWatchLogsShipper shipper({.max_event_bytes = 9});
  // "INFO: é..." : the cut must not split the two-byte é at bytes 7-8.
  shipper.Add("S", FindingLogLevel::kInfo, "\xC3\xA9\xC3\xA9", {"short", "third"}, kStart);
  ASSERT_TRUE(shipper.Flush(client_, "us-east-1").ok());
  EXPECT_EQ(shipper.rejected(), 2U);
  EXPECT_EQ(shipper.queued_events(), 0U);
  const std::vector<json> puts = Bodies("PutLogEvents");
  ASSERT_EQ(puts.size(), 1U);
  EXPECT_EQ(puts[0]["logEvents"][0]["message"], "INFO: \xC3\xA9");
}

}  // namespace
}  // namespace asr::report
