#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "aws/http.h"
#include "common/status.h"

namespace asr::aws {

// A Transport over libcurl.
//
// Requests go out exactly as given: method, headers (in order) and body. libcurl's own additions
// are suppressed (no "Expect: 100-continue", no automatic Content-Type or Accept); Content-Length
// is set from the body for every request that has one, and for PUT/POST/PATCH even when it is
// empty. Responses carry the status, every header of the final response (interim 1xx responses
// are dropped) and the body.
//
// TLS peer and host verification are always on. Proxies come from the environment as libcurl
// reads them (http_proxy, https_proxy, no_proxy, ...). Redirects are not followed.
//
// Connections are reused: finished easy handles go back to a pool and keep their connection
// cache, so consecutive requests to one endpoint share one TCP/TLS connection.
//
// Errors from Send: Unavailable (retryable) for connection failures, timeouts and broken
// transfers, with libcurl's message; Unavailable (not retryable) for TLS verification failures;
// InvalidArgument for a request that cannot be sent (bad URL, CR/LF in a header). Messages name
// the method, host and path, never the query string or header values.
//
// Thread-safe.
class CurlTransport final : public Transport {
 public:
  // Initialises libcurl once per process. Internal when libcurl cannot be initialised.
  static Result<std::unique_ptr<CurlTransport>> Create();

  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request, const TransportOptions& options) override;

  // Connections opened so far by all requests (sum of CURLINFO_NUM_CONNECTS). For benchmarks and
  // tests that prove connection reuse.
  [[nodiscard]] uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  struct HandleDeleter {
    void operator()(void* handle) const;
  };
  // A CURL* easy handle (libcurl's CURL is void).
  using Handle = std::unique_ptr<void, HandleDeleter>;

  CurlTransport() = default;

  // Takes an idle handle from the pool, or creates one; null when libcurl can't.
  Handle Borrow();
  // Puts a handle back for reuse (or frees it when the pool is full).
  void Return(Handle handle);

  std::mutex mu_;
  std::vector<Handle> idle_;  // guarded by mu_; most recently used last
  std::atomic<uint64_t> connections_opened_{0};
};

}  // namespace asr::aws
