#include "intake/internal/wait.h"

#include <algorithm>

namespace asr::intake::internal {

bool WaitUntil(const Clock& clock, aws::Sleeper& sleeper, std::chrono::system_clock::time_point due,
               const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto now = clock.Now();
    if (now >= due) {
      return true;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - now);
    sleeper.Sleep(std::min(left, kStopCheckInterval));
  }
  return false;
}

std::chrono::milliseconds FailurePause(std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, int failures,
                                       aws::Random& random) {
  using std::chrono::milliseconds;
  const milliseconds floor_base = std::max(base, milliseconds(1));
  const milliseconds cap = std::max(max, floor_base);
  milliseconds d = floor_base;
  // Doubling stops at the cap, so the shift never overflows.
  for (int i = 1; i < failures && d < cap; ++i) {
    d = std::min(d * 2, cap);
  }
  const double half = static_cast<double>(d.count()) / 2;
  const double u = std::clamp(random.Uniform(), 0.0, 1.0);
  return milliseconds(static_cast<milliseconds::rep>(half + u * half));
}

}  // namespace asr::intake::internal
