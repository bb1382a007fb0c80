#pragma once

#include <atomic>
#include <chrono>

#include "aws/retry.h"
#include "common/clock.h"

namespace asr::intake::internal {

// The longest single Sleep of the helpers below: how long a set stop flag may go unnoticed.
inline constexpr std::chrono::milliseconds kStopCheckInterval{1000};

// Sleeps until clock.Now() >= due, in slices of at most kStopCheckInterval, returning early once
// `stop` is set. Returns false when it returned because of `stop`.
bool WaitUntil(const Clock& clock, aws::Sleeper& sleeper, std::chrono::system_clock::time_point due,
               const std::atomic<bool>& stop);

// The pause after the `failures`-th consecutive failure (1-based): d = min(base * 2^(failures-1),
// max), then "equal jitter" d/2 + Uniform() * d/2, so a pause is never shorter than half of d
// (a loop that fails instantly can't spin).
std::chrono::milliseconds FailurePause(std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, int failures,
                                       aws::Random& random);

}  // namespace asr::intake::internal
