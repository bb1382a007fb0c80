#include "app/engine_access.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "app/aws_runtime.h"
#include "aws/endpoints.h"
#include "catalog/catalog.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "report/metrics.h"
#include "server/client.h"
#include "store/store.h"
#include "workflow/engine.h"

namespace asr::app {

Result<std::unique_ptr<StoreLock>> StoreLock::Acquire(const std::string& store_path) {
  const std::string path = store_path + ".lock";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    return UnavailableError("cannot open " + Quote(path));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return FailedPreconditionError("an asr serve is using the store " + Quote(store_path) +
                                   " (lock " + Quote(path) + ")");
  }
  return std::unique_ptr<StoreLock>(new StoreLock(fd));
}

StoreLock::~StoreLock() { ::close(fd_); }

Result<std::unique_ptr<workflow::Engine>> OpenEngine(const Config& config, AwsRuntime& runtime,
                                                     store::Store& store,
                                                     report::MetricsRegistry& metrics,
                                                     workflow::EngineOptions options,
                                                     const EngineSinks& sinks) {
  if (options.home_region.empty()) {
    options.home_region = config.serve.home_region.empty() ? runtime.client().options().region
                                                           : config.serve.home_region;
  }
  options.partition = aws::PartitionForRegion(options.home_region).id;
  options.limits = config.serve.limits;
  options.report = config.serve.report;
  options.roles = config.roles;
  options.ssm_poll = config.serve.ssm_poll_interval;
  options.ssm_timeout = config.serve.ssm_timeout;
  options.alarms.enabled = config.serve.alarms;
  options.alarms.failure_threshold_percent = config.serve.alarm_failure_threshold_percent;
  options.alarms.executions_per_day = static_cast<int>(config.serve.alarm_executions_per_day);
  return workflow::Engine::Open({.store = store,
                                 .client = runtime.client(),
                                 .sessions = runtime.sessions(),
                                 .registry = remediation::Registry::Global(),
                                 .catalog = catalog::Catalog::Builtin(),
                                 .clock = runtime.clock(),
                                 .sleeper = runtime.sleeper(),
                                 .logger = runtime.logger(),
                                 .metrics = metrics,
                                 .finding_log = sinks.finding_log,
                                 .cloudwatch_metrics = sinks.cloudwatch_metrics,
                                 .cloudwatch_logs = sinks.cloudwatch_logs},
                                config.routing, options);
}

namespace {

class RemoteAccess final : public EngineAccess {
 public:
  explicit RemoteAccess(std::unique_ptr<server::HttpEngineClient> client, std::string url)
      : client_(std::move(client)), url_(std::move(url)) {}
  workflow::EngineApi& api() override { return *client_; }
  [[nodiscard]] std::string where() const override { return url_; }

 private:
  std::unique_ptr<server::HttpEngineClient> client_;
  std::string url_;
};

class LocalAccess final : public EngineAccess {
 public:
  workflow::EngineApi& api() override { return *engine; }
  [[nodiscard]] std::string where() const override { return "store " + path; }

  std::string path;
  std::unique_ptr<StoreLock> lock;
  std::unique_ptr<AwsRuntime> runtime;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<report::MetricsRegistry> metrics;
  std::unique_ptr<workflow::Engine> engine;  // last: destroyed first
};

std::string Env(const std::string& name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread exists.
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? "" : v;
}

}  // namespace

Result<std::unique_ptr<EngineAccess>> OpenEngineAccess(const Config& config,
                                                       const EngineAccessFlags& flags) {
  std::string url = flags.server.empty() ? Env("ASR_SERVER") : flags.server;
  if (!url.empty()) {
    ASR_ASSIGN_OR_RETURN(
        std::unique_ptr<server::HttpEngineClient> client,
        server::HttpEngineClient::Create({.url = url, .token = Env(flags.token_env)}));
    return std::unique_ptr<EngineAccess>(new RemoteAccess(std::move(client), url));
  }
  auto local = std::make_unique<LocalAccess>();
  local->path = flags.store_path.empty() ? config.serve.store_path : flags.store_path;
  std::error_code ec;
  if (!std::filesystem::exists(local->path, ec)) {
    return NotFoundError("no store at " + Quote(local->path) +
                         " (start the engine with `asr serve`, or pass --server URL)");
  }
  Result<std::unique_ptr<StoreLock>> lock = StoreLock::Acquire(local->path);
  if (!lock.ok()) {
    return FailedPreconditionError(
        lock.status().message() + "; talk to it instead: --server http://" +
        config.serve.server.listen + " (token in $" + flags.token_env + ")");
  }
  local->lock = std::move(*lock);
  std::string region = flags.region;
  if (region.empty() && Env("AWS_REGION").empty() && Env("AWS_DEFAULT_REGION").empty()) {
    region = config.serve.home_region.empty() ? "us-east-1" : config.serve.home_region;
  }
  ASR_ASSIGN_OR_RETURN(local->runtime,
                       AwsRuntime::Create({.region = region, .log_level = LogLevel::kWarn}));
  ASR_ASSIGN_OR_RETURN(local->store, store::OpenSqliteStore({.path = local->path}));
  local->metrics = report::NewAsrMetrics();
  workflow::EngineOptions options;
  options.instance_id = "cli-" + std::to_string(::getpid());
  ASR_ASSIGN_OR_RETURN(
      local->engine, OpenEngine(config, *local->runtime, *local->store, *local->metrics, options));
  return std::unique_ptr<EngineAccess>(std::move(local));
}

}  // namespace asr::app
