#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "workflow/api.h"

namespace asr::server {

struct ClientOptions {
  std::string url = "http://127.0.0.1:8080";  // the server's base URL (http only)
  std::string token;                          // sent as "Authorization: Bearer <token>"
  int timeout_seconds = 60;
};

// A running `asr serve` as an EngineApi (what `asr jobs`, `asr approve`, ... use with --server).
// Answers are the server's JSON; HTTP errors come back as the Status the server mapped them
// from (404 → NotFound, 409 → FailedPrecondition, 401 → PermissionDenied naming the token
// problem, ...), with the server's message; an unreachable server is Unavailable naming the URL.
// The principal passed to the methods is ignored: the server acts as the token's owner.
// Thread-safe (one connection per request).
class HttpEngineClient final : public workflow::EngineApi {
 public:
  // InvalidArgument when the URL is not "http://host[:port]".
  static Result<std::unique_ptr<HttpEngineClient>> Create(const ClientOptions& options);

  Result<workflow::SubmitResult> Submit(std::string_view body,
                                        const workflow::SubmitOptions& options) override;
  Result<nlohmann::json> ListJobs(const workflow::JobFilter& filter) override;
  Result<nlohmann::json> GetJob(const std::string& id) override;
  Result<nlohmann::json> Approve(const std::string& id, const workflow::Principal& who,
                                 const std::string& comment) override;
  Result<nlohmann::json> Reject(const std::string& id, const workflow::Principal& who,
                                const std::string& comment) override;
  Result<nlohmann::json> Undo(const std::string& id, const workflow::Principal& who) override;
  Result<nlohmann::json> Controls() override;
  Result<nlohmann::json> SetControlMode(const std::string& control, std::string_view mode,
                                        const workflow::Principal& who) override;
  Result<nlohmann::json> SetKillSwitch(bool engaged, const workflow::Principal& who) override;
  nlohmann::json Health(bool& ok) override;
  std::string MetricsText() override;

 private:
  explicit HttpEngineClient(ClientOptions options, std::string host, int port)
      : options_(std::move(options)), host_(std::move(host)), port_(port) {}
  Result<std::string> Send(const std::string& method, const std::string& path,
                           const std::string& body);
  Result<nlohmann::json> SendJson(const std::string& method, const std::string& path,
                                  const nlohmann::json& body);

  ClientOptions options_;
  std::string host_;
  int port_;
};

}  // namespace asr::server
