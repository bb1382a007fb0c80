#pragma once

#include <chrono>
#include <mutex>
#include <optional>

namespace asr::report {

// A token bucket for client-side rate limits: `rate` tokens a second up to `burst`, starting
// full. Time comes from the caller (a Clock), so tests need no sleeping. Thread-safe.
class TokenBucket final {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // rate > 0 and burst >= 1 are expected; smaller values are raised to a tiny rate / 1 token.
  TokenBucket(double rate_per_second, double burst);

  // Takes one token when one is available at `now`.
  bool TryTake(TimePoint now);
  // When the next token will be available (`now` when one is available already).
  TimePoint NextAvailable(TimePoint now);

 private:
  void Refill(TimePoint now);  // requires mu_ held

  std::mutex mu_;
  const double rate_;
  const double burst_;
  double tokens_;
  std::optional<TimePoint> last_;
};

}  // namespace asr::report
