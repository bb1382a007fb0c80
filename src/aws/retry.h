#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "common/status.h"

namespace asr::aws {

// AWS "standard" retry mode (botocore retries/standard.py): up to `max_attempts` attempts,
// exponential backoff with full jitter capped at `max_backoff`, and a client-wide retry quota so
// that a failing service is not hammered.
struct RetryOptions {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20000};
  // Gives up (with the last error) when the next attempt would start after this much time since
  // the first one; 0 means no total deadline.
  std::chrono::milliseconds total_deadline{0};
  int quota_capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
};

// True for AWS error codes that mean "slow down" (Throttling, ThrottlingException,
// TooManyRequestsException, RequestLimitExceeded, SlowDown, ...).
bool IsThrottlingErrorCode(std::string_view code);
// True for transient AWS error codes (RequestTimeout, PriorRequestNotComplete, ...).
bool IsTransientErrorCode(std::string_view code);

// Whether a failed attempt may be retried: throttling and transient error codes, HTTP 5xx
// (Unavailable), connection errors (Unavailable from the transport). Never for access denied,
// validation or not-found errors.
bool IsRetryable(const Status& status);

// The shared retry token bucket. Thread-safe.
class RetryQuota final {
 public:
  explicit RetryQuota(const RetryOptions& options);
  // Takes tokens for a retry of `status`; false when the quota is exhausted.
  bool Acquire(const Status& status);
  // Returns tokens after a successful attempt (the cost of its retry, or 1 on a first try).
  void Release(int cost_taken);
  [[nodiscard]] int available() const;
  [[nodiscard]] int CostOf(const Status& status) const;

 private:
  const RetryOptions options_;
  mutable std::mutex mu_;
  int available_;
};

// Random numbers in [0, 1); behind an interface so tests are deterministic.
class Random {
 public:
  virtual ~Random() = default;
  virtual double Uniform() = 0;
};

// Waits; behind an interface so tests don't sleep.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(std::chrono::milliseconds duration) = 0;
};

// std::this_thread::sleep_for.
class ThreadSleeper final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds duration) override;
};

// splitmix64 seeded from std::random_device, behind a mutex. Thread-safe.
class SystemRandom final : public Random {
 public:
  SystemRandom();
  double Uniform() override;

 private:
  std::mutex mu_;
  uint64_t state_;
};

// The delay before retry number `retry` (1-based): Uniform() * min(base * 2^(retry-1), max).
std::chrono::milliseconds BackoffDelay(const RetryOptions& options, int retry, Random& random);

}  // namespace asr::aws
