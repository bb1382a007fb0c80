// `asr serve`: the engine, the outbox dispatcher and the HTTP API in one process, until SIGINT or
// SIGTERM.
#include "app/serve.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/aws_runtime.h"
#include "app/engine_access.h"
#include "aws/endpoints.h"
#include "catalog/catalog.h"
#include "common/strings.h"
#include "intake/metrics.h"
#include "intake/sqs_poller.h"
#include "intake/sweep.h"
#include "remediation/registry.h"
#include "report/cloudwatch.h"
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

  const intake::SqsPollerOptions sqs_options{.queue_url = serve.sqs_queue_url,
                                             .wait_seconds = serve.sqs_wait_seconds,
                                             .max_messages = serve.sqs_max_messages};
  if (!serve.sqs_queue_url.empty()) {
    if (Status s = intake::ValidateSqsPollerOptions(sqs_options); !s.ok()) {
      std::cerr << "asr serve: intake.sqs: " << s.message() << "\n";
      return 3;
    }
  }
  intake::SweepOptions sweep_options;
  sweep_options.region =
      serve.report.securityhub_region.empty() ? home_region : serve.report.securityhub_region;
  sweep_options.max_findings = static_cast<size_t>(serve.sweep_max_findings);
  sweep_options.interval = serve.sweep_interval;
  sweep_options.first_sweep =
      serve.sweep_on_start ? intake::FirstSweep::kAtStart : intake::FirstSweep::kAfterInterval;
  if (serve.sweep_interval.count() > 0) {
    if (Status s = intake::ValidateSweepOptions(sweep_options); !s.ok()) {
      std::cerr << "asr serve: intake.sweep: " << s.message() << "\n";
      return 3;
    }
  }

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
  if (Status s = intake::RegisterIntakeMetrics(*metrics); !s.ok()) {
    std::cerr << "asr serve: " << s.message() << "\n";
    return 3;
  }
  std::unique_ptr<report::CloudWatchMetricsPublisher> cloudwatch_metrics;
  if (serve.cloudwatch_metrics) {
    cloudwatch_metrics = std::make_unique<report::CloudWatchMetricsPublisher>(
        rt.clock(), report::CloudWatchMetricsOptions{.enhanced_metrics = serve.enhanced_metrics});
  }
  std::unique_ptr<report::CloudWatchLogsShipper> cloudwatch_logs;
  if (serve.cloudwatch_logs) {
    cloudwatch_logs = std::make_unique<report::CloudWatchLogsShipper>(
        report::CloudWatchLogsOptions{.log_group = serve.cloudwatch_log_group});
  }

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
      OpenEngine(config, rt, **store, *metrics, options,
                 {.finding_log = finding_log,
                  .cloudwatch_metrics = cloudwatch_metrics.get(),
                  .cloudwatch_logs = cloudwatch_logs.get()});
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

  // CloudWatch shipping: every metrics.interval_seconds, and once more at the end.
  const auto flush_cloudwatch = [&] {
    if (cloudwatch_metrics) {
      if (Status s = cloudwatch_metrics->Flush(rt.client(), home_region); !s.ok()) {
        rt.logger().Warn("cloudwatch metrics not sent; will retry", {{"error", s.ToString()}});
      }
    }
    if (cloudwatch_logs) {
      if (Status s = cloudwatch_logs->Flush(rt.client(), home_region); !s.ok()) {
        rt.logger().Warn("cloudwatch logs not sent; will retry", {{"error", s.ToString()}});
      }
    }
  };
  std::mutex wait_mu;
  std::condition_variable wait_cv;
  std::thread cloudwatch;
  if (cloudwatch_metrics || cloudwatch_logs) {
    cloudwatch = std::thread([&] {
      std::unique_lock wait_lock(wait_mu);
      while (!wait_cv.wait_for(wait_lock, serve.cloudwatch_interval,
                               [&] { return stopping.load(); })) {
        wait_lock.unlock();
        flush_cloudwatch();
        wait_lock.lock();
      }
    });
  }

  // Intake besides HTTP: the SQS poller and the Security Hub sweep.
  std::atomic<bool> stop_intake{false};
  const intake::IntakeDeps intake_deps{.engine = **engine,
                                       .client = rt.client(),
                                       .clock = rt.clock(),
                                       .sleeper = rt.sleeper(),
                                       .random = rt.random(),
                                       .logger = rt.logger(),
                                       .metrics = metrics.get()};
  std::unique_ptr<intake::SqsPoller> poller;
  std::thread poller_thread;
  if (!serve.sqs_queue_url.empty()) {
    poller = std::make_unique<intake::SqsPoller>(intake_deps, sqs_options);
    poller_thread = std::thread([&] { poller->Run(stop_intake); });
  }
  std::unique_ptr<intake::SecurityHubSweep> sweep;
  std::thread sweep_thread;
  if (serve.sweep_interval.count() > 0) {
    sweep = std::make_unique<intake::SecurityHubSweep>(intake_deps, sweep_options);
    sweep_thread = std::thread([&] { sweep->Run(stop_intake); });
  }

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
  // New work stops first (the SQS long poll may take up to intake.sqs.wait_seconds), then the
  // jobs' current steps finish, then the reports go out.
  stop_intake = true;
  if (poller_thread.joinable()) {
    poller_thread.join();
  }
  if (sweep_thread.joinable()) {
    sweep_thread.join();
  }
  (*http)->Stop();
  (*engine)->Stop();
  {
    std::lock_guard stop_lock(wait_mu);
    stopping = true;
  }
  wait_cv.notify_all();
  outbox.join();
  if (cloudwatch.joinable()) {
    cloudwatch.join();
  }
  (void)dispatcher.RunOnce();  // deliver what the last steps produced
  flush_cloudwatch();
  return 0;
}

}  // namespace asr::app
