#include "aws/curl_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>  // setenv, unsetenv

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/testing/fake_http_server.h"

namespace asr::aws {
namespace {

using ::asr::aws::testing::FakeHttpServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr TransportOptions kFastOptions{.connect_timeout = std::chrono::milliseconds(2000),
                                        .request_timeout = std::chrono::milliseconds(10000)};

std::unique_ptr<CurlTransport> NewTransport() {
  auto transport = CurlTransport::Create();
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  return transport.ok() ? std::move(transport).value() : nullptr;
}

std::unique_ptr<FakeHttpServer> NewServer(FakeHttpServer::Handler handler,
                                          FakeHttpServer::Options options = {}) {
  auto server = FakeHttpServer::Start(std::move(handler), options);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

// Echoes the request: the body back, the method and the X-Test header in response headers.
HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response{.status = request.method == "POST" ? 201 : 200};
  response.headers.emplace_back("X-Method", request.method);
  if (const std::string* test = request.FindHeader("X-Test"); test != nullptr) {
    response.headers.emplace_back("X-Echo", *test);
  }
  response.body = request.body;
  return response;
}

TEST(CurlTransportTest, RoundTripsMethodsHeadersAndBodies) {
  const std::string binary("\0\x01\xff\r\n\x7f body", 10);
  struct Case {
    std::string name;
    std::string method;
    std::string query;
    HttpHeaders headers;
    std::string body;
    std::optional<std::string> want_content_length;  // nullopt: header absent
    int want_status;
    std::string want_body;
  };
  const std::vector<Case> cases = {
      {"get", "GET", "a=1&b=%2F", {{"X-Test", "one"}}, "", std::nullopt, 200, ""},
      {"put text",
       "PUT",
       "",
       {{"X-Test", "two"}, {"Content-Type", "text/plain"}},
       "hello",
       "5",
       200,
       "hello"},
      {"put empty", "PUT", "", {}, "", "0", 200, ""},
      {"post binary",
       "POST",
       "",
       {{"Content-Type", "application/octet-stream"}},
       binary,
       std::to_string(binary.size()),
       201,
       binary},
      {"post empty", "POST", "Action=List", {}, "", "0", 201, ""},
      {"delete", "DELETE", "", {{"X-Test", "three"}}, "", std::nullopt, 200, ""},
      {"delete with body", "DELETE", "", {}, "{}", "2", 200, "{}"},
      {"head", "HEAD", "", {{"X-Test", "four"}}, "", std::nullopt, 200, ""},
      {"empty header value", "GET", "", {{"X-Empty", ""}}, "", std::nullopt, 200, ""},
  };
  auto server = NewServer(&Echo);
  ASSERT_NE(server, nullptr);
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const size_t before = server->requests().size();
    HttpRequest request{.method = c.method,
                        .scheme = "http",
                        .host = server->host(),
                        .path = "/some/path%20x",
                        .query = c.query,
                        .headers = c.headers,
                        .body = c.body};
    auto response = transport->Send(request, kFastOptions);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, c.want_status);
    EXPECT_EQ(response->body, c.want_body);
    ASSERT_NE(response->FindHeader("X-Method"), nullptr);
    EXPECT_EQ(*response->FindHeader("X-Method"), c.method);
    if (const std::string* test = request.FindHeader("X-Test"); test != nullptr) {
      ASSERT_NE(response->FindHeader("X-Echo"), nullptr);
      EXPECT_EQ(*response->FindHeader("X-Echo"), *test);
    }

    const std::vector<HttpRequest> received = server->requests();
    ASSERT_EQ(received.size(), before + 1);
    const HttpRequest& got = received.back();
    EXPECT_EQ(got.method, c.method);
    EXPECT_EQ(got.path, "/some/path%20x");
    EXPECT_EQ(got.query, c.query);
    EXPECT_EQ(got.body, c.body);
    EXPECT_EQ(got.host, server->host());
    for (const auto& [name, value] : c.headers) {
      ASSERT_NE(got.FindHeader(name), nullptr) << name;
      EXPECT_EQ(*got.FindHeader(name), value);
    }
    const std::string* content_length = got.FindHeader("Content-Length");
    if (c.want_content_length.has_value()) {
      ASSERT_NE(content_length, nullptr);
      EXPECT_EQ(*content_length, *c.want_content_length);
    } else {
      EXPECT_EQ(content_length, nullptr);
    }
    // Nothing libcurl would add on its own.
    EXPECT_EQ(got.FindHeader("Expect"), nullptr);
    EXPECT_EQ(got.FindHeader("Accept"), nullptr);
    if (request.FindHeader("Content-Type") == nullptr) {
      EXPECT_EQ(got.FindHeader("Content-Type"), nullptr);
    }
  }
}

TEST(CurlTransportTest, ReturnsAllResponseHeadersInOrder) {
  auto server = NewServer([](const HttpRequest&) {
    return HttpResponse{
        .status = 200,
        .headers = {{"X-Multi", "1"}, {"x-amz-request-id", "abc"}, {"X-Multi", "2"}},
        .body = "ok"};
  });
  ASSERT_NE(server, nullptr);
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  auto response = transport->Send({.scheme = "http", .host = server->host()}, kFastOptions);

  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_THAT(response->headers,
              ::testing::ElementsAre(Pair("X-Multi", "1"), Pair("x-amz-request-id", "abc"),
                                     Pair("X-Multi", "2"), Pair("Content-Length", "2")));
}

TEST(CurlTransportTest, KeepsFinalResponseAfterInterimContinue) {
  auto server = NewServer(
      [](const HttpRequest&) {
        return HttpResponse{.status = 404, .headers = {{"X-Final", "yes"}}, .body = "missing"};
      },
      {.interim = FakeHttpServer::Interim::kContinue});
  ASSERT_NE(server, nullptr);
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  auto response = transport->Send(
      {.method = "PUT", .scheme = "http", .host = server->host(), .body = "data"}, kFastOptions);

  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "missing");
  EXPECT_THAT(response->headers,
              ::testing::ElementsAre(Pair("X-Final", "yes"), Pair("Content-Length", "7")));
}

TEST(CurlTransportTest, ReusesOneConnectionForSequentialRequests) {
  auto server = NewServer(&Echo);
  ASSERT_NE(server, nullptr);
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  for (int i = 0; i < 1000; ++i) {
    auto response = transport->Send({.method = i % 2 == 0 ? "GET" : "POST",
                                     .scheme = "http",
                                     .host = server->host(),
                                     .body = i % 2 == 0 ? "" : "x"},
                                    kFastOptions);
    ASSERT_TRUE(response.ok()) << i << ": " << response.status().ToString();
  }

  EXPECT_EQ(transport->connections_opened(), 1U);
  EXPECT_EQ(server->connections_accepted(), 1U);
  EXPECT_EQ(server->requests().size(), 1000U);
}

TEST(CurlTransportTest, ConnectionRefusedIsRetryableUnavailable) {
  const uint16_t port = testing::UnusedLoopbackPort();
  ASSERT_NE(port, 0);
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  auto response = transport->Send({.scheme = "http",
                                   .host = "127.0.0.1:" + std::to_string(port),
                                   .path = "/refused",
                                   .query = "X-Amz-Signature=presigned",
                                   .headers = {{"Authorization", "AWS4-HMAC-SHA256 secret-sig"}}},
                                  kFastOptions);

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(response.status().retryable());
  EXPECT_THAT(response.status().message(), HasSubstr("GET 127.0.0.1"));
  EXPECT_THAT(response.status().message(), HasSubstr("/refused"));
  EXPECT_THAT(response.status().message(), Not(HasSubstr("presigned")));
  EXPECT_THAT(response.status().message(), Not(HasSubstr("secret-sig")));
}

TEST(CurlTransportTest, ServerThatNeverAnswersTimesOut) {
  auto listener = testing::SilentListener::Start();
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  auto response = transport->Send({.scheme = "http", .host = (*listener)->host(), .path = "/slow"},
                                  {.connect_timeout = std::chrono::milliseconds(200),
                                   .request_timeout = std::chrono::milliseconds(200)});

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(response.status().retryable());
  EXPECT_THAT(response.status().message(), HasSubstr("/slow"));
}

TEST(CurlTransportTest, RejectsHeadersThatWouldSplitTheRequest) {
  struct Case {
    std::string name;
    HttpHeaders headers;
  };
  const std::vector<Case> cases = {
      {"lf in value", {{"X-Amz-Security-Token", "tok\nen-secret"}}},
      {"cr in value", {{"Authorization", "sig\r-secret"}}},
      {"colon in name", {{"Bad:Name", "v-secret"}}},
      {"empty name", {{"", "v-secret"}}},
  };
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto response = transport->Send({.scheme = "http", .host = "127.0.0.1:1", .headers = c.headers},
                                    kFastOptions);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(response.status().message(), Not(HasSubstr("secret")));
  }
}

// Sets environment variables for the life of the object and restores them afterwards.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::optional<std::string>>> vars) {
    for (auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
      Apply(name, value);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      Apply(name, value);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  static void Apply(const std::string& name, const std::optional<std::string>& value) {
    if (value.has_value()) {
      setenv(name.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(CurlTransportTest, UsesProxyFromEnvironment) {
  auto proxy = NewServer(
      [](const HttpRequest&) { return HttpResponse{.status = 200, .body = "via proxy"}; });
  ASSERT_NE(proxy, nullptr);
  const ScopedEnv env({{"http_proxy", proxy->url()},
                       {"HTTP_PROXY", std::nullopt},
                       {"no_proxy", std::nullopt},
                       {"NO_PROXY", std::nullopt}});
  auto transport = NewTransport();
  ASSERT_NE(transport, nullptr);

  // ".invalid" never resolves (RFC 6761), so the only way to get an answer is the proxy.
  auto response = transport->Send(
      {.scheme = "http", .host = "service.example.invalid", .path = "/thing"}, kFastOptions);

  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "via proxy");
  const std::vector<HttpRequest> received = proxy->requests();
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0].host, "service.example.invalid");
  EXPECT_EQ(received[0].path, "/thing");
}

}  // namespace
}  // namespace asr::aws
