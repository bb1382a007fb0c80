#include "aws/retry.h"

#include <gtest/gtest.h>

namespace asr::aws {
namespace {

class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double v) : v_(v) {}
  double Uniform() override { return v_; }

 private:
  double v_;
};

Status AwsError(StatusCode code, const std::string& aws_code) {
  return Status(code, aws_code).WithAwsError(aws_code, "req");
}

TEST(RetryTest, ClassifiesErrors) {
  struct Case {
    const char* name;
    Status status;
    bool retryable;
  };
  const Case cases[] = {
      {"throttling", AwsError(StatusCode::kThrottled, "ThrottlingException"), true},
      {"ec2 limit", AwsError(StatusCode::kInvalidArgument, "RequestLimitExceeded"), true},
      {"s3 slow down", AwsError(StatusCode::kUnavailable, "SlowDown"), true},
      {"5xx", AwsError(StatusCode::kUnavailable, "InternalFailure"), true},
      {"connection", UnavailableError("connection refused"), true},
      {"access denied", AwsError(StatusCode::kPermissionDenied, "AccessDenied"), false},
      {"validation", AwsError(StatusCode::kInvalidArgument, "ValidationException"), false},
      {"not found", AwsError(StatusCode::kNotFound, "NoSuchBucket"), false},
      {"ok", Status::Ok(), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(IsRetryable(c.status), c.retryable);
  }
}

TEST(RetryTest, BackoffIsExponentialWithFullJitterAndCapped) {
  RetryOptions o;
  FixedRandom one(0.999999);
  EXPECT_EQ(BackoffDelay(o, 1, one).count(), 999);
  EXPECT_EQ(BackoffDelay(o, 2, one).count(), 1999);
  EXPECT_EQ(BackoffDelay(o, 3, one).count(), 3999);
  EXPECT_EQ(BackoffDelay(o, 10, one).count(), 19999);  // capped at max_backoff
  FixedRandom zero(0.0);
  EXPECT_EQ(BackoffDelay(o, 5, zero).count(), 0);
  FixedRandom half(0.5);
  EXPECT_EQ(BackoffDelay(o, 2, half).count(), 1000);
}

TEST(RetryTest, QuotaIsSpentAndRefilled) {
  RetryOptions o;
  o.quota_capacity = 12;
  RetryQuota q(o);
  const Status throttled = AwsError(StatusCode::kThrottled, "Throttling");
  const Status timeout = UnavailableError("timed out");
  EXPECT_TRUE(q.Acquire(throttled));  // 12 - 5
  EXPECT_EQ(q.available(), 7);
  EXPECT_FALSE(q.Acquire(timeout));    // needs 10
  EXPECT_TRUE(q.Acquire(throttled));   // 7 - 5
  EXPECT_FALSE(q.Acquire(throttled));  // 2 left
  q.Release(5);
  EXPECT_EQ(q.available(), 7);
  q.Release(0);  // a first-try success returns one token
  EXPECT_EQ(q.available(), 8);
  q.Release(100);
  EXPECT_EQ(q.available(), 12);  // never above capacity
}

}  // namespace
}  // namespace asr::aws
