#include "report/log_stream.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asr::report {
namespace {

using std::chrono::system_clock;

// 2026-04-21T08:00:00Z
const system_clock::time_point kApril21 =
    system_clock::time_point(std::chrono::seconds(1776758400));

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(nlohmann::json::parse(line));  // throws (fails the test) on invalid JSON
  }
  return out;
}

TEST(LogStreamTest, StreamNamesFollowTheReference) {
  const struct {
    std::string standard;
    std::string control;
    std::string want;
  } cases[] = {
      {"SC", "EC2.1", "SC-EC2.1-2026-04-21"}, {"afsbp", "s3.2", "AFSBP-S3.2-2026-04-21"},
      {"CIS", "", "CIS-2026-04-21"},          {"", "", "ASR-2026-04-21"},
      {"", "S3.1", "ASR-S3.1-2026-04-21"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(LogStreamName(c.standard, c.control, kApril21), c.want);
  }
  // The date is UTC: one second before midnight UTC is still the 21st.
  EXPECT_EQ(LogStreamName("SC", "", kApril21 + std::chrono::hours(16) - std::chrono::seconds(1)),
            "SC-2026-04-21");
  EXPECT_EQ(LogStreamName("SC", "", kApril21 + std::chrono::hours(16)), "SC-2026-04-22");
}

TEST(LogStreamTest, WriterAppendsOneJsonLinePerEntry) {
  std::ostringstream out;
  FakeClock clock(kApril21);
  FindingLogWriter writer(out, clock);
  writer.Write({.stream = "SC-S3.2-2026-04-21",
                .level = FindingLogLevel::kError,
                .message = "Remediation failed",
                .job_id = "j-1",
                .details = {"line 1", "line 2"},
                .fields = {{"finding_id", "f-1"}, {"session_token", "abc"}, {"level", "forged"}}});
  writer.Write({.stream = "ASR-2026-04-21", .message = "queued", .job_id = "j-2"});
  const std::vector<nlohmann::json> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], nlohmann::json::parse(R"({
      "time": "2026-04-21T08:00:00.000Z", "stream": "SC-S3.2-2026-04-21", "level": "ERROR",
      "message": "Remediation failed", "job_id": "j-1", "finding_id": "f-1",
      "session_token": "[REDACTED]", "details": ["line 1", "line 2"]})"));
  EXPECT_EQ(lines[1]["level"], "INFO");
  EXPECT_FALSE(lines[1].contains("details"));
  // Key order: time, stream, level first.
  EXPECT_TRUE(out.str().starts_with(R"({"time":"2026-04-21T08:00:00.000Z","stream":)"));
}

TEST(LogStreamTest, InvalidUtf8StillGivesValidJson) {
  std::ostringstream out;
  FakeClock clock(kApril21);
  FindingLogWriter writer(out, clock);
  writer.Write({.stream = "s", .message = "bad \xff byte", .job_id = "j"});
  const std::vector<nlohmann::json> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0]["message"], "bad \xef\xbf\xbd byte");
}

TEST(LogStreamTest, ConcurrentWritersNeverInterleaveLines) {
  std::ostringstream out;
  FakeClock clock(kApril21);
  FindingLogWriter writer(out, clock);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < kPerThread; ++i) {
        writer.Write({.stream = "s",
                      .message = std::string(100, static_cast<char>('a' + t)),
                      .job_id = std::to_string(i)});
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const std::vector<nlohmann::json> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kPerThread));
  for (const auto& line : lines) {
    const std::string message = line["message"];
    EXPECT_EQ(message, std::string(100, message[0]));
  }
}

}  // namespace
}  // namespace asr::report
