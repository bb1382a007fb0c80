#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "workflow/api.h"

// Private to the server component: pure request-parsing helpers, independent of httplib so that
// they can be tested without sockets. None of them throws; all are thread-safe.
namespace asr::server::internal {

struct HostPort {
  std::string host;  // "127.0.0.1", "::1" (brackets removed), "0.0.0.0", "localhost"
  int port = 0;      // 0..65535; 0 = ephemeral
};

// Parses "host:port" or "[ipv6]:port". InvalidArgument names the problem.
[[nodiscard]] Result<HostPort> ParseListen(std::string_view listen);

// Checks a request's Content-Type (nullopt when absent). Absent, "application/json" and
// "application/<anything>+json" are accepted, with an optional charset that must be UTF-8.
// InvalidArgument describing what is accepted otherwise (the server answers 415).
[[nodiscard]] Status CheckJsonContentType(const std::optional<std::string>& content_type);

// The deepest nesting of objects and arrays a request body may have.
inline constexpr size_t kMaxJsonDepth = 64;

// Checks that `body` is one complete JSON text (RFC 8259, UTF-8) nesting at most kMaxJsonDepth
// levels, without building a document. InvalidArgument with the line, column and byte of the
// first error otherwise.
[[nodiscard]] Status ValidateJson(std::string_view body);

// ValidateJson, then parses. InvalidArgument also when the value is not an object.
[[nodiscard]] Result<nlohmann::json> ParseJsonObject(std::string_view body);

// Query parameters as decoded name/value pairs, in request order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The filter of GET /v1/jobs from its query: state, control, account (12 digits), finding,
// active (true|false), before, limit (1..500). An empty value of a text filter means "no
// filter". InvalidArgument naming the parameter for unknown or repeated parameters and bad
// values.
[[nodiscard]] Result<workflow::JobFilter> ParseJobFilter(const QueryParams& params);

// The optional body of approve/reject: empty, or {"comment": "<at most 4096 bytes>"}.
[[nodiscard]] Result<std::string> ParseCommentBody(std::string_view body);
// The optional body of undo: empty or {}.
[[nodiscard]] Status ParseEmptyBody(std::string_view body);
// PUT /v1/controls/{control}: {"mode": "off"|"manual"|"approve"|"auto"}.
[[nodiscard]] Result<std::string> ParseModeBody(std::string_view body);
// PUT /v1/kill-switch: {"engaged": true|false}.
[[nodiscard]] Result<bool> ParseKillSwitchBody(std::string_view body);

}  // namespace asr::server::internal
