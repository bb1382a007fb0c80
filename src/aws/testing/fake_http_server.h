#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/http.h"
#include "common/status.h"

// Test support only: compiled into test executables, never into the library.
namespace asr::aws::testing {

// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for hermetic tests of code
// that talks HTTP (the transport, IMDS, ECS, SQS, ...).
//
// Each connection is served on its own thread with keep-alive: requests are parsed (method,
// path, query, headers, Content-Length body), recorded, and answered with what the handler
// returns. The server adds Content-Length (unless the handler set one) and leaves the body out
// for HEAD. Chunked request bodies are not supported.
//
// Thread-safe. The destructor stops accepting, closes every connection and joins all threads;
// a handler that blocks forever makes it hang, so handlers must return.
class FakeHttpServer final {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  enum class Interim {
    kNone,
    // Send "HTTP/1.1 100 Continue" before every final response.
    kContinue,
  };
  struct Options {
    Interim interim = Interim::kNone;
  };

  // Binds 127.0.0.1:0 and starts serving. Unavailable when the socket can't be set up.
  static Result<std::unique_ptr<FakeHttpServer>> Start(Handler handler);
  static Result<std::unique_ptr<FakeHttpServer>> Start(Handler handler, Options options);

  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  // "127.0.0.1:<port>", for HttpRequest::host.
  [[nodiscard]] std::string host() const;
  // "http://127.0.0.1:<port>".
  [[nodiscard]] std::string url() const;

  // Replaces the handler for subsequent requests.
  void SetHandler(Handler handler);
  // Every request received so far, in arrival order. `host` is the Host header, `scheme` "http".
  [[nodiscard]] std::vector<HttpRequest> requests() const;
  // TCP connections accepted so far.
  [[nodiscard]] size_t connections_accepted() const;

 private:
  FakeHttpServer(int listen_fd, uint16_t port, int wake_read_fd, int wake_write_fd, Handler handler,
                 Options options);

  void AcceptLoop();
  void Serve(int fd);
  HttpResponse Handle(const HttpRequest& request);

  const int listen_fd_;
  const uint16_t port_;
  // A pipe whose read end becomes readable when the server stops; every poll() watches it.
  const int wake_read_fd_;
  const int wake_write_fd_;
  const Options options_;

  mutable std::mutex mu_;
  Handler handler_;                    // guarded by mu_
  std::vector<HttpRequest> requests_;  // guarded by mu_
  size_t connections_accepted_ = 0;    // guarded by mu_
  std::vector<std::thread> workers_;   // guarded by mu_
  std::thread acceptor_;
};

// A loopback port that nothing listens on (bound, then closed), for "connection refused" tests.
// 0 when no port could be bound.
[[nodiscard]] uint16_t UnusedLoopbackPort();

// A socket listening on 127.0.0.1 that never accepts: connections complete (the kernel queues
// them) but no byte is ever answered, for timeout tests.
class SilentListener final {
 public:
  static Result<std::unique_ptr<SilentListener>> Start();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::string host() const;

 private:
  SilentListener(int fd, uint16_t port) : fd_(fd), port_(port) {}
  const int fd_;
  const uint16_t port_;
};

}  // namespace asr::aws::testing
