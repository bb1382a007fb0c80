// `asr serve`: the engine, the outbox dispatcher and the HTTP API in one process, until SIGINT or
// SIGTERM.
#include "app/serve.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/aws_runtime.h"
#include "app/engine_access.h"
#include "aws/endpoints.h"
#include "catalog/catalog.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "report/metrics.h"
#include "report/outbox.h"
#include "server/server.h"
#include "store/store.h"
#include "workflow/engine.h"

namespace asr::app {
namespace {

std::string InstanceId() {
  char host[64] = {};
  ::gethostname(host, sizeof(host) - 1);
  return std::string("w-") + host + "-" + std::to_string(::getpid());
}

}  // namespace

int RunServe(const Config& config, const ServeFlags& flags) {
  // Signals are taken by sigwait below; block them before any thread exists so that every
  // thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ServeConfig serve = config.serve;
  if (!serve.missing_token_secrets.empty()) {
    std::cerr << "asr serve: " << config.source << ": " << serve.missing_token_secrets.front()
              << "\n";
    return 3;
  }
  if (!flags.listen.empty()) {
    serve.server.listen = flags.listen;
  }
  if (!flags.store_path.empty()) {
    serve.store_path = flags.store_path;
  }
  Result<std::unique_ptr<AwsRuntime>> runtime =
      AwsRuntime::Create({.region = flags.region, .log_level = LogLevel::kInfo});
  if (!runtime.ok()) {
    std::cerr << "asr serve: " << runtime.status().message() << "\n";
    return 3;
  }
  AwsRuntime& rt = **runtime;
  const std::string home_region =
      serve.home_region.empty() ? rt.client().options().region : serve.home_region;

  std::error_code ec;
  const std::filesystem::path store_path(serve.store_path);
  if (store_path.has_parent_path()) {
    std::filesystem::create_directories(store_path.parent_path(), ec);
  }
  Result<std::unique_ptr<StoreLock>> lock = StoreLock::Acquire(serve.store_path);
  if (!lock.ok()) {
    std::cerr << "asr serve: " << lock.status().message() << "\n";
    return 3;
  }
  Result<std::unique_ptr<store::Store>> store = store::OpenSqliteStore({.path = serve.store_path});
  if (!store.ok()) {
    std::cerr << "asr serve: " << store.status().message() << "\n";
    return 3;
  }
  std::unique_ptr<report::MetricsRegistry> metrics = report::NewAsrMetrics();

  std::unique_ptr<std::ofstream> log_file;
  std::ostream* finding_log = nullptr;
  if (serve.finding_log == "stdout") {
    finding_log = &std::cout;
  } else if (serve.finding_log != "off" && !serve.finding_log.empty()) {
    log_file = std::make_unique<std::ofstream>(serve.finding_log, std::ios::app);
    if (!*log_file) {
      std::cerr << "asr serve: logs.findings: cannot open " << Quote(serve.finding_log) << "\n";
      return 3;
    }
    finding_log = log_file.get();
  }

  workflow::EngineOptions options;
  options.instance_id = InstanceId();
  options.home_region = home_region;
  options.workers = serve.workers;
  options.kill_switch = serve.kill_switch;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread exists.
  if (const char* fp = std::getenv("ASR_TEST_FAILPOINT"); fp != nullptr) {
    options.failpoint = fp;
  }
  Result<std::unique_ptr<workflow::Engine>> engine =
      OpenEngine(config, rt, **store, *metrics, options, finding_log);
  if (!engine.ok()) {
    std::cerr << "asr serve: " << engine.status().message() << "\n";
    return 3;
  }
  Result<std::unique_ptr<server::HttpServer>> http =
      server::HttpServer::Create(**engine, serve.server, rt.logger());
  if (!http.ok()) {
    std::cerr << "asr serve: " << http.status().message() << "\n";
    return 3;
  }
  if (Status s = (*http)->Start(); !s.ok()) {
    std::cerr << "asr serve: " << s.message() << "\n";
    return 3;
  }
  report::OutboxDispatcher dispatcher(**store, rt.client(), rt.clock(), rt.logger(),
                                      {.metrics = metrics.get()});
  (*engine)->Start();
  std::atomic<bool> stopping{false};
  std::thread outbox([&] {
    while (!stopping) {
      Result<size_t> delivered = dispatcher.RunOnce();
      if (!delivered.ok()) {
        rt.logger().Error("outbox", {{"error", delivered.status().ToString()}});
      }
      if (!delivered.ok() || *delivered == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  });

  const std::string host = serve.server.listen.substr(0, serve.server.listen.rfind(':'));
  std::cout << "asr serve: listening on http://" << host << ":" << (*http)->port() << " (store "
            << serve.store_path << ", region " << home_region << ")" << std::endl;
  if (!flags.port_file.empty()) {
    std::ofstream(flags.port_file + ".tmp") << (*http)->port() << "\n";
    std::filesystem::rename(flags.port_file + ".tmp", flags.port_file, ec);
  }
  if (serve.server.tokens.empty() && !serve.server.allow_anonymous_loopback) {
    std::cerr << "asr serve: no server.tokens configured: the API answers 401 until you add "
                 "one (see README \"Running the engine\")\n";
  }

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "asr serve: stopping (signal " << sig << ")\n";
  (*http)->Stop();
  (*engine)->Stop();
  stopping = true;
  outbox.join();
  (void)dispatcher.RunOnce();  // deliver what the last steps produced
  return 0;
}

}  // namespace asr::app
