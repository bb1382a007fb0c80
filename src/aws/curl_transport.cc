#include "aws/curl_transport.h"

#include <curl/curl.h>

#include <array>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "common/strings.h"

namespace asr::aws {
namespace {

// Idle handles kept for reuse; more concurrent requests than this still work, their handles are
// just freed afterwards.
constexpr size_t kMaxIdleHandles = 32;

std::once_flag g_curl_init_once;
CURLcode g_curl_init_result = CURLE_OK;

// Frees a curl_slist when it goes out of scope.
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Receives the response while libcurl runs the transfer.
struct ResponseSink {
  HttpResponse response;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  const size_t n = size * count;
  sink->response.body.append(data, n);
  return n;
}

// Called once per header line, including each response's status line. A status line starts a
// new response (after "100 Continue", for instance), so the headers collected so far belong to
// an interim response and are dropped.
size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    sink->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return n;  // the blank line ending a header block, or an obsolete folded line
  }
  sink->response.headers.emplace_back(std::string(TrimAscii(line.substr(0, colon))),
                                      std::string(TrimAscii(line.substr(colon + 1))));
  return n;
}

bool HasCrOrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// "GET example.com/path": enough to find the failing call, without the query string (which may
// be a presigned signature) or any header.
std::string Describe(const HttpRequest& request) {
  return request.method + " " + request.host + request.path;
}

Status CurlError(const HttpRequest& request, CURLcode code, const char* detail) {
  std::string message = Describe(request) + ": " + curl_easy_strerror(code);
  if (detail != nullptr && detail[0] != '\0') {
    message += " (";
    message += TrimAscii(detail);
    message += ")";
  }
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgumentError(std::move(message));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      // Retrying will not make a certificate valid.
      return UnavailableError(std::move(message)).WithRetryable(Retryable::kNo);
    default:
      return UnavailableError(std::move(message));
  }
}

bool MethodAlwaysHasBody(std::string_view method) {
  return method == "PUT" || method == "POST" || method == "PATCH";
}

// Builds the header list: the request's headers in order, plus blank overrides that stop
// libcurl from adding its own. Header names and values were checked for CR/LF by the caller.
Slist BuildHeaders(const HttpRequest& request) {
  curl_slist* list = nullptr;
  auto append = [&list](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next != nullptr) {
      list = next;
    }
  };
  for (const auto& [name, value] : request.headers) {
    // Content-Length comes from the body size (libcurl would otherwise send two of them).
    if (EqualsIgnoreCase(name, "Content-Length")) {
      continue;
    }
    // "Name;" is libcurl's syntax for a header with an empty value.
    std::string line = name;
    line += value.empty() ? ";" : ": ";
    line += value;
    append(line);
  }
  // "Name:" removes a header libcurl would add by itself.
  for (const char* name : {"Expect", "Accept", "Content-Type"}) {
    if (request.FindHeader(name) == nullptr) {
      append(std::string(name) + ":");
    }
  }
  return Slist(list);
}

}  // namespace

void CurlTransport::HandleDeleter::operator()(void* handle) const { curl_easy_cleanup(handle); }

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create() {
  std::call_once(g_curl_init_once, [] { g_curl_init_result = curl_global_init(CURL_GLOBAL_ALL); });
  if (g_curl_init_result != CURLE_OK) {
    return InternalError(std::string("curl_global_init: ") +
                         curl_easy_strerror(g_curl_init_result));
  }
  return std::unique_ptr<CurlTransport>(new CurlTransport());  // private constructor
}

CurlTransport::~CurlTransport() = default;

CurlTransport::Handle CurlTransport::Borrow() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      Handle handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return Handle(curl_easy_init());
}

void CurlTransport::Return(Handle handle) {
  const std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(std::move(handle));
  }
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request,
                                         const TransportOptions& options) {
  if (request.method.empty() || HasCrOrLf(request.method) ||
      request.method.find(' ') != std::string::npos) {
    return InvalidArgumentError("HTTP method " + Quote(request.method) + " is not a token");
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || HasCrOrLf(name) || HasCrOrLf(value) ||
        name.find(':') != std::string::npos) {
      // Name the header but never show the value (it may be a credential).
      return InvalidArgumentError(Describe(request) + ": header " + Quote(name) +
                                  " has an invalid name or a CR/LF in its value");
    }
  }

  Handle handle = Borrow();
  if (handle == nullptr) {
    return InternalError("curl_easy_init failed");
  }
  CURL* curl = handle.get();
  // Reset options from the previous request; the connection cache survives, which is the point.
  curl_easy_reset(curl);

  ResponseSink sink;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  const std::string url = request.Url();
  Slist headers = BuildHeaders(request);

  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // several threads; no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (!request.body.empty() || MethodAlwaysHasBody(request.method)) {
    // POSTFIELDS sends the body with a Content-Length (0 included); CUSTOMREQUEST then replaces
    // the "POST" verb. The body is not copied: `request` outlives the transfer.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    if (request.method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  } else if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);

  long connects = 0;
  if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
    connections_opened_.fetch_add(static_cast<uint64_t>(connects));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

  // Drop pointers into this call's locals before the handle can be borrowed again.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  Return(std::move(handle));

  if (code != CURLE_OK) {
    return CurlError(request, code, error_buffer.data());
  }
  sink.response.status = static_cast<int>(status);
  return std::move(sink.response);
}

}  // namespace asr::aws
