#include "report/token_bucket.h"

#include <gtest/gtest.h>

namespace asr::report {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = TokenBucket::TimePoint;

const TimePoint kStart = TimePoint(seconds(1'800'000'000));

TEST(TokenBucketTest, StartsFullAndAllowsTheBurst) {
  TokenBucket bucket(10, 30);
  for (int i = 0; i < 30; ++i) {
    EXPECT_TRUE(bucket.TryTake(kStart)) << i;
  }
  EXPECT_FALSE(bucket.TryTake(kStart));
  EXPECT_EQ(bucket.NextAvailable(kStart), kStart + milliseconds(100));
  EXPECT_TRUE(bucket.TryTake(bucket.NextAvailable(kStart)));
}

TEST(TokenBucketTest, RefillsAtTheRateUpToTheBurst) {
  TokenBucket bucket(10, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(bucket.TryTake(kStart));
  }
  EXPECT_FALSE(bucket.TryTake(kStart + milliseconds(99)));
  EXPECT_TRUE(bucket.TryTake(kStart + milliseconds(100)));
  EXPECT_FALSE(bucket.TryTake(kStart + milliseconds(100)));
  // A long pause refills only up to the burst.
  const TimePoint later = kStart + seconds(60);
  int taken = 0;
  while (bucket.TryTake(later)) {
    ++taken;
  }
  EXPECT_EQ(taken, 3);
  EXPECT_EQ(bucket.NextAvailable(later + milliseconds(100)), later + milliseconds(100));
}

TEST(TokenBucketTest, AClockSteppingBackDoesNotMintTokens) {
  TokenBucket bucket(1, 1);
  ASSERT_TRUE(bucket.TryTake(kStart));
  EXPECT_FALSE(bucket.TryTake(kStart - seconds(10)));
  EXPECT_FALSE(bucket.TryTake(kStart));
  EXPECT_TRUE(bucket.TryTake(kStart + seconds(1)));
}

}  // namespace
}  // namespace asr::report
