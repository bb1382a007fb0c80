#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "workflow/api.h"

namespace asr::server {

// An API credential: whoever presents `secret` acts as `name` with `role`.
struct Token {
  std::string name;    // shown in logs and the journal; never the secret
  std::string secret;  // at least 16 characters; unique across tokens
  workflow::Principal::Role role = workflow::Principal::Role::kViewer;
};

struct ServerOptions {
  // "host:port" or "[ipv6]:port"; port 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:8080";
  // Accepted credentials. None configured → every endpoint but GET /healthz answers 401 (fail
  // closed), unless allow_anonymous_loopback.
  std::vector<Token> tokens;
  // Largest request body accepted, after Content-Encoding is undone (EventBridge caps events at
  // 256 KiB). 1 KiB..64 MiB.
  size_t max_body_bytes = size_t{1} << 20;
  // Worker threads serving connections. 1..256.
  int threads = 8;
  // Header that may carry the secret instead of Authorization (EventBridge API destinations'
  // "API key" authorization).
  std::string api_key_header = "x-api-key";
  // GET /metrics without credentials.
  bool public_metrics = false;
  // With no tokens configured, requests from 127.0.0.1 / ::1 act as the operator "local". Such
  // requests must name a loopback Host and carry no Origin or Sec-Fetch-Site header, so that a
  // web page (CSRF, DNS rebinding) can't use the anonymous access.
  bool allow_anonymous_loopback = false;
};

// The HTTP API (DESIGN.md §4) in front of a workflow::EngineApi:
//   POST /v1/events                 operator, intake   202 {"event_id","duplicate","findings"}
//   GET  /v1/jobs?state=&control=&account=&finding=&active=&before=&limit=   viewer, operator
//   GET  /v1/jobs/{id}                                 viewer, operator
//   POST /v1/jobs/{id}/approve|reject [{"comment"}]    operator
//   POST /v1/jobs/{id}/undo                            operator
//   GET  /v1/controls                                  viewer, operator
//   PUT  /v1/controls/{control} {"mode"}               operator
//   PUT  /v1/kill-switch {"engaged"}                   operator
//   GET  /healthz                                      anyone; 200 or 503
//   GET  /metrics                                      viewer, operator (anyone if public)
// Credentials: "Authorization: Bearer <secret>", "Authorization: Basic base64(user:<secret>)"
// or "<api_key_header>: <secret>". Every response is JSON (metrics: Prometheus text) with
// Cache-Control: no-store; errors are {"error": {"code", "message"}}: 400 INVALID_ARGUMENT,
// 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 405 METHOD_NOT_ALLOWED (with
// Allow), 409 FAILED_PRECONDITION|CONFLICT, 413 PAYLOAD_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE,
// 429 THROTTLED, 500 INTERNAL, 503 UNAVAILABLE. One info log line per request (method, path,
// query parameter names, status, latency, principal, peer); never a credential.
// Each connection serves one request (responses carry Connection: close).
//
// Thread-safe: Start, Stop and port may be called from any thread; requests are served
// concurrently on `threads` workers, so `engine` must be thread-safe (EngineApi promises it).
// Borrows `engine` and the logger's sink and clock, which must outlive the server.
class HttpServer final {
 public:
  // Checks the options. InvalidArgument naming the option (listen, tokens, max_body_bytes,
  // threads, api_key_header) when one is unusable. Does not bind.
  static Result<std::unique_ptr<HttpServer>> Create(workflow::EngineApi& engine,
                                                    const ServerOptions& options,
                                                    const Logger& logger);

  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listen address and starts serving on a background thread; returns once the
  // socket listens (connections made after that are queued, not refused). Unavailable naming
  // the address when it can't be bound (in use, no such interface); FailedPrecondition when
  // called twice, after Stop or after a failed Start (Create a new server to retry).
  Status Start();
  // The bound port once started (the chosen one for port 0); 0 before Start.
  [[nodiscard]] int port() const;
  // Stops accepting, lets requests in progress finish, and joins the serving threads.
  // Idempotent; a stopped server can't be started again.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace asr::server
