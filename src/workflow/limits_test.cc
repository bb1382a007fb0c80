#include "workflow/limits.h"

#include <gtest/gtest.h>

namespace asr::workflow {
namespace {

Candidate Job(std::string id, std::string account = "111111111111",
              std::string region = "us-east-1", std::string resource = "",
              std::string control = "S3.2", bool automatic = true) {
  if (resource.empty()) {
    resource = account + "/" + region + "/" + id;
  }
  return Candidate{.job_id = std::move(id),
                   .account_id = std::move(account),
                   .region = std::move(region),
                   .resource_key = std::move(resource),
                   .control_id = std::move(control),
                   .automatic = automatic};
}

TEST(LimiterTest, SpacesStartsInOneAccountRegionLikeTheReferenceScheduler) {
  Limiter limiter({.account_region_spacing = std::chrono::milliseconds(3000),
                   .max_running = 0,
                   .max_running_per_account = 0,
                   .max_automatic_per_control_per_hour = 0});
  const Millis t0 = 1'000'000;
  EXPECT_EQ(limiter.Start(Job("a"), t0), t0);
  EXPECT_EQ(limiter.Start(Job("b"), t0), t0 + 3000);
  EXPECT_EQ(limiter.Start(Job("c"), t0 + 1000), t0 + 6000);
  // Another region of the same account, and another account: independent.
  EXPECT_EQ(limiter.Start(Job("d", "111111111111", "eu-west-1"), t0), t0);
  EXPECT_EQ(limiter.Start(Job("e", "222222222222"), t0), t0);
  // Long after the last start: now.
  EXPECT_EQ(limiter.Start(Job("f"), t0 + 60'000), t0 + 60'000);
}

TEST(LimiterTest, HoldsASecondJobOnTheSameResourceUntilTheFirstFinishes) {
  Limiter limiter({});
  const Candidate first = Job("a", "111111111111", "us-east-1", "r1");
  const Candidate second = Job("b", "111111111111", "us-east-1", "r1");
  limiter.Start(first, 0);
  const Admission held = limiter.Check(second, 10, false);
  EXPECT_FALSE(held.start);
  EXPECT_EQ(held.hold, kHoldResourceBusy);
  limiter.Finish(first, 20, false);
  EXPECT_TRUE(limiter.Check(second, 30, false).start);
}

TEST(LimiterTest, ConcurrencyCapsHoldJobsGloballyAndPerAccount) {
  Limiter limiter({.max_running = 3, .max_running_per_account = 2});
  limiter.Start(Job("a", "111111111111"), 0);
  limiter.Start(Job("b", "111111111111"), 0);
  Admission a = limiter.Check(Job("c", "111111111111"), 0, false);
  EXPECT_EQ(a.hold, kHoldAccountConcurrency);
  EXPECT_NE(a.message.find("111111111111"), std::string::npos);
  limiter.Start(Job("d", "222222222222"), 0);
  EXPECT_EQ(limiter.Check(Job("e", "333333333333"), 0, false).hold, kHoldConcurrency);
  limiter.Release(Job("d", "222222222222"));
  EXPECT_TRUE(limiter.Check(Job("e", "333333333333"), 0, false).start);
}

TEST(LimiterTest, BlastRadiusCapsAutomaticStartsPerControlPerSlidingHour) {
  Limiter limiter(
      {.max_running = 0, .max_running_per_account = 0, .max_automatic_per_control_per_hour = 2});
  const Millis hour = 3'600'000;
  limiter.Start(Job("a"), 0);
  limiter.Finish(Job("a"), 1, false);
  limiter.Start(Job("b"), 1000);
  limiter.Finish(Job("b"), 1001, false);
  Admission a = limiter.Check(Job("c"), 2000, false);
  EXPECT_EQ(a.hold, kHoldBlastRadius);
  // Manual requests are not capped; another control is not either.
  EXPECT_TRUE(
      limiter.Check(Job("m", "111111111111", "us-east-1", "", "S3.2", false), 2000, false).start);
  EXPECT_TRUE(limiter.Check(Job("o", "111111111111", "us-east-1", "", "EC2.2"), 2000, false).start);
  // The first start leaves the window after an hour.
  EXPECT_TRUE(limiter.Check(Job("c"), hour + 1, false).start);
}

TEST(LimiterTest, CircuitBreakerOpensOnFailureRateAndClosesWhenFailuresAgeOut) {
  Limiter limiter({.max_running = 0,
                   .max_running_per_account = 0,
                   .max_automatic_per_control_per_hour = 0,
                   .breaker_min_outcomes = 4,
                   .breaker_failure_ratio = 0.5,
                   .breaker_window = std::chrono::milliseconds(10'000)});
  const bool outcomes[] = {true, false, true, false};
  Millis t = 0;
  for (bool failed : outcomes) {
    const Candidate c = Job("j" + std::to_string(t));
    limiter.Start(c, t);
    limiter.Finish(c, t, failed);
    t += 100;
  }
  EXPECT_TRUE(limiter.BreakerOpen("S3.2", t));
  EXPECT_EQ(limiter.Check(Job("x"), t, false).hold, kHoldCircuitOpen);
  // A person's request still runs; other controls are unaffected.
  EXPECT_TRUE(
      limiter.Check(Job("y", "111111111111", "us-east-1", "", "S3.2", false), t, false).start);
  EXPECT_TRUE(limiter.Check(Job("z", "111111111111", "us-east-1", "", "EC2.2"), t, false).start);
  // Below the minimum number of outcomes the breaker stays closed.
  EXPECT_FALSE(limiter.BreakerOpen("EC2.2", t));
  EXPECT_FALSE(limiter.BreakerOpen("S3.2", 20'000));
}

TEST(LimiterTest, KillSwitchHoldsEveryJob) {
  Limiter limiter({});
  const Admission a =
      limiter.Check(Job("a", "111111111111", "us-east-1", "", "S3.2", false), 0, true);
  EXPECT_FALSE(a.start);
  EXPECT_EQ(a.hold, kHoldKillSwitch);
}

TEST(LimiterTest, RestoredHistoryCountsAfterARestart) {
  Limiter limiter({.max_automatic_per_control_per_hour = 1,
                   .breaker_min_outcomes = 1,
                   .breaker_failure_ratio = 1.0});
  limiter.RestoreSlot("111111111111-us-east-1", 5000);
  EXPECT_EQ(limiter.Check(Job("a", "111111111111", "us-east-1", "", "EC2.2", false), 6000, false)
                .planned_start,
            8000);
  limiter.RestoreAutomaticStart("S3.2", 1000);
  EXPECT_EQ(limiter.Check(Job("b"), 2000, false).hold, kHoldBlastRadius);
  limiter.RestoreOutcome("EC2.2", 1000, true);
  EXPECT_TRUE(limiter.BreakerOpen("EC2.2", 2000));
}

}  // namespace
}  // namespace asr::workflow
