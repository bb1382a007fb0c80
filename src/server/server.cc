#include "server/server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "common/strings.h"
#include "server/internal/auth.h"
#include "server/internal/request.h"

namespace asr::server {

using nlohmann::json;
using workflow::Principal;
using Role = workflow::Principal::Role;

namespace {

// httplib::Server whose listening socket can be closed at any time: httplib's own stop() does
// nothing until listen_after_bind() has entered its loop, so a Stop() right after Start() would
// leave the accept loop running forever.
class ListeningServer final : public httplib::Server {
 public:
  void CloseListeningSocket() {
    const socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) {
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
    }
  }

  // httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into Debian's
  // library): a burst of more concurrent connects overflows it and the kernel drops SYNs, which
  // clients retry only after a second. Calling listen() again on a listening socket updates
  // its backlog.
  void RaiseBacklog() {
    const socket_t sock = svr_sock_.load();
    if (sock != INVALID_SOCKET) {
      ::listen(sock, SOMAXCONN);
    }
  }
};

enum class RouteId {
  kHealth,
  kMetrics,
  kEvents,
  kJobs,
  kJob,
  kApprove,
  kReject,
  kUndo,
  kControls,
  kControl,
  kKillSwitch,
};

struct Route {
  RouteId id;
  std::string param;  // the job id or control id in the path
};

std::optional<Route> MatchRoute(std::string_view path) {
  if (path == "/healthz") {
    return Route{RouteId::kHealth, ""};
  }
  if (path == "/metrics") {
    return Route{RouteId::kMetrics, ""};
  }
  if (path == "/v1/events") {
    return Route{RouteId::kEvents, ""};
  }
  if (path == "/v1/jobs") {
    return Route{RouteId::kJobs, ""};
  }
  if (path == "/v1/controls") {
    return Route{RouteId::kControls, ""};
  }
  if (path == "/v1/kill-switch") {
    return Route{RouteId::kKillSwitch, ""};
  }
  const std::vector<std::string_view> parts = Split(path, '/');  // "", "v1", ...
  if (parts.size() < 4 || !parts[0].empty() || parts[1] != "v1" || parts[3].empty()) {
    return std::nullopt;
  }
  const std::string param(parts[3]);
  if (parts[2] == "controls" && parts.size() == 4) {
    return Route{RouteId::kControl, param};
  }
  if (parts[2] != "jobs") {
    return std::nullopt;
  }
  if (parts.size() == 4) {
    return Route{RouteId::kJob, param};
  }
  if (parts.size() == 5 && parts[4] == "approve") {
    return Route{RouteId::kApprove, param};
  }
  if (parts.size() == 5 && parts[4] == "reject") {
    return Route{RouteId::kReject, param};
  }
  if (parts.size() == 5 && parts[4] == "undo") {
    return Route{RouteId::kUndo, param};
  }
  return std::nullopt;
}

// Every route answers exactly one method (GET routes also HEAD).
std::string_view MethodOf(RouteId id) {
  switch (id) {
    case RouteId::kHealth:
    case RouteId::kMetrics:
    case RouteId::kJobs:
    case RouteId::kJob:
    case RouteId::kControls:
      return "GET";
    case RouteId::kEvents:
    case RouteId::kApprove:
    case RouteId::kReject:
    case RouteId::kUndo:
      return "POST";
    case RouteId::kControl:
    case RouteId::kKillSwitch:
      return "PUT";
  }
  return "GET";
}

bool MethodAllowed(RouteId id, std::string_view method) {
  const std::string_view want = MethodOf(id);
  return method == want || (want == "GET" && method == "HEAD");
}

bool Permits(RouteId id, Role role) {
  switch (id) {
    case RouteId::kHealth:
      return true;
    case RouteId::kMetrics:
    case RouteId::kJobs:
    case RouteId::kJob:
    case RouteId::kControls:
      return role == Role::kViewer || role == Role::kOperator;
    case RouteId::kEvents:
      return role == Role::kOperator || role == Role::kIntake;
    case RouteId::kApprove:
    case RouteId::kReject:
    case RouteId::kUndo:
    case RouteId::kControl:
    case RouteId::kKillSwitch:
      return role == Role::kOperator;
  }
  return false;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kIntake:
      return "intake";
  }
  return "unknown";
}

std::string_view NeededRoles(RouteId id) {
  switch (id) {
    case RouteId::kEvents:
      return "operator or intake";
    case RouteId::kMetrics:
    case RouteId::kJobs:
    case RouteId::kJob:
    case RouteId::kControls:
      return "viewer or operator";
    default:
      return "operator";
  }
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kThrottled:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kOk:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

// Invalid UTF-8 (from paths, parameter names, engine output) is replaced rather than thrown.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsLoopbackPeer(std::string_view addr) {
  return addr == "127.0.0.1" || addr == "::1" || addr == "::ffff:127.0.0.1";
}

// The Host header names this machine: "127.0.0.1[:port]", "localhost[:port]", "[::1][:port]".
bool IsLoopbackHost(std::string_view host) {
  std::string_view name = host;
  if (name.starts_with('[')) {
    const size_t close = name.find(']');
    name = close == std::string_view::npos ? std::string_view() : name.substr(1, close - 1);
  } else {
    name = name.substr(0, name.find(':'));
  }
  const std::string lower = AsciiLower(name);
  return lower == "127.0.0.1" || lower == "localhost" || lower == "::1";
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A Content-Length value: digits only (no sign, no spaces), at most 19 of them.
std::optional<uint64_t> ParseContentLength(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.size() > 19 || ec != std::errc() || end != text.data() + text.size() ||
      !IsDigits(text, text.size())) {
    return std::nullopt;
  }
  return value;
}

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

// The query parameter names worth logging: only known ones, so that a secret pasted into a
// query string (as a name or a value) never reaches the log.
bool IsKnownQueryName(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "state", "control", "account", "finding", "active", "before", "limit"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(workflow::EngineApi& engine, const ServerOptions& options, internal::HostPort listen,
       internal::TokenSet tokens, Logger logger)
      : engine_(engine),
        listen_(std::move(listen)),
        max_body_bytes_(options.max_body_bytes),
        threads_(static_cast<size_t>(options.threads)),
        api_key_header_(options.api_key_header),
        public_metrics_(options.public_metrics),
        allow_anonymous_loopback_(options.allow_anonymous_loopback),
        tokens_(std::move(tokens)),
        logger_(std::move(logger)) {}

  ~Impl() { Stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status Start();
  [[nodiscard]] int port() const { return port_.load(); }
  void Stop();

 private:
  enum class State { kNew, kRunning, kStopped };

  // One request being served.
  struct Exchange {
    const httplib::Request& req;
    httplib::Response& res;
    const httplib::ContentReader* reader;  // null for methods httplib reads no body for
    std::string principal = "-";
    bool body_touched = false;  // the body was read (or an attempt failed)
  };

  void Install();
  void Dispatch(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader);
  void Serve(Exchange& ex);
  std::optional<Principal> Authenticate(Exchange& ex);
  std::optional<std::string> ReadBody(Exchange& ex);
  void DrainBody(Exchange& ex) const;
  static void Reply(Exchange& ex, int status, const json& body);
  void Fail(Exchange& ex, int status, std::string_view code, std::string_view message);
  void FailWith(Exchange& ex, const Status& status);
  void Unauthenticated(Exchange& ex, std::string_view error, std::string_view message);
  void ReplyEngine(Exchange& ex, const Result<json>& result);
  void LogRequest(const httplib::Request& req, int status, std::string_view principal,
                  std::chrono::steady_clock::duration latency) const;

  workflow::EngineApi& engine_;
  const internal::HostPort listen_;
  const size_t max_body_bytes_;
  const size_t threads_;
  const std::string api_key_header_;
  const bool public_metrics_;
  const bool allow_anonymous_loopback_;
  const internal::TokenSet tokens_;
  const Logger logger_;

  std::mutex mu_;  // guards state_ and thread_ (Start/Stop)
  State state_ = State::kNew;
  std::thread thread_;
  std::atomic<int> port_{0};
  ListeningServer http_;
};

Status HttpServer::Impl::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != State::kNew) {
    return FailedPreconditionError(state_ == State::kRunning
                                       ? "the HTTP server is already started"
                                       : "a stopped HTTP server can't be started again");
  }
  Install();
  const std::string shown = listen_.host.find(':') == std::string::npos
                                ? listen_.host + ":" + std::to_string(listen_.port)
                                : "[" + listen_.host + "]:" + std::to_string(listen_.port);
  errno = 0;
  int bound = 0;
  if (listen_.port == 0) {
    bound = http_.bind_to_any_port(listen_.host);
  } else {
    bound = http_.bind_to_port(listen_.host, listen_.port) ? listen_.port : -1;
  }
  if (bound <= 0) {
    const int err = errno;
    http_.CloseListeningSocket();
    state_ = State::kStopped;
    return UnavailableError("cannot listen on " + shown + ": " +
                            (err != 0 ? std::generic_category().message(err)
                                      : std::string("the address can't be bound")) +
                            " (check server.listen)");
  }
  http_.RaiseBacklog();
  port_.store(bound);
  state_ = State::kRunning;
  thread_ = std::thread([this] {
    if (!http_.listen_after_bind()) {
      logger_.Error("HTTP server stopped accepting connections",
                    {{"listen", listen_.host}, {"port", std::to_string(port_.load())}});
    }
  });
  logger_.Info("HTTP server listening",
               {{"listen", listen_.host}, {"port", std::to_string(bound)}});
  return Status::Ok();
}

void HttpServer::Impl::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kRunning) {
    http_.CloseListeningSocket();
    if (thread_.joinable()) {
      thread_.join();  // returns once the worker pool has finished the requests in progress
    }
    logger_.Info("HTTP server stopped", {{"port", std::to_string(port_.load())}});
  }
  state_ = State::kStopped;
}

void HttpServer::Impl::Install() {
  const size_t threads = threads_;
  // httplib's API takes ownership of a raw pointer here.
  http_.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);  // NOLINT(cppcoreguidelines-owning-memory)
  };
  // One request per connection. httplib 0.11 can't close a connection from a handler, so a
  // response sent before the request body was read in full (401 before reading, 413 on a
  // chunked body) would leave body bytes to be parsed as the next request on a kept-alive
  // connection — request smuggling behind a proxy that reuses connections.
  http_.set_keep_alive_max_count(1);
  // httplib writes the status line and headers, then the body, in separate writes; with Nagle
  // on, the second waits for the client's delayed ACK (~40 ms per response).
  http_.set_tcp_nodelay(true);
  // Backstop for Content-Length bodies: httplib answers 413 before reading (and drains what
  // the client sends); ReadBody enforces the same limit on chunked and decoded bodies.
  http_.set_payload_max_length(max_body_bytes_);
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the same port and
  // take a share of the connections; SO_REUSEADDR alone only allows a quick restart.
  http_.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  const auto plain = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res, nullptr);
  };
  const auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& reader) {
    Dispatch(req, res, &reader);
  };
  // httplib routes by regex; every path goes to Dispatch, which does its own routing so that
  // it can answer 401 before 404 and 405 with Allow.
  const std::string any = ".*";
  http_.Get(any, plain);  // and HEAD
  http_.Options(any, plain);
  http_.Post(any, httplib::Server::HandlerWithContentReader(with_body));
  http_.Put(any, httplib::Server::HandlerWithContentReader(with_body));
  http_.Patch(any, httplib::Server::HandlerWithContentReader(with_body));
  http_.Delete(any, httplib::Server::HandlerWithContentReader(with_body));
  // Methods httplib has no handler list for (it would answer a bare 400): 404/405 from us.
  http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    static constexpr std::array<std::string_view, 7> kRouted = {"GET",   "HEAD",   "POST",   "PUT",
                                                                "PATCH", "DELETE", "OPTIONS"};
    for (std::string_view m : kRouted) {
      if (req.method == m) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
    }
    Dispatch(req, res, nullptr);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib produces itself (malformed request line or headers, URI too long, bad
  // Range) arrive with an empty body; ours always have one.
  http_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        const int status = res.status;
        std::string code = "INVALID_ARGUMENT";
        std::string message = "malformed HTTP request";
        if (status == 414) {
          code = "URI_TOO_LONG";
          message = "the request line is too long";
        } else if (status == 416) {
          message = "the Range header is malformed";
        } else if (status >= 500) {
          code = "INTERNAL";
          message = "internal error; the server log has details";
        }
        res.set_content(Dump({{"error", {{"code", code}, {"message", message}}}}),
                        std::string(kJsonType));
        res.set_header("Cache-Control", "no-store");
        res.set_header("X-Content-Type-Options", "nosniff");
        LogRequest(req, status, "-", std::chrono::steady_clock::duration::zero());
        return httplib::Server::HandlerResponse::Handled;
      }));
  // Our handlers don't throw; this is the last line of defence (e.g. std::bad_alloc).
  http_.set_exception_handler([this](const httplib::Request& req, httplib::Response& res,
                                     std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(std::move(ep));
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {  // NOLINT(bugprone-empty-catch): `what` says so
    }
    logger_.Error("HTTP handler failed", {{"method", req.method}, {"error", what}});
    res.status = 500;
    res.set_content(
        Dump({{"error",
               {{"code", "INTERNAL"}, {"message", "internal error; the server log has details"}}}}),
        std::string(kJsonType));
    res.set_header("Cache-Control", "no-store");
  });
}

void HttpServer::Impl::Dispatch(const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader* reader) {
  const auto start = std::chrono::steady_clock::now();
  Exchange ex{.req = req, .res = res, .reader = reader};
  Serve(ex);
  if (!ex.body_touched) {
    DrainBody(ex);
  }
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  LogRequest(req, res.status, ex.principal, std::chrono::steady_clock::now() - start);
}

void HttpServer::Impl::Serve(Exchange& ex) {
  const httplib::Request& req = ex.req;
  const bool is_get = req.method == "GET" || req.method == "HEAD";
  const std::optional<Route> route = MatchRoute(req.path);

  if (route.has_value() && is_get && route->id == RouteId::kHealth) {
    bool ok = false;
    const json health = engine_.Health(ok);
    Reply(ex, ok ? 200 : 503, health);
    return;
  }
  const bool metrics = route.has_value() && is_get && route->id == RouteId::kMetrics;
  if (metrics && public_metrics_) {
    ex.res.status = 200;
    ex.res.set_content(engine_.MetricsText(), std::string(kMetricsType));
    return;
  }

  const std::optional<Principal> principal = Authenticate(ex);
  if (!principal.has_value()) {
    return;
  }
  ex.principal = principal->name;

  if (!route.has_value()) {
    Fail(ex, 404, "NOT_FOUND",
         "no endpoint at " + Quote(req.path) +
             "; see /v1/events, /v1/jobs, /v1/controls, /v1/kill-switch, /healthz, /metrics");
    return;
  }
  if (!MethodAllowed(route->id, req.method)) {
    const std::string_view allowed = MethodOf(route->id);
    ex.res.set_header("Allow", allowed == "GET" ? "GET, HEAD" : std::string(allowed));
    Fail(ex, 405, "METHOD_NOT_ALLOWED",
         "method " + Quote(req.method) + " is not allowed on " + req.path + "; use " +
             std::string(allowed));
    return;
  }
  if (!Permits(route->id, principal->role)) {
    Fail(ex, 403, "PERMISSION_DENIED",
         "principal " + Quote(principal->name) + " has role " +
             std::string(RoleName(principal->role)) + "; " + std::string(MethodOf(route->id)) +
             " " + req.path + " needs " + std::string(NeededRoles(route->id)));
    return;
  }

  switch (route->id) {
    case RouteId::kHealth:  // handled above
      return;
    case RouteId::kMetrics:
      ex.res.status = 200;
      ex.res.set_content(engine_.MetricsText(), std::string(kMetricsType));
      return;
    case RouteId::kEvents: {
      const std::optional<std::string> body = ReadBody(ex);
      if (!body.has_value()) {
        return;
      }
      if (body->empty()) {
        Fail(ex, 400, "INVALID_ARGUMENT",
             "request body is empty; send an EventBridge event (a JSON object)");
        return;
      }
      if (Status valid = internal::ValidateJson(*body); !valid.ok()) {
        FailWith(ex, valid);
        return;
      }
      const workflow::SubmitOptions options{.source = "http", .principal = *principal};
      Result<workflow::SubmitResult> submitted = engine_.Submit(*body, options);
      if (!submitted.ok()) {
        FailWith(ex, submitted.status());
        return;
      }
      Reply(ex, 202,
            {{"event_id", submitted->event_id},
             {"duplicate", submitted->duplicate},
             {"findings", submitted->findings}});
      return;
    }
    case RouteId::kJobs: {
      internal::QueryParams params(ex.req.params.begin(), ex.req.params.end());
      Result<workflow::JobFilter> filter = internal::ParseJobFilter(params);
      if (!filter.ok()) {
        FailWith(ex, filter.status());
        return;
      }
      ReplyEngine(ex, engine_.ListJobs(*filter));
      return;
    }
    case RouteId::kJob:
      ReplyEngine(ex, engine_.GetJob(route->param));
      return;
    case RouteId::kApprove:
    case RouteId::kReject: {
      const std::optional<std::string> body = ReadBody(ex);
      if (!body.has_value()) {
        return;
      }
      Result<std::string> comment = internal::ParseCommentBody(*body);
      if (!comment.ok()) {
        FailWith(ex, comment.status());
        return;
      }
      ReplyEngine(ex, route->id == RouteId::kApprove
                          ? engine_.Approve(route->param, *principal, *comment)
                          : engine_.Reject(route->param, *principal, *comment));
      return;
    }
    case RouteId::kUndo: {
      const std::optional<std::string> body = ReadBody(ex);
      if (!body.has_value()) {
        return;
      }
      if (Status empty = internal::ParseEmptyBody(*body); !empty.ok()) {
        FailWith(ex, empty);
        return;
      }
      ReplyEngine(ex, engine_.Undo(route->param, *principal));
      return;
    }
    case RouteId::kControls:
      ReplyEngine(ex, engine_.Controls());
      return;
    case RouteId::kControl: {
      const std::optional<std::string> body = ReadBody(ex);
      if (!body.has_value()) {
        return;
      }
      Result<std::string> mode = internal::ParseModeBody(*body);
      if (!mode.ok()) {
        FailWith(ex, mode.status());
        return;
      }
      ReplyEngine(ex, engine_.SetControlMode(route->param, *mode, *principal));
      return;
    }
    case RouteId::kKillSwitch: {
      const std::optional<std::string> body = ReadBody(ex);
      if (!body.has_value()) {
        return;
      }
      Result<bool> engaged = internal::ParseKillSwitchBody(*body);
      if (!engaged.ok()) {
        FailWith(ex, engaged.status());
        return;
      }
      ReplyEngine(ex, engine_.SetKillSwitch(*engaged, *principal));
      return;
    }
  }
}

std::optional<Principal> HttpServer::Impl::Authenticate(Exchange& ex) {
  const httplib::Request& req = ex.req;
  if (tokens_.empty()) {
    if (allow_anonymous_loopback_ && IsLoopbackPeer(req.remote_addr)) {
      if (req.has_header("Origin") || req.has_header("Sec-Fetch-Site")) {
        Fail(ex, 403, "PERMISSION_DENIED",
             "anonymous loopback access is not available to web pages (the request has an "
             "Origin or Sec-Fetch-Site header); configure server.tokens");
        return std::nullopt;
      }
      if (req.has_header("Host") && !IsLoopbackHost(req.get_header_value("Host"))) {
        Fail(ex, 403, "PERMISSION_DENIED",
             "anonymous loopback access needs a loopback Host header (127.0.0.1, localhost or "
             "[::1]), not " +
                 Quote(req.get_header_value("Host")));
        return std::nullopt;
      }
      return Principal{.name = "local", .role = Role::kOperator};
    }
    Unauthenticated(ex, "",
                    "no API tokens are configured, so every request is refused; add tokens under "
                    "server.tokens (or, for local use only, set "
                    "server.allow_anonymous_loopback)");
    return std::nullopt;
  }

  if (req.get_header_value_count("Authorization") > 1 ||
      req.get_header_value_count(api_key_header_) > 1) {
    Unauthenticated(ex, "invalid_request", "the request has more than one credential header");
    return std::nullopt;
  }
  std::optional<std::string> authorization;
  if (req.has_header("Authorization")) {
    authorization = req.get_header_value("Authorization");
  }
  std::optional<std::string> api_key;
  if (req.has_header(api_key_header_)) {
    api_key = req.get_header_value(api_key_header_);
  }
  const internal::Presented presented = internal::ReadCredential(authorization, api_key);
  switch (presented.kind) {
    case internal::Presented::Kind::kNone:
      Unauthenticated(ex, "",
                      "credentials are missing; send \"Authorization: Bearer <token>\" or the " +
                          api_key_header_ + " header");
      return std::nullopt;
    case internal::Presented::Kind::kMalformed:
      Unauthenticated(ex, "invalid_request", presented.problem);
      return std::nullopt;
    case internal::Presented::Kind::kSecret:
      break;
  }
  const internal::TokenEntry* token = tokens_.Match(presented.secret);
  if (token == nullptr) {
    Unauthenticated(ex, "invalid_token", "the credential matches no configured token");
    return std::nullopt;
  }
  return Principal{.name = token->name, .role = token->role};
}

std::optional<std::string> HttpServer::Impl::ReadBody(Exchange& ex) {
  const httplib::Request& req = ex.req;
  std::optional<std::string> content_type;
  if (req.has_header("Content-Type")) {
    content_type = req.get_header_value("Content-Type");
  }
  if (Status type = internal::CheckJsonContentType(content_type); !type.ok()) {
    Fail(ex, 415, "UNSUPPORTED_MEDIA_TYPE", type.message());
    return std::nullopt;
  }
  if (req.has_header("Content-Encoding")) {
    // httplib decodes exactly these (case-sensitively) and passes anything else through as if
    // it were identity.
    const std::string ce = req.get_header_value("Content-Encoding");
    if (ce != "gzip" && ce != "deflate" && ce != "br" && ce != "identity") {
      Fail(ex, 415, "UNSUPPORTED_MEDIA_TYPE",
           "Content-Encoding " + Quote(ce) + " is not supported; send gzip, deflate, br or none");
      return std::nullopt;
    }
  }
  const bool has_length = req.has_header("Content-Length");
  const bool has_encoding = req.has_header("Transfer-Encoding");
  if (has_encoding) {
    const std::string te = AsciiLower(TrimAscii(req.get_header_value("Transfer-Encoding")));
    if (te != "chunked") {
      Fail(ex, 400, "INVALID_ARGUMENT",
           "Transfer-Encoding " + Quote(te) + " is not supported; send Content-Length or chunked");
      return std::nullopt;
    }
    if (has_length) {  // RFC 9112 §6.1: ambiguous framing, a smuggling vector
      Fail(ex, 400, "INVALID_ARGUMENT",
           "the request has both Content-Length and Transfer-Encoding; send one");
      return std::nullopt;
    }
  }
  if (has_length) {
    const std::string length = req.get_header_value("Content-Length");
    if (!ParseContentLength(length).has_value()) {
      Fail(ex, 400, "INVALID_ARGUMENT", "Content-Length " + Quote(length) + " is not a number");
      return std::nullopt;
    }
  }
  // RFC 9112 §6.3: a request with neither header has no body (httplib would read until EOF).
  if (ex.reader == nullptr || (!has_length && !has_encoding)) {
    return std::string();
  }
  ex.body_touched = true;
  std::string body;
  bool too_large = false;
  const bool ok = (*ex.reader)([&](const char* data, size_t size) {
    if (size > max_body_bytes_ - body.size()) {
      too_large = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (ok && !too_large) {
    return body;
  }
  const std::string limit = std::to_string(max_body_bytes_);
  if (too_large || ex.res.status == 413) {
    Fail(ex, 413, "PAYLOAD_TOO_LARGE",
         "request body is larger than " + limit + " bytes (server.max_body_bytes)");
  } else if (ex.res.status == 415) {
    Fail(ex, 415, "UNSUPPORTED_MEDIA_TYPE",
         "Content-Encoding " + Quote(req.get_header_value("Content-Encoding")) +
             " is not supported; send gzip, deflate, br or no encoding");
  } else {
    Fail(ex, 400, "INVALID_ARGUMENT",
         "the request body could not be read (cut short, malformed chunked encoding or "
         "undecodable Content-Encoding)");
  }
  return std::nullopt;
}

// Reads and discards the body of a request answered before its body was needed (401, 404,
// ...), up to max_body_bytes, so that the client finishes sending and reads our answer instead
// of a connection reset.
void HttpServer::Impl::DrainBody(Exchange& ex) const {
  const httplib::Request& req = ex.req;
  const bool has_length = req.has_header("Content-Length");
  const bool chunked =
      AsciiLower(TrimAscii(req.get_header_value("Transfer-Encoding"))) == "chunked";
  if (ex.reader == nullptr || (!has_length && !chunked) || (has_length && chunked) ||
      req.has_header("Transfer-Encoding") != chunked || req.is_multipart_form_data()) {
    return;
  }
  if (has_length) {
    // Beyond the limit httplib would drain the whole declared length; an unauthenticated
    // client doesn't get that much of our time, it gets the connection closed instead.
    const std::optional<uint64_t> length =
        ParseContentLength(req.get_header_value("Content-Length"));
    if (!length.has_value() || *length > max_body_bytes_) {
      return;
    }
  }
  const int status = ex.res.status;
  size_t seen = 0;
  (void)(*ex.reader)([&](const char* /*data*/, size_t size) {
    seen += size;
    return seen <= max_body_bytes_;
  });
  ex.res.status = status;  // the reader may have set 400/413/415
}

void HttpServer::Impl::Reply(Exchange& ex, int status, const json& body) {
  ex.res.status = status;
  ex.res.set_content(Dump(body), std::string(kJsonType));
}

void HttpServer::Impl::Fail(Exchange& ex, int status, std::string_view code,
                            std::string_view message) {
  Reply(ex, status, {{"error", {{"code", code}, {"message", message}}}});
}

void HttpServer::Impl::FailWith(Exchange& ex, const Status& status) {
  if (status.code() == StatusCode::kInternal || status.code() == StatusCode::kOk) {
    // Internal details (paths, SQL) stay in the log; decided here, so logged here.
    logger_.Error("HTTP request failed", {{"method", ex.req.method},
                                          {"path", ex.req.path},
                                          {"principal", ex.principal},
                                          {"error", status.ToString()}});
    Fail(ex, 500, "INTERNAL", "internal error; the server log has details");
    return;
  }
  Fail(ex, HttpStatusOf(status.code()), StatusCodeName(status.code()), status.message());
}

void HttpServer::Impl::Unauthenticated(Exchange& ex, std::string_view error,
                                       std::string_view message) {
  std::string challenge = "Bearer realm=\"asr\"";
  if (!error.empty()) {
    challenge += ", error=\"" + std::string(error) + "\"";
  }
  ex.res.set_header("WWW-Authenticate", challenge);
  Fail(ex, 401, "UNAUTHENTICATED", message);
}

void HttpServer::Impl::ReplyEngine(Exchange& ex, const Result<json>& result) {
  if (!result.ok()) {
    FailWith(ex, result.status());
    return;
  }
  Reply(ex, 200, *result);
}

void HttpServer::Impl::LogRequest(const httplib::Request& req, int status,
                                  std::string_view principal,
                                  std::chrono::steady_clock::duration latency) const {
  std::string query;
  size_t others = 0;
  for (const auto& [name, value] : req.params) {
    if (IsKnownQueryName(name)) {
      query += query.empty() ? "" : ",";
      query += name;
    } else {
      ++others;
    }
  }
  if (others > 0) {
    query += query.empty() ? "" : ",";
    query += std::to_string(others) + " unknown";
  }
  constexpr size_t kMaxPath = 256;
  const std::string path =
      req.path.size() > kMaxPath ? req.path.substr(0, kMaxPath) + "..." : req.path;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  std::array<char, 32> latency_ms{};
  std::snprintf(latency_ms.data(), latency_ms.size(), "%.3f", static_cast<double>(micros) / 1000.0);
  logger_.Info("http request", {{"method", req.method.substr(0, 16)},
                                {"path", path},
                                {"query", query},
                                {"status", std::to_string(status)},
                                {"latency_ms", latency_ms.data()},
                                {"principal", std::string(principal)},
                                {"peer", req.remote_addr}});
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(workflow::EngineApi& engine,
                                                       const ServerOptions& options,
                                                       const Logger& logger) {
  ASR_ASSIGN_OR_RETURN(internal::HostPort listen, internal::ParseListen(options.listen));
  constexpr size_t kMinBody = 1024;
  constexpr size_t kMaxBody = size_t{64} << 20;
  if (options.max_body_bytes < kMinBody || options.max_body_bytes > kMaxBody) {
    return InvalidArgumentError("server.max_body_bytes " + std::to_string(options.max_body_bytes) +
                                " must be from 1024 to 67108864 (1 KiB to 64 MiB)");
  }
  if (options.threads < 1 || options.threads > 256) {
    return InvalidArgumentError("server.threads " + std::to_string(options.threads) +
                                " must be from 1 to 256");
  }
  if (options.api_key_header.empty() ||
      !std::all_of(options.api_key_header.begin(), options.api_key_header.end(), IsTokenChar) ||
      EqualsIgnoreCase(options.api_key_header, "authorization")) {
    return InvalidArgumentError("server.api_key_header " + Quote(options.api_key_header) +
                                " must be an HTTP header name other than Authorization, e.g. "
                                "\"x-api-key\"");
  }

  std::vector<internal::TokenEntry> entries;
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < options.tokens.size(); ++i) {
    const Token& token = options.tokens[i];
    const std::string where = "server.tokens[" + std::to_string(i) + "]";
    if (token.name.empty() || token.name.size() > 64 ||
        !std::all_of(token.name.begin(), token.name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("._:@-").find(c) != std::string_view::npos;
        })) {
      return InvalidArgumentError(where + ".name " + Quote(token.name) +
                                  " must be 1 to 64 letters, digits or . _ : @ -");
    }
    if (!names.insert(token.name).second) {
      return InvalidArgumentError(where + ".name " + Quote(token.name) +
                                  " is used by another token; names must be unique");
    }
    // The secret itself never appears in a message.
    if (token.secret.size() < 16 || token.secret.size() > 4096) {
      return InvalidArgumentError(where + ".secret (token " + Quote(token.name) + ") has " +
                                  std::to_string(token.secret.size()) +
                                  " characters; use 16 to 4096 (e.g. 32 random bytes, base64)");
    }
    if (!std::all_of(token.secret.begin(), token.secret.end(),
                     [](char c) { return c > ' ' && c < 0x7f; })) {
      return InvalidArgumentError(where + ".secret (token " + Quote(token.name) +
                                  ") must be printable ASCII without spaces");
    }
    ASR_ASSIGN_OR_RETURN(internal::Digest digest, internal::Sha256(token.secret));
    for (const internal::TokenEntry& other : entries) {
      if (other.digest == digest) {
        return InvalidArgumentError(where + ".secret (token " + Quote(token.name) +
                                    ") is the same as token " + Quote(other.name) +
                                    "'s; every token needs its own secret");
      }
    }
    entries.push_back({.name = token.name, .role = token.role, .digest = digest});
  }

  auto impl = std::make_unique<Impl>(engine, options, std::move(listen),
                                     internal::TokenSet(std::move(entries)), logger);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
Status HttpServer::Start() { return impl_->Start(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace asr::server
