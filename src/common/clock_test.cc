#include "common/clock.h"

#include <gtest/gtest.h>

namespace asr {
namespace {

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  using std::chrono::seconds;
  using std::chrono::system_clock;
  FakeClock clock(system_clock::time_point(seconds(86400)));
  EXPECT_EQ(FormatRfc3339Millis(clock.Now()), "1970-01-02T00:00:00.000Z");
  clock.Advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(FormatRfc3339Millis(clock.Now()), "1970-01-02T00:00:01.500Z");
  clock.Set(system_clock::time_point(seconds(1'795'855'279)));
  EXPECT_EQ(FormatDate(clock.Now()), "2026-11-28");
}

TEST(ClockTest, SystemClockIsAfter2020) {
  const SystemClock clock;
  EXPECT_GT(clock.Now(),
            std::chrono::system_clock::time_point(std::chrono::seconds(1'577'836'800)));
}

}  // namespace
}  // namespace asr
