#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace asr::aws {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// An HTTP request as it goes on the wire. `path` and `query` are already percent-encoded exactly
// as they will be sent (SigV4 signs what is sent). Header names compare case-insensitively.
struct HttpRequest {
  std::string method = "GET";
  std::string scheme = "https";
  std::string host;        // "s3.us-east-1.amazonaws.com" or "127.0.0.1:5000"
  std::string path = "/";  // encoded, starts with '/'
  std::string query;       // encoded, without the leading '?', "" when none
  HttpHeaders headers;
  std::string body;

  // scheme://host/path[?query]
  [[nodiscard]] std::string Url() const;
  // Replaces any header of that name (case-insensitive) with one value.
  void SetHeader(std::string_view name, std::string value);
  void RemoveHeader(std::string_view name);
  // The first header of that name, or nullptr.
  [[nodiscard]] const std::string* FindHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names as received
  std::string body;

  [[nodiscard]] const std::string* FindHeader(std::string_view name) const;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{3100};
  std::chrono::milliseconds request_timeout{60000};  // the whole attempt
};

// Sends one HTTP request (no retries, no signing). Errors: Unavailable (retryable) for
// connection failures and timeouts; the HTTP status of any response is not an error here.
// Implementations are thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request,
                                    const TransportOptions& options) = 0;
};

// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - _ . ~).
// With `keep_slash`, '/' is kept (URI paths).
enum class SlashEncoding { kEncode, kKeep };
[[nodiscard]] std::string UriEncode(std::string_view s,
                                    SlashEncoding slash = SlashEncoding::kEncode);
// Decodes %XX sequences ('+' is kept as is). Invalid sequences are kept verbatim.
[[nodiscard]] std::string UriDecode(std::string_view s);

}  // namespace asr::aws
