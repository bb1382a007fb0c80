#include "aws/retry.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <thread>

namespace asr::aws {

bool IsThrottlingErrorCode(std::string_view code) {
  static constexpr std::array<std::string_view, 14> kCodes = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "TransactionInProgressException",
      "RequestLimitExceeded",
      "BandwidthLimitExceeded",
      "LimitExceededException",
      "RequestThrottled",
      "SlowDown",
      "PriorRequestNotComplete",
      "EC2ThrottledException",
  };
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsTransientErrorCode(std::string_view code) {
  static constexpr std::array<std::string_view, 5> kCodes = {
      "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError",
      "ServiceUnavailable"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsRetryable(const Status& status) {
  if (status.ok()) {
    return false;
  }
  if (IsThrottlingErrorCode(status.aws_error_code()) ||
      IsTransientErrorCode(status.aws_error_code())) {
    return true;
  }
  switch (status.code()) {
    case StatusCode::kThrottled:
    case StatusCode::kUnavailable:
      return true;
    default:
      return status.retryable();
  }
}

RetryQuota::RetryQuota(const RetryOptions& options)
    : options_(options), available_(options.quota_capacity) {}

int RetryQuota::CostOf(const Status& status) const {
  const bool timeout = status.code() == StatusCode::kUnavailable && status.aws_error_code().empty();
  return timeout ? options_.timeout_retry_cost : options_.retry_cost;
}

bool RetryQuota::Acquire(const Status& status) {
  const int cost = CostOf(status);
  const std::lock_guard<std::mutex> lock(mu_);
  if (available_ < cost) {
    return false;
  }
  available_ -= cost;
  return true;
}

void RetryQuota::Release(int cost_taken) {
  const std::lock_guard<std::mutex> lock(mu_);
  available_ = std::min(options_.quota_capacity, available_ + std::max(cost_taken, 1));
}

int RetryQuota::available() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return available_;
}

void ThreadSleeper::Sleep(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

SystemRandom::SystemRandom() : state_(std::random_device{}()) {}

double SystemRandom::Uniform() {
  const std::lock_guard<std::mutex> lock(mu_);
  // splitmix64: small, fast and good enough for jitter.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  z ^= z >> 31U;
  return static_cast<double>(z >> 11U) * 0x1.0p-53;
}

std::chrono::milliseconds BackoffDelay(const RetryOptions& options, int retry, Random& random) {
  const double exp = std::ldexp(1.0, std::clamp(retry - 1, 0, 30));
  const double cap = std::min(static_cast<double>(options.base_delay.count()) * exp,
                              static_cast<double>(options.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(random.Uniform() * cap));
}

}  // namespace asr::aws
