#include "server/server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/status.h"
#include "workflow/api.h"

namespace asr::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using workflow::Principal;
using Role = Principal::Role;

constexpr char kOperatorSecret[] = "op-secret-AAAAAAAAAAAAAAAA";
constexpr char kViewerSecret[] = "viewer-secret-BBBBBBBBBBBB";
constexpr char kIntakeSecret[] = "intake-secret-CCCCCCCCCCCC";
constexpr size_t kMaxBody = 64 * 1024;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8) |
                   static_cast<uint32_t>(static_cast<uint8_t>(in[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const auto n = static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const auto n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// A fake engine that records every call and answers from simple rules; `FailNext` makes the
// next call of any method return an error.
class FakeEngine final : public workflow::EngineApi {
 public:
  struct Call {
    std::string method;
    std::string id;   // job id or control id
    std::string arg;  // body, comment or mode
    Principal who;
    workflow::JobFilter filter;
    std::string source;
  };

  Result<workflow::SubmitResult> Submit(std::string_view body,
                                        const workflow::SubmitOptions& options) override {
    ASR_RETURN_IF_ERROR(Record({.method = "Submit",
                                .arg = std::string(body),
                                .who = options.principal,
                                .source = options.source}));
    workflow::SubmitResult result;
    result.event_id = "evt-1";
    result.findings =
        json::array({{{"finding_id", "f-1"}, {"job_id", "job-1"}, {"state", "QUEUED"}}});
    return result;
  }
  Result<json> ListJobs(const workflow::JobFilter& filter) override {
    ASR_RETURN_IF_ERROR(Record({.method = "ListJobs", .filter = filter}));
    return json{{"jobs", json::array({{{"id", "job-1"}}})}, {"next", ""}};
  }
  Result<json> GetJob(const std::string& id) override {
    ASR_RETURN_IF_ERROR(Record({.method = "GetJob", .id = id}));
    return json{{"id", id}, {"state", "QUEUED"}};
  }
  Result<json> Approve(const std::string& id, const Principal& who,
                       const std::string& comment) override {
    ASR_RETURN_IF_ERROR(Record({.method = "Approve", .id = id, .arg = comment, .who = who}));
    return json{{"id", id}, {"state", "APPROVED"}, {"by", who.name}};
  }
  Result<json> Reject(const std::string& id, const Principal& who,
                      const std::string& comment) override {
    ASR_RETURN_IF_ERROR(Record({.method = "Reject", .id = id, .arg = comment, .who = who}));
    return json{{"id", id}, {"state", "REJECTED"}, {"by", who.name}};
  }
  Result<json> Undo(const std::string& id, const Principal& who) override {
    ASR_RETURN_IF_ERROR(Record({.method = "Undo", .id = id, .who = who}));
    return json{{"id", id}, {"state", "UNDONE"}};
  }
  Result<json> Controls() override {
    ASR_RETURN_IF_ERROR(Record({.method = "Controls"}));
    return json{{"default_mode", "manual"}, {"kill_switch", false}, {"controls", json::array()}};
  }
  Result<json> SetControlMode(const std::string& control, std::string_view mode,
                              const Principal& who) override {
    ASR_RETURN_IF_ERROR(
        Record({.method = "SetControlMode", .id = control, .arg = std::string(mode), .who = who}));
    return json{{"control", control}, {"mode", mode}, {"source", "runtime"}};
  }
  Result<json> SetKillSwitch(bool engaged, const Principal& who) override {
    ASR_RETURN_IF_ERROR(
        Record({.method = "SetKillSwitch", .arg = engaged ? "true" : "false", .who = who}));
    return json{{"kill_switch", engaged}};
  }
  json Health(bool& ok) override {
    (void)Record({.method = "Health"});
    std::lock_guard<std::mutex> lock(mu_);
    ok = healthy_;
    return {{"status", healthy_ ? "ok" : "degraded"}};
  }
  std::string MetricsText() override {
    (void)Record({.method = "MetricsText"});
    return "# TYPE asr_jobs_total counter\nasr_jobs_total 3\n";
  }

  void FailNext(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_ = std::move(status);
  }
  void SetHealthy(bool healthy) {
    std::lock_guard<std::mutex> lock(mu_);
    healthy_ = healthy;
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  Call last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_.empty() ? Call{} : calls_.back();
  }

 private:
  Status Record(Call call) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(call));
    Status status = std::move(fail_next_);
    fail_next_ = Status::Ok();
    return status;
  }

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  Status fail_next_;
  bool healthy_ = true;
};

struct Response {
  int status = 0;
  std::string body;
  httplib::Headers headers;

  [[nodiscard]] json Json() const { return json::parse(body, nullptr, false); }
  [[nodiscard]] std::string Header(const std::string& key) const {
    const auto it = headers.find(key);
    return it == headers.end() ? "" : it->second;
  }
  [[nodiscard]] std::string ErrorCode() const {
    const json j = Json();
    return j.contains("error") ? j["error"].value("code", "") : "";
  }
  [[nodiscard]] std::string ErrorMessage() const {
    const json j = Json();
    return j.contains("error") ? j["error"].value("message", "") : "";
  }
};

// Sends raw bytes on a new connection and reads until the server closes it.
Response RawExchange(int port, const std::string& request) {
  Response out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return out;
  }
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return out;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;
    }
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      break;
    }
    raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || head_end == std::string::npos) {
    return out;
  }
  out.status = std::stoi(raw.substr(9, 3));
  size_t pos = raw.find("\r\n") + 2;
  while (pos < head_end) {
    const size_t eol = raw.find("\r\n", pos);
    const std::string line = raw.substr(pos, eol - pos);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      out.headers.emplace(line.substr(0, colon),
                          line.substr(line.find_first_not_of(' ', colon + 1)));
    }
    pos = eol + 2;
  }
  out.body = raw.substr(head_end + 4);
  return out;
}

httplib::Headers Bearer(const std::string& secret) {
  return {{"Authorization", "Bearer " + secret}};
}

ServerOptions DefaultOptions() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tokens = {{.name = "alice", .secret = kOperatorSecret, .role = Role::kOperator},
                    {.name = "victor", .secret = kViewerSecret, .role = Role::kViewer},
                    {.name = "eventbridge", .secret = kIntakeSecret, .role = Role::kIntake}};
  options.max_body_bytes = kMaxBody;
  options.threads = 4;
  return options;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartWith(DefaultOptions()); }

  void StartWith(const ServerOptions& options) {
    if (server_ != nullptr) {
      server_->Stop();
    }
    auto created = HttpServer::Create(engine_, options, logger_);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(created).value();
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_GT(server_->port(), 0);
  }

  // Sends one request with httplib's client and checks the headers every response must have.
  Response Send(const std::string& method, const std::string& path, httplib::Headers headers = {},
                const std::string& body = "",
                const std::string& content_type = "application/json") {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(10, 0);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = std::move(headers);
    req.body = body;
    if (!content_type.empty() && !body.empty()) {
      req.headers.emplace("Content-Type", content_type);
    }
    httplib::Result result = client.send(req);
    Response out;
    if (!result) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(result.error());
      return out;
    }
    out.status = result->status;
    out.body = result->body;
    out.headers = result->headers;
    CheckCommonHeaders(out, method + " " + path);
    return out;
  }

  Response Raw(const std::string& request) {
    Response out = RawExchange(server_->port(), request);
    CheckCommonHeaders(out, "raw request");
    return out;
  }

  static void CheckCommonHeaders(const Response& r, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(r.Header("Cache-Control"), "no-store");
    EXPECT_FALSE(r.Header("Content-Type").empty());
    if (r.status >= 400 && what.find("/healthz") == std::string::npos) {
      EXPECT_FALSE(r.ErrorCode().empty()) << r.body;
      EXPECT_FALSE(r.ErrorMessage().empty()) << r.body;
    }
  }

  std::string AllLogs() const {
    std::string all;
    for (const std::string& line : sink_.Lines()) {
      all += line + "\n";
    }
    return all;
  }

  FakeEngine engine_;
  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
  MemoryLogSink sink_;
  Logger logger_{sink_, clock_, LogLevel::kDebug};
  std::unique_ptr<HttpServer> server_;
};

const std::string kEvent =
    R"({"version":"0","id":"e-1","detail-type":"Security Hub Findings - Imported","detail":{"findings":[]}})";

// ---- health and metrics ------------------------------------------------------------------

TEST_F(ServerTest, HealthzNeedsNoCredentialsAndAnswers503WhenDegraded) {
  Response ok = Send("GET", "/healthz");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Json()["status"], "ok");
  EXPECT_THAT(ok.Header("Content-Type"), HasSubstr("application/json"));

  engine_.SetHealthy(false);
  Response degraded = Send("GET", "/healthz");
  EXPECT_EQ(degraded.status, 503);
  EXPECT_EQ(degraded.Json()["status"], "degraded");
}

TEST_F(ServerTest, MetricsNeedViewerUnlessPublic) {
  EXPECT_EQ(Send("GET", "/metrics").status, 401);
  Response viewer = Send("GET", "/metrics", Bearer(kViewerSecret));
  EXPECT_EQ(viewer.status, 200);
  EXPECT_EQ(viewer.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(viewer.body, HasSubstr("asr_jobs_total 3"));
  EXPECT_EQ(Send("GET", "/metrics", Bearer(kIntakeSecret)).status, 403);

  ServerOptions options = DefaultOptions();
  options.public_metrics = true;
  StartWith(options);
  Response open = Send("GET", "/metrics");
  EXPECT_EQ(open.status, 200);
  EXPECT_THAT(open.body, HasSubstr("asr_jobs_total 3"));
}

// ---- authentication ------------------------------------------------------------------------

TEST_F(ServerTest, AuthenticatesBearerBasicAndApiKey) {
  struct Case {
    std::string name;
    httplib::Headers headers;
    int want;
    std::string want_challenge;  // prefix of WWW-Authenticate; "" = none expected
  };
  const std::vector<Case> cases = {
      {"no credentials", {}, 401, "Bearer realm=\"asr\""},
      {"unknown bearer", Bearer("not-a-configured-secret-000"), 401, "Bearer"},
      {"empty bearer", {{"Authorization", "Bearer "}}, 401, "Bearer"},
      {"good bearer", Bearer(kViewerSecret), 200, ""},
      {"scheme is case-insensitive",
       {{"Authorization", std::string("bEaReR ") + kViewerSecret}},
       200,
       ""},
      {"secret prefix is not enough",
       Bearer(std::string(kViewerSecret).substr(0, sizeof(kViewerSecret) - 2)), 401, "Bearer"},
      {"secret with extra suffix", Bearer(std::string(kViewerSecret) + "x"), 401, "Bearer"},
      {"basic with any user",
       {{"Authorization", "Basic " + Base64(std::string("anyone:") + kViewerSecret)}},
       200,
       ""},
      {"basic with empty user",
       {{"Authorization", "Basic " + Base64(std::string(":") + kViewerSecret)}},
       200,
       ""},
      {"basic with wrong password",
       {{"Authorization", "Basic " + Base64("anyone:wrong-password-0000")}},
       401,
       "Bearer"},
      {"basic without colon", {{"Authorization", "Basic " + Base64(kViewerSecret)}}, 401, "Bearer"},
      {"basic not base64", {{"Authorization", "Basic !!!notbase64"}}, 401, "Bearer"},
      {"unsupported scheme",
       {{"Authorization", std::string("Digest ") + kViewerSecret}},
       401,
       "Bearer"},
      {"api key header", {{"x-api-key", kViewerSecret}}, 200, ""},
      {"api key header name is case-insensitive", {{"X-API-Key", kViewerSecret}}, 200, ""},
      {"unknown api key", {{"x-api-key", "not-a-configured-secret-000"}}, 401, "Bearer"},
      {"authorization wins over api key",
       {{"Authorization", std::string("Bearer ") + kViewerSecret},
        {"x-api-key", "not-a-configured-secret-000"}},
       200,
       ""},
      {"bad authorization is not rescued by api key",
       {{"Authorization", "Bearer not-a-configured-secret-000"}, {"x-api-key", kViewerSecret}},
       401,
       "Bearer"},
      {"two authorization headers",
       {{"Authorization", std::string("Bearer ") + kViewerSecret},
        {"Authorization", std::string("Bearer ") + kViewerSecret}},
       401,
       "Bearer"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Response r = Send("GET", "/v1/controls", c.headers);
    EXPECT_EQ(r.status, c.want) << r.body;
    if (c.want == 401) {
      EXPECT_EQ(r.ErrorCode(), "UNAUTHENTICATED");
      EXPECT_THAT(r.Header("WWW-Authenticate"), ::testing::StartsWith(c.want_challenge));
    }
  }
}

TEST_F(ServerTest, CustomApiKeyHeaderReplacesTheDefault) {
  ServerOptions options = DefaultOptions();
  options.api_key_header = "x-asr-token";
  StartWith(options);
  EXPECT_EQ(Send("GET", "/v1/controls", {{"X-Asr-Token", kViewerSecret}}).status, 200);
  EXPECT_EQ(Send("GET", "/v1/controls", {{"x-api-key", kViewerSecret}}).status, 401);
}

TEST_F(ServerTest, RolesGateEveryEndpoint) {
  struct Case {
    std::string method;
    std::string path;
    std::string body;
    int viewer;
    int op;
    int intake;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/events", kEvent, 403, 202, 202},
      {"GET", "/v1/jobs", "", 200, 200, 403},
      {"GET", "/v1/jobs/job-1", "", 200, 200, 403},
      {"POST", "/v1/jobs/job-1/approve", "", 403, 200, 403},
      {"POST", "/v1/jobs/job-1/reject", "", 403, 200, 403},
      {"POST", "/v1/jobs/job-1/undo", "", 403, 200, 403},
      {"GET", "/v1/controls", "", 200, 200, 403},
      {"PUT", "/v1/controls/S3.2", R"({"mode":"auto"})", 403, 200, 403},
      {"PUT", "/v1/kill-switch", R"({"engaged":true})", 403, 200, 403},
      {"GET", "/metrics", "", 200, 200, 403},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    const size_t before = engine_.calls().size();
    Response viewer = Send(c.method, c.path, Bearer(kViewerSecret), c.body);
    EXPECT_EQ(viewer.status, c.viewer) << viewer.body;
    Response op = Send(c.method, c.path, Bearer(kOperatorSecret), c.body);
    EXPECT_EQ(op.status, c.op) << op.body;
    Response intake = Send(c.method, c.path, Bearer(kIntakeSecret), c.body);
    EXPECT_EQ(intake.status, c.intake) << intake.body;
    for (const Response* r : {&viewer, &op, &intake}) {
      if (r->status == 403) {
        EXPECT_EQ(r->ErrorCode(), "PERMISSION_DENIED");
        EXPECT_THAT(r->ErrorMessage(), HasSubstr("needs"));
      }
    }
    // Only the allowed requests reached the engine.
    const size_t allowed = static_cast<size_t>((c.viewer < 300) + (c.op < 300) + (c.intake < 300));
    EXPECT_EQ(engine_.calls().size() - before, allowed);
  }
}

TEST_F(ServerTest, WithoutTokensEverythingButHealthzIsRefused) {
  ServerOptions options = DefaultOptions();
  options.tokens.clear();
  StartWith(options);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/jobs"}, {"GET", "/metrics"}, {"POST", "/v1/events"}, {"GET", "/nope"}}) {
    SCOPED_TRACE(path);
    Response r = Send(method, path, Bearer(kOperatorSecret), method == "POST" ? kEvent : "");
    EXPECT_EQ(r.status, 401);
    EXPECT_THAT(r.ErrorMessage(), HasSubstr("server.tokens"));
  }
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  EXPECT_TRUE(engine_.calls().size() == 1 && engine_.calls()[0].method == "Health");
}

TEST_F(ServerTest, AnonymousLoopbackActsAsLocalOperatorOnlyWhenEnabled) {
  ServerOptions options = DefaultOptions();
  options.tokens.clear();
  options.allow_anonymous_loopback = true;
  StartWith(options);

  Response approved = Send("POST", "/v1/jobs/job-7/approve");
  EXPECT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(engine_.last().method, "Approve");
  EXPECT_EQ(engine_.last().who.name, "local");
  EXPECT_EQ(engine_.last().who.role, Role::kOperator);

  // A web page can't ride on it: cross-origin requests and DNS rebinding are refused.
  Response origin = Send("POST", "/v1/jobs/job-7/approve", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(origin.status, 403);
  Response fetch = Send("POST", "/v1/jobs/job-7/approve", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(fetch.status, 403);
  Response rebinding = Send("GET", "/v1/jobs", {{"Host", "evil.example:8080"}});
  EXPECT_EQ(rebinding.status, 403);
  EXPECT_THAT(rebinding.ErrorMessage(), HasSubstr("Host"));
  EXPECT_EQ(Send("GET", "/v1/jobs", {{"Host", "localhost"}}).status, 200);

  options.allow_anonymous_loopback = false;
  StartWith(options);
  EXPECT_EQ(Send("POST", "/v1/jobs/job-7/approve").status, 401);
}

TEST_F(ServerTest, TokensConfiguredDisableAnonymousLoopback) {
  ServerOptions options = DefaultOptions();
  options.allow_anonymous_loopback = true;
  StartWith(options);
  EXPECT_EQ(Send("GET", "/v1/jobs").status, 401);
}

// ---- events --------------------------------------------------------------------------------

TEST_F(ServerTest, SubmitsEventsAndAnswers202) {
  Response r = Send("POST", "/v1/events", Bearer(kIntakeSecret), kEvent);
  ASSERT_EQ(r.status, 202) << r.body;
  const json j = r.Json();
  EXPECT_EQ(j["event_id"], "evt-1");
  EXPECT_EQ(j["duplicate"], false);
  ASSERT_EQ(j["findings"].size(), 1U);
  EXPECT_EQ(j["findings"][0]["job_id"], "job-1");

  const FakeEngine::Call call = engine_.last();
  EXPECT_EQ(call.method, "Submit");
  EXPECT_EQ(call.arg, kEvent);
  EXPECT_EQ(call.source, "http");
  EXPECT_EQ(call.who.name, "eventbridge");
  EXPECT_EQ(call.who.role, Role::kIntake);
}

TEST_F(ServerTest, AcceptsJsonMediaTypesAndRejectsOthers) {
  struct Case {
    std::string content_type;
    int want;
  };
  const std::vector<Case> cases = {
      {"application/json", 202},
      {"application/json; charset=utf-8", 202},
      {"Application/JSON;charset=\"UTF-8\"", 202},
      {"application/cloudevents+json", 202},
      {"application/json; charset=iso-8859-1", 415},
      {"text/plain", 415},
      {"application/x-www-form-urlencoded", 415},
      {"application/+json", 415},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.content_type);
    Response r = Send("POST", "/v1/events", Bearer(kOperatorSecret), kEvent, c.content_type);
    EXPECT_EQ(r.status, c.want) << r.body;
    if (c.want == 415) {
      EXPECT_EQ(r.ErrorCode(), "UNSUPPORTED_MEDIA_TYPE");
    }
  }
  // No Content-Type at all is accepted (httplib's client always sends one, so send raw bytes).
  Response raw = Raw("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     std::string(kOperatorSecret) +
                     "\r\nContent-Length: " + std::to_string(kEvent.size()) + "\r\n\r\n" + kEvent);
  EXPECT_EQ(raw.status, 202) << raw.body;
}

TEST_F(ServerTest, RejectsBadEventBodies) {
  struct Case {
    std::string name;
    std::string body;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"malformed", R"({"version": "0", )", "line 1, column 18"},
      {"trailing garbage", R"({"a":1} x)", "byte"},
      {"invalid UTF-8", "{\"a\":\"\xff\"}", "UTF-8"},
      {"too deep", std::string(100, '[') + std::string(100, ']'), "deeper than 64"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Response r = Send("POST", "/v1/events", Bearer(kOperatorSecret), c.body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.ErrorCode(), "INVALID_ARGUMENT");
    EXPECT_THAT(r.ErrorMessage(), HasSubstr(c.want_message));
  }
  Response empty = Raw("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                       std::string(kOperatorSecret) + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.ErrorMessage(), HasSubstr("empty"));
  EXPECT_TRUE(engine_.calls().empty());

  engine_.FailNext(InvalidArgumentError("event has no findings (detail.findings is empty)"));
  Response refused = Send("POST", "/v1/events", Bearer(kOperatorSecret), kEvent);
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.ErrorMessage(), HasSubstr("detail.findings is empty"));
}

TEST_F(ServerTest, RefusesBodiesOverTheLimitWith413) {
  // Declared by Content-Length: httplib refuses before buffering and drains what is sent.
  const std::string huge = "{\"a\":\"" + std::string(kMaxBody, 'x') + "\"}";
  Response declared = Send("POST", "/v1/events", Bearer(kOperatorSecret), huge);
  EXPECT_EQ(declared.status, 413);
  EXPECT_EQ(declared.ErrorCode(), "PAYLOAD_TOO_LARGE");
  EXPECT_THAT(declared.ErrorMessage(), HasSubstr(std::to_string(kMaxBody)));

  // Chunked: no length up front, the limit is enforced while reading.
  std::string chunked = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        std::string(kOperatorSecret) +
                        "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string piece(4096, 'x');
  for (size_t sent = 0; sent <= kMaxBody; sent += piece.size()) {
    chunked += "1000\r\n" + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  Response streamed = Raw(chunked);
  EXPECT_EQ(streamed.status, 413);
  EXPECT_EQ(streamed.ErrorCode(), "PAYLOAD_TOO_LARGE");

  // gzip: the limit applies to the decoded body, so a small compressed body can't expand.
  httplib::Client client("127.0.0.1", server_->port());
  client.set_compress(true);
  httplib::Result bomb =
      client.Post("/v1/events", Bearer(kOperatorSecret),
                  "{\"a\":\"" + std::string(4 * kMaxBody, 'x') + "\"}", "application/json");
  ASSERT_TRUE(bomb);
  EXPECT_EQ(bomb->status, 413);

  // Under the limit, chunked and gzip bodies are accepted.
  Response small = Raw("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                       std::string(kOperatorSecret) +
                       "\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(small.status, 202) << small.body;
  EXPECT_EQ(engine_.last().arg, "{}");
  httplib::Result gzipped =
      client.Post("/v1/events", Bearer(kOperatorSecret), kEvent, "application/json");
  ASSERT_TRUE(gzipped);
  EXPECT_EQ(gzipped->status, 202);
  EXPECT_EQ(engine_.last().arg, kEvent);
  EXPECT_EQ(engine_.calls().size(), 2U);
}

TEST_F(ServerTest, RejectsAmbiguousOrUnsupportedFraming) {
  const std::string auth = "Authorization: Bearer " + std::string(kOperatorSecret) + "\r\n";
  Response both =
      Raw("POST /v1/events HTTP/1.1\r\nHost: x\r\n" + auth +
          "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(both.status, 400);
  EXPECT_THAT(both.ErrorMessage(), HasSubstr("both Content-Length and Transfer-Encoding"));
  Response gzip_te =
      Raw("POST /v1/events HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(gzip_te.status, 400);
  Response bad_length =
      Raw("POST /v1/events HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 2x\r\n\r\n{}");
  EXPECT_EQ(bad_length.status, 400);
  EXPECT_THAT(bad_length.ErrorMessage(), HasSubstr("Content-Length"));
  for (const std::string encoding : {"compress", "GZIP", "gzip, br"}) {
    SCOPED_TRACE(encoding);
    Response bad_encoding =
        Raw("POST /v1/events HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Encoding: " + encoding +
            "\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(bad_encoding.status, 415);
    EXPECT_THAT(bad_encoding.ErrorMessage(), HasSubstr("Content-Encoding"));
  }
  Response corrupt = Raw("POST /v1/events HTTP/1.1\r\nHost: x\r\n" + auth +
                         "Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(corrupt.status, 400);
  EXPECT_TRUE(engine_.calls().empty());
}

TEST_F(ServerTest, PostWithoutBodyOrLengthDoesNotWaitForOne) {
  // RFC 9112: no Content-Length and no Transfer-Encoding means no body. The socket stays open
  // on our side, so a server waiting for EOF would time out instead of answering.
  const int port = server_->port();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string request =
      "POST /v1/jobs/job-3/undo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
      std::string(kOperatorSecret) + "\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  char buf[512] = {};
  const ssize_t n = ::recv(fd, buf, sizeof(buf) - 1, 0);
  ::close(fd);
  ASSERT_GT(n, 12);
  EXPECT_EQ(std::string(buf, 12), "HTTP/1.1 200");
  EXPECT_EQ(engine_.last().method, "Undo");
}

// ---- jobs ----------------------------------------------------------------------------------

TEST_F(ServerTest, ListsJobsWithFilters) {
  Response r = Send("GET",
                    "/v1/jobs?state=FAILED&control=S3.2&account=111122223333&finding=arn%3Aaws%3Ax"
                    "&active=true&before=job-9&limit=20",
                    Bearer(kViewerSecret));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["jobs"][0]["id"], "job-1");
  const workflow::JobFilter f = engine_.last().filter;
  EXPECT_EQ(f.state, "FAILED");
  EXPECT_EQ(f.control_id, "S3.2");
  EXPECT_EQ(f.account_id, "111122223333");
  EXPECT_EQ(f.finding_id, "arn:aws:x");
  EXPECT_TRUE(f.active_only);
  EXPECT_EQ(f.before_id, "job-9");
  EXPECT_EQ(f.limit, 20U);

  ASSERT_EQ(Send("GET", "/v1/jobs", Bearer(kViewerSecret)).status, 200);
  EXPECT_EQ(engine_.last().filter.limit, 50U);
  EXPECT_FALSE(engine_.last().filter.active_only);
}

TEST_F(ServerTest, RejectsBadJobQueries) {
  struct Case {
    std::string query;
    std::string want_in_message;
  };
  const std::vector<Case> cases = {
      {"limit=0", "\"limit\""},
      {"limit=501", "\"limit\""},
      {"limit=abc", "\"limit\""},
      {"limit=", "\"limit\""},
      {"limit=-1", "\"limit\""},
      {"active=yes", "\"active\""},
      {"account=12345", "\"account\""},
      {"colour=red", "\"colour\""},
      {"state=A&state=B", "more than once"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    Response r = Send("GET", "/v1/jobs?" + c.query, Bearer(kViewerSecret));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.ErrorCode(), "INVALID_ARGUMENT");
    EXPECT_THAT(r.ErrorMessage(), HasSubstr(c.want_in_message));
  }
  EXPECT_TRUE(engine_.calls().empty());
}

TEST_F(ServerTest, GetsOneJob) {
  Response r = Send("GET", "/v1/jobs/job-42", Bearer(kViewerSecret));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["id"], "job-42");
  EXPECT_EQ(engine_.last().id, "job-42");

  engine_.FailNext(NotFoundError("no job \"job-43\""));
  Response missing = Send("GET", "/v1/jobs/job-43", Bearer(kViewerSecret));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorCode(), "NOT_FOUND");
  EXPECT_THAT(missing.ErrorMessage(), HasSubstr("job-43"));
}

TEST_F(ServerTest, ApprovesAndRejectsWithOptionalComment) {
  Response approved = Send("POST", "/v1/jobs/job-1/approve", Bearer(kOperatorSecret),
                           R"({"comment":"change ticket 42"})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.Json()["state"], "APPROVED");
  FakeEngine::Call call = engine_.last();
  EXPECT_EQ(call.method, "Approve");
  EXPECT_EQ(call.id, "job-1");
  EXPECT_EQ(call.arg, "change ticket 42");
  EXPECT_EQ(call.who.name, "alice");

  ASSERT_EQ(Send("POST", "/v1/jobs/job-2/reject", Bearer(kOperatorSecret)).status, 200);
  call = engine_.last();
  EXPECT_EQ(call.method, "Reject");
  EXPECT_EQ(call.id, "job-2");
  EXPECT_EQ(call.arg, "");

  ASSERT_EQ(Send("POST", "/v1/jobs/job-2/reject", Bearer(kOperatorSecret), "{}").status, 200);
  ASSERT_EQ(Send("POST", "/v1/jobs/job-3/undo", Bearer(kOperatorSecret), "{}").status, 200);
  EXPECT_EQ(engine_.last().method, "Undo");
  EXPECT_EQ(engine_.last().id, "job-3");
}

TEST_F(ServerTest, RejectsBadActionBodies) {
  struct Case {
    std::string path;
    std::string body;
    std::string want_in_message;
  };
  const std::vector<Case> cases = {
      {"/v1/jobs/j/approve", R"({"comment": 5})", "\"comment\" must be a string"},
      {"/v1/jobs/j/approve", R"({"comment": "x", "force": true})", "unknown field \"force\""},
      {"/v1/jobs/j/approve", R"({"comment": )", "not valid JSON"},
      {"/v1/jobs/j/reject", R"(["comment"])", "must be a JSON object"},
      {"/v1/jobs/j/reject", "{\"comment\":\"" + std::string(5000, 'c') + "\"}", "4096"},
      {"/v1/jobs/j/undo", R"({"comment":"x"})", "unknown field \"comment\""},
      {"/v1/jobs/j/undo", "nul", "not valid JSON"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path + " " + c.body.substr(0, 40));
    Response r = Send("POST", c.path, Bearer(kOperatorSecret), c.body);
    EXPECT_EQ(r.status, 400);
    EXPECT_THAT(r.ErrorMessage(), HasSubstr(c.want_in_message));
  }
  EXPECT_TRUE(engine_.calls().empty());
}

// ---- controls and kill switch ----------------------------------------------------------------

TEST_F(ServerTest, ListsAndSetsControls) {
  Response list = Send("GET", "/v1/controls", Bearer(kViewerSecret));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json()["default_mode"], "manual");

  for (const std::string mode : {"off", "manual", "approve", "auto"}) {
    SCOPED_TRACE(mode);
    Response set =
        Send("PUT", "/v1/controls/S3.2", Bearer(kOperatorSecret), json{{"mode", mode}}.dump());
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(set.Json()["mode"], mode);
    EXPECT_EQ(engine_.last().id, "S3.2");
    EXPECT_EQ(engine_.last().arg, mode);
    EXPECT_EQ(engine_.last().who.name, "alice");
  }
}

TEST_F(ServerTest, SetsTheKillSwitch) {
  for (const bool engaged : {true, false}) {
    Response r =
        Send("PUT", "/v1/kill-switch", Bearer(kOperatorSecret), json{{"engaged", engaged}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json()["kill_switch"], engaged);
    EXPECT_EQ(engine_.last().arg, engaged ? "true" : "false");
  }
}

TEST_F(ServerTest, RejectsBadControlAndKillSwitchBodies) {
  struct Case {
    std::string path;
    std::string body;
    std::string want_in_message;
  };
  const std::vector<Case> cases = {
      {"/v1/controls/S3.2", R"({"mode":"sometimes"})", "accepted: off, manual, approve, auto"},
      {"/v1/controls/S3.2", R"({"mode":true})", "\"mode\" must be a string"},
      {"/v1/controls/S3.2", R"({})", "\"mode\" is missing"},
      {"/v1/controls/S3.2", R"({"mode":"auto","extra":1})", "unknown field \"extra\""},
      {"/v1/controls/S3.2", "", "empty"},
      {"/v1/controls/S3.2", "{mode: auto}", "not valid JSON"},
      {"/v1/kill-switch", R"({"engaged":"yes"})", "\"engaged\" must be true or false"},
      {"/v1/kill-switch", R"({"engaged":1})", "\"engaged\" must be true or false"},
      {"/v1/kill-switch", R"({})", "\"engaged\" is missing"},
      {"/v1/kill-switch", R"({"engaged":true,"why":"x"})", "unknown field \"why\""},
      {"/v1/kill-switch", "", "empty"},
      {"/v1/kill-switch", "true", "must be a JSON object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path + " " + c.body);
    Response r = Send("PUT", c.path, Bearer(kOperatorSecret), c.body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_THAT(r.ErrorMessage(), HasSubstr(c.want_in_message));
  }
  EXPECT_TRUE(engine_.calls().empty());
}

// ---- error mapping, routing ------------------------------------------------------------------

TEST_F(ServerTest, MapsEngineStatusCodesToHttp) {
  struct Case {
    Status status;
    int want;
    std::string want_code;
  };
  const std::vector<Case> cases = {
      {InvalidArgumentError("bad id"), 400, "INVALID_ARGUMENT"},
      {NotFoundError("no such job"), 404, "NOT_FOUND"},
      {FailedPreconditionError("job is not awaiting approval"), 409, "FAILED_PRECONDITION"},
      {ConflictError("job changed"), 409, "CONFLICT"},
      {PermissionDeniedError("approver may not approve own job"), 403, "PERMISSION_DENIED"},
      {ThrottledError("slow down"), 429, "THROTTLED"},
      {UnavailableError("store is read-only"), 503, "UNAVAILABLE"},
      {InternalError("sqlite: disk I/O error at /var/lib/asr/asr.db"), 500, "INTERNAL"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want_code);
    engine_.FailNext(c.status);
    Response r = Send("POST", "/v1/jobs/job-1/approve", Bearer(kOperatorSecret));
    EXPECT_EQ(r.status, c.want);
    EXPECT_EQ(r.ErrorCode(), c.want_code);
    if (c.want == 500) {
      // Internal details stay in the log.
      EXPECT_THAT(r.ErrorMessage(), Not(HasSubstr("sqlite")));
      EXPECT_THAT(AllLogs(), HasSubstr("disk I/O error"));
    } else {
      EXPECT_EQ(r.ErrorMessage(), c.status.message());
    }
  }
}

TEST_F(ServerTest, AnswersUnknownPathsWith404AndWrongMethodsWith405) {
  Response unknown = Send("GET", "/v2/jobs", Bearer(kViewerSecret));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.ErrorCode(), "NOT_FOUND");
  EXPECT_EQ(Send("GET", "/v1/jobs/", Bearer(kViewerSecret)).status, 404);
  EXPECT_EQ(Send("GET", "/v1/jobs/a/approve/x", Bearer(kViewerSecret)).status, 404);
  EXPECT_EQ(Send("GET", "/", Bearer(kViewerSecret)).status, 404);

  struct Case {
    std::string method;
    std::string path;
    std::string want_allow;
  };
  const std::vector<Case> cases = {
      {"GET", "/v1/events", "POST"},
      {"DELETE", "/v1/jobs", "GET, HEAD"},
      {"POST", "/v1/jobs/job-1", "GET, HEAD"},
      {"GET", "/v1/jobs/job-1/approve", "POST"},
      {"POST", "/v1/controls/S3.2", "PUT"},
      {"PATCH", "/v1/kill-switch", "PUT"},
      {"OPTIONS", "/v1/controls", "GET, HEAD"},
      {"POST", "/healthz", "GET, HEAD"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    Response r = Send(c.method, c.path, Bearer(kOperatorSecret));
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.ErrorCode(), "METHOD_NOT_ALLOWED");
    EXPECT_EQ(r.Header("Allow"), c.want_allow);
  }
  // A method httplib parses but has no handler list for.
  Response trace = Raw("TRACE /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                       std::string(kOperatorSecret) + "\r\n\r\n");
  EXPECT_EQ(trace.status, 405);
  EXPECT_EQ(trace.Header("Allow"), "GET, HEAD");
  EXPECT_EQ(Raw("TRACE /nope HTTP/1.1\r\nHost: x\r\n\r\n").status, 401);
  // A method httplib refuses while parsing the request line still gets a JSON error.
  Response brew = Raw("BREW /v1/jobs HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(brew.status, 400);
  EXPECT_EQ(brew.ErrorCode(), "INVALID_ARGUMENT");
  EXPECT_TRUE(engine_.calls().empty());
}

TEST_F(ServerTest, AnswersHeadLikeGetWithoutBody) {
  httplib::Client client("127.0.0.1", server_->port());
  httplib::Result r = client.Head("/v1/controls", Bearer(kViewerSecret));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
}

TEST_F(ServerTest, MalformedHttpGetsJsonError) {
  Response r = Raw("GARBAGE\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.ErrorCode(), "INVALID_ARGUMENT");
  const std::string long_path(9000, 'a');
  Response too_long = Raw("GET /" + long_path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(too_long.status, 414);
}

TEST_F(ServerTest, LongPathsAreRoutedSafely) {
  Response r = Send("GET", "/v1/jobs/" + std::string(7000, 'j'), Bearer(kViewerSecret));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(engine_.last().id.size(), 7000U);
}

TEST_F(ServerTest, RejectedRequestBodiesAreDrainedSoTheClientSeesTheAnswer) {
  // 401 before the body is needed: the client still gets the 401, not a reset.
  const std::string body = "{\"a\":\"" + std::string(kMaxBody - 100, 'x') + "\"}";
  Response r = Send("POST", "/v1/events", Bearer("not-a-configured-secret-000"), body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Send("POST", "/v1/nothing-here", Bearer(kOperatorSecret), body).status, 404);
}

// ---- logging -----------------------------------------------------------------------------------

TEST_F(ServerTest, LogsOneLinePerRequestWithoutSecretsOrQueryValues) {
  const std::vector<std::pair<std::string, httplib::Headers>> requests = {
      {"/v1/jobs?state=SECRETSTATEVALUE&limit=5", Bearer(kOperatorSecret)},
      {"/v1/jobs", Bearer(kViewerSecret)},
      {"/v1/jobs", {{"x-api-key", kIntakeSecret}}},
      {"/v1/jobs", {{"Authorization", "Basic " + Base64(std::string("u:") + kOperatorSecret)}}},
      {"/v1/jobs", Bearer("wrong-secret-that-is-long-0001")},
      {"/v1/jobs?" + std::string(kViewerSecret) + "=1", Bearer(kViewerSecret)},
      {"/v1/jobs?token=" + std::string(kOperatorSecret), Bearer(kViewerSecret)},
  };
  const size_t before = sink_.Lines().size();
  for (const auto& [path, headers] : requests) {
    (void)Send("GET", path, headers);
  }
  const std::vector<std::string> lines = sink_.Lines();
  ASSERT_EQ(lines.size() - before, requests.size());
  const std::string all = AllLogs();
  for (const std::string& secret :
       {std::string(kOperatorSecret), std::string(kViewerSecret), std::string(kIntakeSecret),
        std::string("wrong-secret-that-is-long-0001"), Base64(std::string("u:") + kOperatorSecret),
        std::string("SECRETSTATEVALUE")}) {
    EXPECT_THAT(all, Not(HasSubstr(secret)));
  }
  EXPECT_THAT(all, Not(HasSubstr("Authorization")));
  const json first = json::parse(lines[before]);
  EXPECT_EQ(first["msg"], "http request");
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["path"], "/v1/jobs");
  EXPECT_EQ(first["query"], "limit,state");
  EXPECT_EQ(first["status"], "200");
  EXPECT_EQ(first["principal"], "alice");
  EXPECT_EQ(first["peer"], "127.0.0.1");
  EXPECT_TRUE(first.contains("latency_ms"));
  const json unauthenticated = json::parse(lines[before + 4]);
  EXPECT_EQ(unauthenticated["status"], "401");
  EXPECT_EQ(unauthenticated["principal"], "-");
  EXPECT_EQ(json::parse(lines[before + 5])["query"], "1 unknown");
}

// ---- lifecycle and options ---------------------------------------------------------------------

TEST_F(ServerTest, ServesConcurrentRequests) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", server_->port());
      for (int i = 0; i < 10; ++i) {
        httplib::Result r = client.Get("/v1/jobs", Bearer(kViewerSecret));
        if (r && r->status == 200) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 80);
  EXPECT_EQ(engine_.calls().size(), 80U);
}

TEST_F(ServerTest, StartFailsWithUnavailableWhenThePortIsTaken) {
  ServerOptions options = DefaultOptions();
  options.listen = "127.0.0.1:" + std::to_string(server_->port());
  auto second = HttpServer::Create(engine_, options, logger_);
  ASSERT_TRUE(second.ok());
  const Status started = (*second)->Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_THAT(started.message(), HasSubstr(options.listen));
  // The first server still answers every request.
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

TEST_F(ServerTest, StartAndStopFollowTheLifecycle) {
  EXPECT_EQ(server_->Start().code(), StatusCode::kFailedPrecondition);
  const int port = server_->port();
  server_->Stop();
  server_->Stop();  // idempotent
  EXPECT_EQ(server_->Start().code(), StatusCode::kFailedPrecondition);
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2, 0);
  EXPECT_FALSE(client.Get("/healthz"));

  auto fresh = HttpServer::Create(engine_, DefaultOptions(), logger_);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*fresh)->port(), 0);
  (*fresh)->Stop();  // before Start: harmless, and Start is then refused
  EXPECT_EQ((*fresh)->Start().code(), StatusCode::kFailedPrecondition);

  auto immediate = HttpServer::Create(engine_, DefaultOptions(), logger_);
  ASSERT_TRUE(immediate.ok());
  ASSERT_TRUE((*immediate)->Start().ok());
  (*immediate)->Stop();  // right after Start: must not hang
}

TEST_F(ServerTest, ListensOnIpv6Loopback) {
  ServerOptions options = DefaultOptions();
  options.listen = "[::1]:0";
  auto created = HttpServer::Create(engine_, options, logger_);
  ASSERT_TRUE(created.ok());
  const Status started = (*created)->Start();
  if (!started.ok()) {
    // Machines without IPv6 loopback can't bind it; the error must still name the address.
    EXPECT_THAT(started.message(), HasSubstr("[::1]:0"));
    return;
  }
  httplib::Client client("::1", (*created)->port());
  httplib::Result r = client.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ServerOptionsTest, CreateRejectsUnusableOptions) {
  struct Case {
    std::string name;
    std::function<void(ServerOptions&)> change;
    std::string want_in_message;
  };
  const std::vector<Case> cases = {
      {"listen without port", [](ServerOptions& o) { o.listen = "127.0.0.1"; }, "server.listen"},
      {"listen bad port", [](ServerOptions& o) { o.listen = "127.0.0.1:99999"; }, "server.listen"},
      {"threads zero", [](ServerOptions& o) { o.threads = 0; }, "server.threads"},
      {"body too small", [](ServerOptions& o) { o.max_body_bytes = 10; }, "server.max_body_bytes"},
      {"api key header authorization", [](ServerOptions& o) { o.api_key_header = "Authorization"; },
       "server.api_key_header"},
      {"api key header with space", [](ServerOptions& o) { o.api_key_header = "x api"; },
       "server.api_key_header"},
      {"short secret", [](ServerOptions& o) { o.tokens = {{.name = "a", .secret = "short"}}; },
       "server.tokens[0].secret"},
      {"secret with space",
       [](ServerOptions& o) { o.tokens = {{.name = "a", .secret = "has space 0123456789"}}; },
       "printable"},
      {"empty name",
       [](ServerOptions& o) { o.tokens = {{.name = "", .secret = "0123456789abcdef0"}}; },
       "server.tokens[0].name"},
      {"duplicate name",
       [](ServerOptions& o) {
         o.tokens = {{.name = "a", .secret = "0123456789abcdef0"},
                     {.name = "a", .secret = "0123456789abcdef1"}};
       },
       "unique"},
      {"duplicate secret",
       [](ServerOptions& o) {
         o.tokens = {{.name = "a", .secret = "0123456789abcdef0"},
                     {.name = "b", .secret = "0123456789abcdef0"}};
       },
       "its own secret"},
  };
  FakeEngine engine;
  FakeClock clock{std::chrono::system_clock::time_point()};
  MemoryLogSink sink;
  const Logger logger(sink, clock, LogLevel::kDebug);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ServerOptions options = DefaultOptions();
    c.change(options);
    auto created = HttpServer::Create(engine, options, logger);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(created.status().message(), HasSubstr(c.want_in_message));
    for (const Token& t : options.tokens) {
      EXPECT_THAT(created.status().message(), Not(HasSubstr(t.secret)));
    }
  }
}

}  // namespace
}  // namespace asr::server
