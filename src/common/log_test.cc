#include "common/log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace asr {
namespace {

class LogTest : public ::testing::Test {
 protected:
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
  MemoryLogSink sink_;
};

TEST_F(LogTest, WritesOneJsonObjectPerLineWithBoundFields) {
  const Logger logger(sink_, clock_, LogLevel::kInfo);
  const Logger job = logger.With({{"job_id", "j-1"}, {"control", "S3.2"}});
  job.Info("job admitted", {{"step", "admit"}});
  const auto lines = sink_.Lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["ts"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "job admitted");
  EXPECT_EQ(j["job_id"], "j-1");
  EXPECT_EQ(j["control"], "S3.2");
  EXPECT_EQ(j["step"], "admit");
}

TEST_F(LogTest, DropsLinesBelowMinimumLevel) {
  const Logger logger(sink_, clock_, LogLevel::kWarn);
  logger.Info("hidden");
  logger.Debug("hidden");
  logger.Error("shown");
  ASSERT_EQ(sink_.Lines().size(), 1u);
}

TEST_F(LogTest, EscapesControlCharactersAndQuotes) {
  const Logger logger(sink_, clock_, LogLevel::kDebug);
  logger.Info("line\nbreak \"quoted\"", {{"k", std::string("nul\x01") + "tab\t"}});
  const auto j = nlohmann::json::parse(sink_.Lines().at(0));
  EXPECT_EQ(j["msg"], "line\nbreak \"quoted\"");
  EXPECT_EQ(j["k"], "nul\x01tab\t");
}

TEST_F(LogTest, RedactsSensitiveFieldValues) {
  const Logger logger(sink_, clock_, LogLevel::kDebug);
  logger.Info("call", {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIA..."},
                       {"X-Amz-Security-Token", "FQoGZXIvYXdz"},
                       {"aws_secret_access_key", "wJalrXUtnFEMI"},
                       {"operation", "PutBucketPolicy"}});
  const std::string line = sink_.Lines().at(0);
  EXPECT_EQ(line.find("AKIA"), std::string::npos);
  EXPECT_EQ(line.find("FQoGZXIvYXdz"), std::string::npos);
  EXPECT_EQ(line.find("wJalrXUtnFEMI"), std::string::npos);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["Authorization"], "[REDACTED]");
  EXPECT_EQ(j["operation"], "PutBucketPolicy");
}

}  // namespace
}  // namespace asr
