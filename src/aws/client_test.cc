#include "aws/client.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace asr::aws {
namespace {

using nlohmann::json;

// Answers each request with the next scripted response and records what was sent.
class FakeTransport final : public Transport {
 public:
  void Push(Result<HttpResponse> r) { responses_.push_back(std::move(r)); }
  Result<HttpResponse> Send(const HttpRequest& request, const TransportOptions& /*o*/) override {
    const std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(request);
    if (responses_.empty()) {
      return InternalError("no scripted response left");
    }
    Result<HttpResponse> r = responses_.front();
    responses_.pop_front();
    return r;
  }
  std::vector<HttpRequest> sent_;

 private:
  std::mutex mu_;
  std::deque<Result<HttpResponse>> responses_;
};

class RecordingSleeper final : public Sleeper {
 public:
  explicit RecordingSleeper(FakeClock& clock) : clock_(clock) {}
  void Sleep(std::chrono::milliseconds d) override {
    slept_.push_back(d);
    clock_.Advance(d);
  }
  std::vector<std::chrono::milliseconds> slept_;

 private:
  FakeClock& clock_;
};

class HalfRandom final : public Random {
 public:
  double Uniform() override { return 0.5; }
};

HttpResponse Xml(int status, const std::string& body) {
  return {.status = status, .headers = {{"Content-Type", "text/xml"}}, .body = body};
}

const char* kCallerIdentity =
    R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::111111111111:user/alice</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>111111111111</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>)";

std::string QueryError(const std::string& code) {
  return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code +
         "</Code><Message>nope</Message></Error><RequestId>req-9</RequestId></ErrorResponse>";
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest()
      : creds_(Credentials{.access_key_id = "AKIDEXAMPLE",
                           .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                           .session_token = "FQoGZXIvYXdzEXAMPLETOKEN",
                           .expiration = std::nullopt,
                           .source = "test"}),
        clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1'795'000'000))),
        sleeper_(clock_),
        logger_(sink_, clock_, LogLevel::kDebug) {}

  Client MakeClient(RetryOptions retry = {}) {
    ClientOptions o;
    o.region = "us-east-1";
    o.retry = retry;
    return Client(transport_, creds_, BuiltinModels(), clock_, sleeper_, random_, &logger_, o);
  }

  FakeTransport transport_;
  StaticCredentialsProvider creds_;
  FakeClock clock_;
  RecordingSleeper sleeper_;
  HalfRandom random_;
  MemoryLogSink sink_;
  Logger logger_;
};

TEST_F(ClientTest, SignsSendsAndParses) {
  transport_.Push(Xml(200, kCallerIdentity));
  Client client = MakeClient();
  const Result<json> out = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)["Account"], "111111111111");
  ASSERT_EQ(transport_.sent_.size(), 1u);
  const HttpRequest& r = transport_.sent_[0];
  EXPECT_EQ(r.host, "sts.us-east-1.amazonaws.com");
  ASSERT_NE(r.FindHeader("Authorization"), nullptr);
  EXPECT_NE(r.FindHeader("Authorization")->find("Credential=AKIDEXAMPLE/"), std::string::npos);
  ASSERT_NE(r.FindHeader("X-Amz-Security-Token"), nullptr);
}

TEST_F(ClientTest, RetriesThrottlingThenSucceeds) {
  transport_.Push(Xml(400, QueryError("Throttling")));
  transport_.Push(Xml(200, kCallerIdentity));
  Client client = MakeClient();
  const Result<json> out = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(transport_.sent_.size(), 2u);
  ASSERT_EQ(sleeper_.slept_.size(), 1u);
  EXPECT_EQ(sleeper_.slept_[0].count(), 500);  // 0.5 * 1 s, full jitter
}

TEST_F(ClientTest, AccessDeniedIsNotRetried) {
  transport_.Push(Xml(403, QueryError("AccessDenied")));
  Client client = MakeClient();
  const Result<json> out = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(out.status().aws_error_code(), "AccessDenied");
  EXPECT_EQ(out.status().request_id(), "req-9");
  EXPECT_FALSE(out.status().retryable());
  EXPECT_EQ(transport_.sent_.size(), 1u);
  EXPECT_TRUE(sleeper_.slept_.empty());
}

TEST_F(ClientTest, GivesUpAfterMaxAttemptsWithRetryableError) {
  for (int i = 0; i < 3; ++i) {
    transport_.Push(Xml(503, QueryError("ServiceUnavailable")));
  }
  Client client = MakeClient();
  const Result<json> out = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.status().retryable());
  EXPECT_EQ(transport_.sent_.size(), 3u);
  EXPECT_EQ(sleeper_.slept_.size(), 2u);
}

TEST_F(ClientTest, ConnectionErrorsAreRetried) {
  transport_.Push(UnavailableError("connection refused"));
  transport_.Push(Xml(200, kCallerIdentity));
  Client client = MakeClient();
  EXPECT_TRUE(client.Call("sts", "GetCallerIdentity", json::object()).ok());
  EXPECT_EQ(transport_.sent_.size(), 2u);
}

TEST_F(ClientTest, RetryQuotaExhaustionStopsRetrying) {
  RetryOptions retry;
  retry.quota_capacity = 5;  // one throttling retry
  Client client = MakeClient(retry);
  for (int i = 0; i < 4; ++i) {
    transport_.Push(Xml(400, QueryError("Throttling")));
  }
  const Result<json> first = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_FALSE(first.ok());
  // The first call used the quota on its first retry, then ran out.
  EXPECT_EQ(transport_.sent_.size(), 2u);
  EXPECT_NE(first.status().message().find("retry quota exhausted"), std::string::npos);
  const Result<json> second = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(transport_.sent_.size(), 3u);  // no retry at all
}

TEST_F(ClientTest, TotalDeadlineStopsRetrying) {
  RetryOptions retry;
  retry.max_attempts = 10;
  retry.total_deadline = std::chrono::milliseconds(1200);
  Client client = MakeClient(retry);
  for (int i = 0; i < 10; ++i) {
    transport_.Push(Xml(400, QueryError("Throttling")));
  }
  const Result<json> out = client.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("deadline"), std::string::npos);
  // Delays 500 ms and 1000 ms would cross 1.2 s: two attempts only.
  EXPECT_EQ(transport_.sent_.size(), 2u);
}

class RecordingObserver final : public CallObserver {
 public:
  void OnCall(const CallEvent& e) override {
    events.push_back({std::string(e.service), std::string(e.operation), std::string(e.region),
                      e.attempts, e.http_status, e.request_id, e.status});
  }
  struct Seen {
    std::string service, operation, region;
    int attempts;
    int http_status;
    std::string request_id;
    Status status;
  };
  std::vector<Seen> events;
};

TEST_F(ClientTest, ObserverSeesEachFinishedCallOnceWithAttemptsAndRequestId) {
  transport_.Push(Xml(400, QueryError("Throttling")));
  HttpResponse ok = Xml(200, kCallerIdentity);
  ok.headers.emplace_back("x-amzn-RequestId", "req-ok");
  transport_.Push(ok);
  transport_.Push(Xml(403, QueryError("AccessDenied")));
  Client client = MakeClient();
  RecordingObserver observer;
  ASSERT_TRUE(client
                  .Call("sts", "GetCallerIdentity", json::object(),
                        {.region = "eu-west-1", .observer = &observer})
                  .ok());
  EXPECT_FALSE(
      client.Call("sts", "GetCallerIdentity", json::object(), {.observer = &observer}).ok());
  ASSERT_EQ(observer.events.size(), 2u);
  EXPECT_EQ(observer.events[0].service, "sts");
  EXPECT_EQ(observer.events[0].operation, "GetCallerIdentity");
  EXPECT_EQ(observer.events[0].region, "eu-west-1");
  EXPECT_EQ(observer.events[0].attempts, 2);
  EXPECT_EQ(observer.events[0].http_status, 200);
  EXPECT_EQ(observer.events[0].request_id, "req-ok");
  EXPECT_TRUE(observer.events[0].status.ok());
  EXPECT_EQ(observer.events[1].region, "us-east-1");
  EXPECT_EQ(observer.events[1].attempts, 1);
  EXPECT_EQ(observer.events[1].http_status, 403);
  EXPECT_EQ(observer.events[1].request_id, "req-9");
  EXPECT_EQ(observer.events[1].status.code(), StatusCode::kPermissionDenied);
}

TEST_F(ClientTest, UnknownServiceOrOperationIsAClearError) {
  Client client = MakeClient();
  EXPECT_EQ(client.Call("nosuchservice", "X", json::object()).status().code(),
            StatusCode::kNotFound);
  const Result<json> op = client.Call("sts", "NoSuchOperation", json::object());
  EXPECT_EQ(op.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(op.status().message().find("tools/models.txt"), std::string::npos);
  EXPECT_TRUE(transport_.sent_.empty());
}

TEST_F(ClientTest, LogsCallsWithoutSecrets) {
  transport_.Push(Xml(400, QueryError("Throttling")));
  transport_.Push(Xml(200, kCallerIdentity));
  Client client = MakeClient();
  ASSERT_TRUE(client.Call("sts", "GetCallerIdentity", json::object()).ok());
  const std::vector<std::string> lines = sink_.Lines();
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    EXPECT_EQ(line.find("wJalrXUtnFEMI"), std::string::npos);
    EXPECT_EQ(line.find("FQoGZXIvYXdzEXAMPLETOKEN"), std::string::npos);
    EXPECT_EQ(line.find("Signature="), std::string::npos);
    EXPECT_EQ(line.find("AKIDEXAMPLE"), std::string::npos);
    const json j = json::parse(line);
    EXPECT_EQ(j["service"], "sts");
    EXPECT_EQ(j["operation"], "GetCallerIdentity");
  }
  EXPECT_EQ(json::parse(lines[0])["aws_error"], "Throttling");
  EXPECT_EQ(json::parse(lines[1])["http_status"], "200");
}

TEST_F(ClientTest, PaginatesUntilTheLastPage) {
  transport_.Push(Xml(200, R"(<ListUsersResponse><ListUsersResult><Users><member>
      <UserName>a</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::111111111111:user/a</Arn>
      <Path>/</Path><CreateDate>2026-01-01T00:00:00Z</CreateDate></member></Users>
      <IsTruncated>true</IsTruncated><Marker>m1</Marker></ListUsersResult></ListUsersResponse>)"));
  transport_.Push(Xml(200, R"(<ListUsersResponse><ListUsersResult><Users><member>
      <UserName>b</UserName><UserId>AIDA2</UserId><Arn>arn:aws:iam::111111111111:user/b</Arn>
      <Path>/</Path><CreateDate>2026-01-01T00:00:00Z</CreateDate></member></Users>
      <IsTruncated>false</IsTruncated></ListUsersResult></ListUsersResponse>)"));
  Client client = MakeClient();
  const Result<json> all = client.PaginateAll("iam", "ListUsers", json::object());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ((*all)["Users"].size(), 2u);
  EXPECT_EQ((*all)["Users"][1]["UserName"], "b");
  EXPECT_FALSE(all->contains("Marker"));
  EXPECT_FALSE(all->contains("IsTruncated"));
  ASSERT_EQ(transport_.sent_.size(), 2u);
  EXPECT_NE(transport_.sent_[1].body.find("Marker=m1"), std::string::npos);
  EXPECT_EQ(transport_.sent_[0].body.find("Marker="), std::string::npos);
}

TEST_F(ClientTest, WaiterRetriesUntilSuccessAndTimesOut) {
  // s3 BucketExists: HeadBucket, 404 → retry, 200 → success (delay 5 s).
  transport_.Push(HttpResponse{.status = 404, .headers = {}, .body = ""});
  transport_.Push(HttpResponse{.status = 200, .headers = {}, .body = ""});
  Client client = MakeClient();
  const Status ok =
      client.Wait("s3", "BucketExists", {{"Bucket", "my-bucket"}}, std::chrono::seconds(60));
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(transport_.sent_.size(), 2u);
  ASSERT_EQ(sleeper_.slept_.size(), 1u);
  EXPECT_EQ(sleeper_.slept_[0], std::chrono::milliseconds(5000));

  for (int i = 0; i < 5; ++i) {
    transport_.Push(HttpResponse{.status = 404, .headers = {}, .body = ""});
  }
  const Status timed_out =
      client.Wait("s3", "BucketExists", {{"Bucket", "my-bucket"}}, std::chrono::seconds(12));
  EXPECT_EQ(timed_out.code(), StatusCode::kUnavailable);
  EXPECT_NE(timed_out.message().find("not done"), std::string::npos);
  EXPECT_EQ(client.Wait("s3", "NoSuchWaiter", json::object(), std::chrono::seconds(1)).code(),
            StatusCode::kInvalidArgument);
}

TEST(SearchPathTest, SupportsTheSubsetPaginatorsAndWaitersUse) {
  const json data = json::parse(R"({
    "Reservations": [{"Instances": [{"State": {"Name": "running"}}, {"State": {"Name": "pending"}}]},
                     {"Instances": [{"State": {"Name": "running"}}]}],
    "Contents": [{"Key": "a"}, {"Key": "b"}],
    "NextToken": "t",
    "Groups": [["x"]]})");
  struct Case {
    const char* expr;
    json want;
  };
  const Case cases[] = {
      {"NextToken", "t"},
      {"Missing", nullptr},
      {"Contents[-1].Key", "b"},
      {"Contents[0].Key", "a"},
      {"Contents[5].Key", nullptr},
      {"Reservations[].Instances[].State.Name", json::array({"running", "pending", "running"})},
      {"length(Reservations[])", 2},
      {"length(Contents)", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expr);
    const Result<json> got = SearchPath(data, c.expr);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, c.want);
  }
  EXPECT_FALSE(SearchPath(data, "Contents[?Key=='a']").ok());
  EXPECT_FALSE(SearchPath(data, "a | b").ok());
}

}  // namespace
}  // namespace asr::aws
