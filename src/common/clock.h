#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace asr {

// Source of wall-clock time. Every use of "now" in asr goes through a Clock so that tests can
// control time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::system_clock::time_point Now() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point Now() const override;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start);
  [[nodiscard]] std::chrono::system_clock::time_point Now() const override;
  void Advance(std::chrono::system_clock::duration by);
  void Set(std::chrono::system_clock::time_point to);

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point now_;
};

// Formats as RFC 3339 UTC with milliseconds: "2026-11-28T08:21:19.123Z".
std::string FormatRfc3339Millis(std::chrono::system_clock::time_point t);
// Formats the UTC calendar date: "2026-11-28".
std::string FormatDate(std::chrono::system_clock::time_point t);

}  // namespace asr
