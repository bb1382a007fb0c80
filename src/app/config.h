#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "common/status.h"
#include "remediation/roles.h"
#include "routing/config.h"
#include "server/server.h"
#include "workflow/engine.h"

namespace asr::app {

// What `asr serve` needs beyond routing (asr.yaml `store`, `server`, `engine`, `limits`,
// `notifications`, `securityhub`, `logs`, `metrics`, `alarms`, `intake`, `ssm`).
struct ServeConfig {
  std::string store_path = "asr-data/asr.db";  // store.path
  server::ServerOptions server;                // server.*
  // Tokens whose secret_env variable is unset ("server.tokens[0].secret_env: ..."): an error
  // for `asr serve` only, so that other commands work without the secrets.
  std::vector<std::string> missing_token_secrets;
  int workers = 4;                     // engine.workers
  std::string home_region;             // engine.home_region; "" → the AWS region (AWS_REGION)
  bool kill_switch = false;            // engine.kill_switch (the runtime setting wins once set)
  workflow::LimitOptions limits;       // limits.*
  workflow::ReportOptions report;      // notifications.*, securityhub.*
  std::string finding_log = "stdout";  // logs.findings: "stdout", "off" or a file path
  // logs.cloudwatch / logs.cloudwatch_group: ship the finding log lines to CloudWatch Logs.
  bool cloudwatch_logs = false;
  std::string cloudwatch_log_group = "SO0111-ASR";
  // metrics.cloudwatch / metrics.enhanced / metrics.interval_seconds: PutMetricData in
  // namespace ASR (spec §e.5); `enhanced` adds the per-control dimension set.
  bool cloudwatch_metrics = false;
  bool enhanced_metrics = true;
  std::chrono::seconds cloudwatch_interval{60};
  // alarms.*: evaluated in the engine (spec §e.6), notifying notifications.alarm_topic_arn.
  bool alarms = true;
  double alarm_failure_threshold_percent = 5;
  int64_t alarm_executions_per_day = 0;  // 0: that alarm is off
  // intake.sqs.*: the SQS poller (EventBridge rule → queue → asr); empty queue_url → off.
  std::string sqs_queue_url;
  int sqs_wait_seconds = 20;
  int sqs_max_messages = 10;
  // intake.sweep.*: the Security Hub sweep; interval 0 → off.
  std::chrono::hours sweep_interval{0};
  bool sweep_on_start = false;
  int64_t sweep_max_findings = 1000;
  // ssm.*: the ssm backend's polling (spec §b.4: every 10 s; the reference's state machine
  // gives up after 23 h).
  std::chrono::seconds ssm_poll_interval{10};
  std::chrono::seconds ssm_timeout{std::chrono::hours(23)};
};

// The whole asr configuration (asr.yaml). Grows with the engine; every key is validated at load.
struct Config {
  routing::RoutingConfig routing;
  // roles: member_role, namespace, external_id — how asr reaches member accounts.
  remediation::RoleOptions roles;
  ServeConfig serve;
  // Where the configuration came from: a file path, or "built-in defaults".
  std::string source = "built-in defaults";
};

// Parses and validates asr.yaml text. `source_name` prefixes error messages
// ("asr.yaml:12:5: filters.accounts.include[0]: ..."). Unknown keys are errors, so a typo
// never silently turns a safety setting off.
Result<Config> ParseConfigYaml(std::string_view yaml_text, std::string_view source_name,
                               const catalog::Catalog& catalog);

// Reads and parses a file. NotFound when it does not exist.
Result<Config> LoadConfigFile(const std::string& path, const catalog::Catalog& catalog);

// Resolves which configuration to use: `explicit_path` (from --config) if given; else the
// ASR_CONFIG environment variable; else ./asr.yaml when it exists; else the safe defaults
// (SC playbook, every control manual, no filters).
Result<Config> ResolveConfig(const std::optional<std::string>& explicit_path,
                             const catalog::Catalog& catalog);

}  // namespace asr::app
