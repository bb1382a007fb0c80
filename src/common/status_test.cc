#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace asr {
namespace {

TEST(StatusTest, DefaultIsOk) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, OkCodeDropsMessage) {
  const Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, ShorthandsSetCodeAndRetryable) {
  struct Case {
    const char* name;
    Status status;
    StatusCode code;
    bool retryable;
  };
  const Case cases[] = {
      {"invalid", InvalidArgumentError("m"), StatusCode::kInvalidArgument, false},
      {"notfound", NotFoundError("m"), StatusCode::kNotFound, false},
      {"denied", PermissionDeniedError("m"), StatusCode::kPermissionDenied, false},
      {"throttled", ThrottledError("m"), StatusCode::kThrottled, true},
      {"unavailable", UnavailableError("m"), StatusCode::kUnavailable, true},
      {"conflict", ConflictError("m"), StatusCode::kConflict, false},
      {"precondition", FailedPreconditionError("m"), StatusCode::kFailedPrecondition, false},
      {"internal", InternalError("m"), StatusCode::kInternal, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.retryable(), c.retryable);
    EXPECT_EQ(c.status.message(), "m");
  }
}

TEST(StatusTest, AnnotateAddsContextAndKeepsAwsFields) {
  const Status s = PermissionDeniedError("AccessDenied")
                       .WithAwsError("AccessDenied", "req-1")
                       .Annotate("PutBucketPolicy")
                       .Annotate("apply SetSSLBucketPolicy");
  EXPECT_EQ(s.message(), "apply SetSSLBucketPolicy: PutBucketPolicy: AccessDenied");
  EXPECT_EQ(s.aws_error_code(), "AccessDenied");
  EXPECT_EQ(s.request_id(), "req-1");
  EXPECT_EQ(s.ToString(),
            "PERMISSION_DENIED: apply SetSSLBucketPolicy: PutBucketPolicy: AccessDenied "
            "[aws=AccessDenied request_id=req-1]");
}

TEST(StatusTest, AnnotateOnOkStaysOk) { EXPECT_TRUE(Status::Ok().Annotate("ctx").ok()); }

Result<int> Half(int x) {
  if (x % 2 != 0) {
    return InvalidArgumentError("odd");
  }
  return x / 2;
}

Result<int> Quarter(int x) {
  ASR_ASSIGN_OR_RETURN(const int half, Half(x));
  ASR_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  ASR_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(ResultTest, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  const Result<int> odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternal) {
  const Result<int> r{Status::Ok()};
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r.ok());
  const std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace asr
