#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "common/status.h"
#include "workflow/api.h"
#include "workflow/engine.h"

namespace asr::app {

// One `asr serve` per store: the engine keeps the active jobs in memory, so a second process
// on the same store would run them twice. An advisory lock on "<store>.lock", released by the
// kernel when the process dies (a crash never leaves it behind).
class StoreLock final {
 public:
  // FailedPrecondition when another process holds it; Unavailable when it can't be opened.
  static Result<std::unique_ptr<StoreLock>> Acquire(const std::string& store_path);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

class AwsRuntime;

// The engine over `store` with the configuration's routing, roles, limits and reports, wired to
// the runtime's AWS client and sessions and the built-in registry and catalogue. `options`
// carries what differs per caller (instance id, workers, failpoint); its home region defaults
// to the runtime's.
// Where the engine's reports go besides the outbox (all optional; borrowed).
struct EngineSinks {
  std::ostream* finding_log = nullptr;
  report::CloudWatchMetricsPublisher* cloudwatch_metrics = nullptr;
  report::CloudWatchLogsShipper* cloudwatch_logs = nullptr;
};

Result<std::unique_ptr<workflow::Engine>> OpenEngine(const Config& config, AwsRuntime& runtime,
                                                     store::Store& store,
                                                     report::MetricsRegistry& metrics,
                                                     workflow::EngineOptions options,
                                                     const EngineSinks& sinks = {});

// How the job commands (`asr jobs`, `approve`, `reject`, `undo JOB`) reach the engine.
struct EngineAccessFlags {
  std::string server;                   // --server URL; "" → $ASR_SERVER; "" → the local store
  std::string token_env = "ASR_TOKEN";  // environment variable holding the API token
  std::string store_path;               // --store; "" → store.path of the configuration
  std::string region;                   // for the local engine's AWS client (undo)
};

// An EngineApi for the job commands: a running server (HttpEngineClient) when a server URL is
// given, else the engine opened on the local store — which requires that no `asr serve` holds
// it (FailedPrecondition saying to use --server). Owns everything it needs.
class EngineAccess {
 public:
  virtual ~EngineAccess() = default;
  virtual workflow::EngineApi& api() = 0;
  // "http://..." or "store <path>", for messages.
  [[nodiscard]] virtual std::string where() const = 0;
};

Result<std::unique_ptr<EngineAccess>> OpenEngineAccess(const Config& config,
                                                       const EngineAccessFlags& flags);

}  // namespace asr::app
