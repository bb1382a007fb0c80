#include "report/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asr::report {
namespace {

struct Parsed {
  std::map<std::string, double> samples;  // `name{labels}` → value
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::vector<std::string> order;  // metric names in TYPE order
};

// A strict-enough reader of the text format: every line is a comment or "<series> <value>".
Parsed Parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty()) << "blank line in exposition";
    if (line.starts_with("# HELP ")) {
      const std::string rest = line.substr(7);
      p.helps[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const std::string name = rest.substr(0, rest.find(' '));
      p.types[name] = rest.substr(rest.find(' ') + 1);
      p.order.push_back(name);
      continue;
    }
    const size_t space = line.rfind(' ');
    EXPECT_NE(space, std::string::npos) << line;
    const std::string value = line.substr(space + 1);
    p.samples[line.substr(0, space)] = value == "+Inf" ? 1e308 : std::stod(value);
  }
  return p;
}

TEST(MetricsTest, AsrFamiliesRegisterAndRenderTypes) {
  MetricsRegistry registry;
  ASSERT_TRUE(RegisterAsrMetrics(registry).ok());
  const Parsed p = Parse(registry.Render());
  const std::map<std::string, std::string> want = {{"asr_remediation_outcomes_total", "counter"},
                                                   {"asr_assume_role_failures_total", "counter"},
                                                   {"asr_no_runbook_total", "counter"},
                                                   {"asr_jobs_started_total", "counter"},
                                                   {"asr_queue_depth", "gauge"},
                                                   {"asr_finding_to_outcome_seconds", "histogram"},
                                                   {"asr_intake_events_total", "counter"},
                                                   {"asr_outbox_deliveries_total", "counter"}};
  EXPECT_EQ(p.types, want);
  for (const auto& [name, type] : want) {
    EXPECT_FALSE(p.helps.at(name).empty()) << name;
  }
  // Registering twice is refused.
  EXPECT_EQ(RegisterAsrMetrics(registry).code(), StatusCode::kInvalidArgument);
  EXPECT_NE(NewAsrMetrics(), nullptr);
  EXPECT_EQ(Parse(NewAsrMetrics()->Render()).types, want);
}

TEST(MetricsTest, CountersAndGaugesRenderPerLabelSet) {
  auto registry = NewAsrMetrics();
  registry->Increment(kRemediationOutcomesTotal, {"S3.2", "SUCCESS"});
  registry->Increment(kRemediationOutcomesTotal, {"S3.2", "SUCCESS"}, 2);
  registry->Increment(kRemediationOutcomesTotal, {"EC2.1", "FAILED"});
  registry->Increment(kJobsStartedTotal, {});
  registry->Set(kQueueDepth, {}, 7);
  registry->Add(kQueueDepth, {}, -2);
  const Parsed p = Parse(registry->Render());
  EXPECT_EQ(p.samples.at(R"(asr_remediation_outcomes_total{control="S3.2",status="SUCCESS"})"), 3);
  EXPECT_EQ(p.samples.at(R"(asr_remediation_outcomes_total{control="EC2.1",status="FAILED"})"), 1);
  EXPECT_EQ(p.samples.at("asr_jobs_started_total"), 1);
  EXPECT_EQ(p.samples.at("asr_queue_depth"), 5);
  EXPECT_EQ(registry->Value(kRemediationOutcomesTotal, {"S3.2", "SUCCESS"}), 3);
  EXPECT_EQ(registry->Value(kRemediationOutcomesTotal, {"S3.2", "FAILED"}), 0);
  EXPECT_EQ(p.samples.count("asr_metrics_misuse_total"), 0U);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.RegisterHistogram("h_seconds", "H.", {"control"}, {1, 5, 10}).ok());
  for (const double v : {0.5, 1.0, 3.0, 10.0, 11.0, 100.0}) {
    registry.Observe("h_seconds", {"S3.2"}, v);
  }
  const Parsed p = Parse(registry.Render());
  EXPECT_EQ(p.samples.at(R"(h_seconds_bucket{control="S3.2",le="1"})"), 2);  // le is inclusive
  EXPECT_EQ(p.samples.at(R"(h_seconds_bucket{control="S3.2",le="5"})"), 3);
  EXPECT_EQ(p.samples.at(R"(h_seconds_bucket{control="S3.2",le="10"})"), 4);
  EXPECT_EQ(p.samples.at(R"(h_seconds_bucket{control="S3.2",le="+Inf"})"), 6);
  EXPECT_DOUBLE_EQ(p.samples.at(R"(h_seconds_sum{control="S3.2"})"), 125.5);
  EXPECT_EQ(p.samples.at(R"(h_seconds_count{control="S3.2"})"), 6);
  EXPECT_EQ(p.types.at("h_seconds"), "histogram");
  EXPECT_EQ(registry.Value("h_seconds", {"S3.2"}), 6);
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.RegisterCounter("c_total", "line one\nback\\slash \"q\"", {"v"}).ok());
  registry.Increment("c_total", {"a\"b\\c\nd"});
  const std::string text = registry.Render();
  EXPECT_NE(text.find(R"(# HELP c_total line one\nback\\slash "q")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(c_total{v="a\"b\\c\nd"} 1)"), std::string::npos) << text;
}

TEST(MetricsTest, MisuseIsDroppedAndCounted) {
  auto registry = NewAsrMetrics();
  registry->Increment("asr_no_such_total", {});              // unknown family
  registry->Increment(kRemediationOutcomesTotal, {"S3.2"});  // wrong label count
  registry->Set(kJobsStartedTotal, {}, 3);                   // counter used as gauge
  registry->Increment(kJobsStartedTotal, {}, -1);            // counters only go up
  registry->Observe(kFindingToOutcomeSeconds, {"S3.2"}, std::nan(""));
  const Parsed p = Parse(registry->Render());
  EXPECT_EQ(p.samples.at("asr_metrics_misuse_total"), 5);
  EXPECT_EQ(p.types.at("asr_metrics_misuse_total"), "counter");
  EXPECT_EQ(p.samples.count("asr_jobs_started_total"), 0U);
}

TEST(MetricsTest, InvalidRegistrationsAreRefused) {
  MetricsRegistry registry;
  const struct {
    std::string name;
    Status status;
  } cases[] = {
      {"bad name", registry.RegisterCounter("1abc", "h", {})},
      {"dash", registry.RegisterCounter("a-b", "h", {})},
      {"reserved prefix", registry.RegisterCounter("__a", "h", {})},
      {"bad label", registry.RegisterCounter("ok_total", "h", {"a:b"})},
      {"le label", registry.RegisterHistogram("h1", "h", {"le"}, {1})},
      {"unsorted buckets", registry.RegisterHistogram("h2", "h", {}, {5, 1})},
      {"infinite bucket", registry.RegisterHistogram("h3", "h", {}, {1, INFINITY})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.status.code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(registry.Render().empty());
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  auto registry = NewAsrMetrics();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry] {
      for (int i = 0; i < kPerThread; ++i) {
        registry->Increment(kIntakeEventsTotal, {"http", "accepted"});
        registry->Observe(kFindingToOutcomeSeconds, {"S3.2"}, 2);
        if (i % 100 == 0) {
          static_cast<void>(registry->Render());
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(registry->Value(kIntakeEventsTotal, {"http", "accepted"}), kThreads * kPerThread);
  EXPECT_EQ(registry->Value(kFindingToOutcomeSeconds, {"S3.2"}), kThreads * kPerThread);
}

}  // namespace
}  // namespace asr::report
