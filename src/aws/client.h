#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/model.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/status.h"

namespace asr::aws {

struct ClientOptions {
  std::string region;  // default region for calls (AWS_REGION)
  EndpointOverrides endpoints;
  RetryOptions retry;
  TransportOptions transport;
  std::string user_agent = "asr/0.1.0";
};

// What one finished call did, for audit journals and tests: reported once per Call (after the
// last attempt), success or not.
struct CallEvent {
  std::string_view service;
  std::string_view operation;
  std::string_view region;
  int attempts = 0;
  int http_status = 0;                   // of the last attempt; 0 when no response arrived
  std::string request_id;                // of the last attempt, when the service sent one
  Status status;                         // OK, or the error Call returns
  std::chrono::milliseconds latency{0};  // from the first attempt to the end
};

// Receives a CallEvent for every call made with it. Must be thread-safe when shared by calls on
// several threads.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void OnCall(const CallEvent& event) = 0;
};

struct CallOptions {
  std::string region;  // overrides ClientOptions::region when not empty
  // Overrides the client's credentials provider for this call (e.g. an assumed role).
  CredentialsProvider* credentials = nullptr;
  // Told about the call once it has finished (borrowed; may be null).
  CallObserver* observer = nullptr;
};

// The model-driven AWS client: `Call("s3", "PutPublicAccessBlock", params)` with boto3-shaped JSON
// params, returning boto3-shaped JSON. Resolves the endpoint, validates and serializes from the
// service model, signs (SigV4), sends through the Transport with standard-mode retries, and
// parses the response or the error (a Status carrying the AWS error code and request id).
// Logs one debug line per attempt (service, operation, HTTP status, request id, latency) and
// never logs credentials or signed headers. Borrows everything it is given. Thread-safe.
class Client final {
 public:
  Client(Transport& transport, CredentialsProvider& credentials, const ModelRegistry& models,
         const Clock& clock, Sleeper& sleeper, Random& random, const Logger* logger,
         ClientOptions options);

  Result<nlohmann::json> Call(std::string_view service, std::string_view operation,
                              const nlohmann::json& params, const CallOptions& options = {});

  // Calls the operation page by page following its paginator, handing each page to `on_page`;
  // stops early when `on_page` returns an error (which is returned). InvalidArgument when the
  // operation has no paginator.
  Status Paginate(std::string_view service, std::string_view operation,
                  const nlohmann::json& params,
                  const std::function<Status(const nlohmann::json& page)>& on_page,
                  const CallOptions& options = {});

  // All pages merged: result keys concatenated, other members from the last page.
  Result<nlohmann::json> PaginateAll(std::string_view service, std::string_view operation,
                                     const nlohmann::json& params, const CallOptions& options = {});

  // Polls a waiter from the model (waiters-2.json) until success, failure or `max_wait`.
  Status Wait(std::string_view service, std::string_view waiter, const nlohmann::json& params,
              std::chrono::seconds max_wait, const CallOptions& options = {});

  [[nodiscard]] const ClientOptions& options() const { return options_; }

 private:
  Transport& transport_;
  CredentialsProvider& credentials_;
  const ModelRegistry& models_;
  const Clock& clock_;
  Sleeper& sleeper_;
  Random& random_;
  const Logger* logger_;
  Result<nlohmann::json> CallOnce(std::string_view service, std::string_view operation,
                                  const nlohmann::json& params, const CallOptions& options,
                                  CallEvent& event);

  ClientOptions options_;
  RetryQuota quota_;
};

// A minimal JMESPath subset used by paginators and waiters: field access "A.B", flatten "A[]",
// index "A[0]" / "A[-1]", and "length(expr)". Returns null when a step is missing.
Result<nlohmann::json> SearchPath(const nlohmann::json& data, std::string_view expression);

}  // namespace asr::aws
