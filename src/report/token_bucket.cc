#include "report/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace asr::report {
namespace {

// Refills are computed in floating point; a token short by rounding error still counts.
constexpr double kEpsilon = 1e-9;

}  // namespace

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(rate_per_second > 1e-6 ? rate_per_second : 1e-6),
      burst_(burst >= 1 ? burst : 1),
      tokens_(burst_) {}

void TokenBucket::Refill(TimePoint now) {
  if (last_.has_value() && now > *last_) {
    const double seconds = std::chrono::duration<double>(now - *last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  }
  // A clock that steps back must not mint tokens later: keep the newest time seen.
  if (!last_.has_value() || now > *last_) {
    last_ = now;
  }
}

bool TokenBucket::TryTake(TimePoint now) {
  const std::lock_guard lock(mu_);
  Refill(now);
  if (tokens_ >= 1 - kEpsilon) {
    tokens_ = std::max(0.0, tokens_ - 1);
    return true;
  }
  return false;
}

TokenBucket::TimePoint TokenBucket::NextAvailable(TimePoint now) {
  const std::lock_guard lock(mu_);
  Refill(now);
  if (tokens_ >= 1 - kEpsilon) {
    return now;
  }
  // Rounded up, so that TryTake at the returned time succeeds.
  const auto wait = std::chrono::ceil<std::chrono::system_clock::duration>(
      std::chrono::duration<double>((1 - tokens_) / rate_));
  return *last_ + wait;
}

}  // namespace asr::report
