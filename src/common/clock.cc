#include "common/clock.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace asr {

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

FakeClock::FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}

std::chrono::system_clock::time_point FakeClock::Now() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void FakeClock::Advance(std::chrono::system_clock::duration by) {
  const std::lock_guard<std::mutex> lock(mu_);
  now_ += by;
}

void FakeClock::Set(std::chrono::system_clock::time_point to) {
  const std::lock_guard<std::mutex> lock(mu_);
  now_ = to;
}

namespace {

std::tm ToUtc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string FormatRfc3339Millis(std::chrono::system_clock::time_point t) {
  const auto floored = std::chrono::floor<std::chrono::seconds>(t);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - floored).count();
  const std::tm tm = ToUtc(floored);
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf.data();
}

std::string FormatDate(std::chrono::system_clock::time_point t) {
  const std::tm tm = ToUtc(t);
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday);
  return buf.data();
}

}  // namespace asr
