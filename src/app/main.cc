// asr: Automated Security Response for AWS. Wires concrete objects together and dispatches the
// command line (DESIGN.md §2: only app/ constructs implementations and reads configuration).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "app/aws_runtime.h"
#include "app/config.h"
#include "app/engine_access.h"
#include "app/serve.h"
#include "catalog/catalog.h"
#include "cli/commands.h"
#include "common/strings.h"
#include "finding/finding.h"

namespace asr::app {
namespace {

constexpr std::string_view kVersion = "0.1.0";

// Reads a file (or stdin for "-"), refusing more than `limit` bytes so that a huge file can't
// exhaust memory; ParseEvent then reports the size problem precisely.
Result<std::string> ReadInput(const std::string& name, size_t limit) {
  std::string data;
  const auto read_from = [&](std::istream& in) {
    std::istreambuf_iterator<char> it(in);
    const std::istreambuf_iterator<char> end;
    while (it != end && data.size() <= limit) {
      data.push_back(*it);
      ++it;
    }
  };
  if (name == "-") {
    read_from(std::cin);
    return data;
  }
  std::ifstream in(name, std::ios::binary);
  if (!in) {
    return NotFoundError("cannot open " + Quote(name));
  }
  read_from(in);
  return data;
}

int ToInt(cli::ExitCode code) { return static_cast<int>(code); }

// "r-20261128T120000Z-1a2b3c": sortable by time, unique enough for one operator's records.
std::string NewRunId(const Clock& clock) {
  static std::mt19937_64 rng{std::random_device{}()};
  const std::string stamp = FormatRfc3339Millis(clock.Now());  // 2026-11-28T12:00:00.000Z
  std::string compact;
  for (char c : stamp.substr(0, 19)) {
    if (c != '-' && c != ':') {
      compact.push_back(c);
    }
  }
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%06llx",
                static_cast<unsigned long long>(rng() & 0xffffffULL));
  return "r-" + compact + "Z-" + suffix;
}

// A yes/no question on the terminal: only when stdin is a terminal and not the command's input.
std::optional<bool> AskOnTerminal(const std::string& question, bool stdin_is_input) {
  if (stdin_is_input || isatty(STDIN_FILENO) == 0) {
    return std::nullopt;
  }
  std::cerr << question << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    return false;
  }
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES";
}

int Run(int argc, char** argv) {
  CLI::App app{
      "asr — Automated Security Response for AWS.\n"
      "Takes Security Hub findings, decides which remediation fits each finding's control, and\n"
      "explains every decision. See README.md for configuration (asr.yaml)."};
  app.set_version_flag("--version", std::string(kVersion));
  app.require_subcommand(1);
  std::optional<std::string> config_path;
  app.add_option("-c,--config", config_path,
                 "Configuration file (default: $ASR_CONFIG, else ./asr.yaml, else built-in "
                 "safe defaults)");

  // explain
  CLI::App* explain = app.add_subcommand(
      "explain", "Show which remediation a finding or event would run, or why it would be skipped");
  std::string explain_input;
  bool explain_json = false;
  std::string explain_trigger;
  explain
      ->add_option("input", explain_input,
                   "EventBridge event, SQS message, ASR orchestrator input, or a bare ASFF/OCSF "
                   "finding (JSON file, or - for stdin)")
      ->required();
  explain->add_flag("--json", explain_json, "Print JSON instead of text");
  explain
      ->add_option("--trigger", explain_trigger,
                   "Explain as if triggered this way instead of by the event's own kind")
      ->check(CLI::IsMember({"automatic", "custom-action", "api-action"}));

  // controls
  CLI::App* controls =
      app.add_subcommand("controls", "List the playbooks' controls and their remediations");
  std::string controls_playbook;
  bool controls_json = false;
  controls->add_option("--playbook", controls_playbook,
                       "Only this playbook (SC, AFSBP, CIS120, CIS140, CIS300, PCI321, NIST80053)");
  controls->add_flag("--json", controls_json, "Print JSON instead of a table");

  // aws call
  CLI::App* aws_cmd = app.add_subcommand("aws", "Talk to AWS through asr's own client");
  aws_cmd->require_subcommand(1);
  CLI::App* aws_call = aws_cmd->add_subcommand(
      "call", "Call one AWS API operation with JSON parameters and print the JSON result");
  cli::AwsCallRequest call_request;
  std::string call_params;
  std::string call_region;
  std::string call_endpoint;
  std::vector<std::string> call_roles;
  std::string call_external_id;
  std::string call_session_name = "asr-cli";
  bool call_debug = false;
  aws_call->add_option("service", call_request.service, "Service, as boto3 names it (s3, ec2, ...)")
      ->required();
  aws_call->add_option("operation", call_request.operation, "Operation, e.g. GetCallerIdentity")
      ->required();
  aws_call->add_option("--params", call_params, "Parameters: a JSON object, or @FILE");
  aws_call->add_option("--region", call_region, "Region (default: $AWS_REGION)");
  aws_call->add_option("--endpoint-url", call_endpoint,
                       "Send to this endpoint (default: $AWS_ENDPOINT_URL_<SERVICE>, "
                       "$AWS_ENDPOINT_URL, else AWS)");
  aws_call->add_option("--assume-role", call_roles,
                       "Assume this role first; repeat to chain (admin → member → remediation)");
  aws_call->add_option("--external-id", call_external_id, "External id for --assume-role");
  aws_call->add_option("--session-name", call_session_name, "Role session name");
  aws_call->add_flag("--paginate", call_request.paginate, "Follow pagination and merge pages");
  aws_call->add_flag("--debug", call_debug, "Log each HTTP attempt to stderr (never secrets)");

  // remediate
  CLI::App* remediate = app.add_subcommand(
      "remediate",
      "Fix the findings in an event or finding file now: route, assume the member roles, plan, "
      "confirm, apply, verify");
  std::string remediate_input;
  bool remediate_dry_run = false;
  bool remediate_yes = false;
  bool remediate_json = false;
  std::vector<std::string> remediate_params;
  std::string remediate_record;
  std::string remediate_records_dir = "asr-records";
  std::string remediate_region;
  remediate
      ->add_option("input", remediate_input,
                   "EventBridge event, SQS message, or ASFF/OCSF finding (file, or - for stdin)")
      ->required();
  remediate->add_flag("--dry-run", remediate_dry_run,
                      "Only plan: read the resource and show the changes, change nothing");
  remediate->add_flag("-y,--yes", remediate_yes, "Apply without asking for confirmation");
  remediate->add_flag("--json", remediate_json, "Print the run records as JSON");
  remediate->add_option("--param", remediate_params,
                        "Override a remediation parameter: NAME=VALUE (JSON or text); repeatable");
  remediate->add_option("--record", remediate_record,
                        "Write the run record (input of `asr undo`) to this file");
  remediate->add_option("--records-dir", remediate_records_dir,
                        "Directory for run records (default: ./asr-records)");
  remediate->add_option("--region", remediate_region,
                        "Region for asr's own calls (default: $AWS_REGION); remediations run in "
                        "the finding's region");

  // undo
  CLI::App* undo = app.add_subcommand(
      "undo",
      "Restore what a remediation changed (reversible ones only): a run record of `asr "
      "remediate`, or an engine job id");
  std::string undo_record;
  bool undo_yes = false;
  bool undo_json = false;
  undo->add_option("record", undo_record,
                   "A run record file written by `asr remediate`, or a job id of `asr serve`")
      ->required();
  undo->add_flag("-y,--yes", undo_yes, "Undo without asking for confirmation");
  undo->add_flag("--json", undo_json, "Print JSON");

  // remediations
  CLI::App* remediations_cmd = app.add_subcommand(
      "remediations", "List the built-in remediations: controls, risk, reversibility, permissions");
  bool remediations_json = false;
  remediations_cmd->add_flag("--json", remediations_json, "Print JSON");

  // templates
  CLI::App* templates = app.add_subcommand("templates", "Print deployment templates");
  templates->require_subcommand(1);
  CLI::App* member_roles = templates->add_subcommand(
      "member-roles",
      "CloudFormation template (JSON) of the member-account roles, generated from the registry");
  cli::MemberRolesRequest roles_request;
  member_roles->add_option("--namespace", roles_request.remediation_namespace,
                           "Default of the Namespace parameter (3-9 of a-z0-9-)");
  member_roles->add_option("--admin-account", roles_request.admin_account,
                           "Default of the AdminAccountId parameter (where asr runs)");
  member_roles->add_option("--admin-role-name", roles_request.admin_role_name,
                           "Role asr runs as in the admin account (trusted by the member role)");
  member_roles->add_option("--member-role-name", roles_request.member_role_name,
                           "Name of the member role");

  // serve
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the engine: HTTP intake and API, durable jobs, limits, notifications (until SIGTERM)");
  ServeFlags serve_flags;
  serve->add_option("--listen", serve_flags.listen,
                    "Listen address host:port (default: server.listen, 127.0.0.1:8080)");
  serve->add_option("--store", serve_flags.store_path,
                    "SQLite store file (default: store.path, asr-data/asr.db)");
  serve->add_option("--region", serve_flags.region, "asr's own region (default: $AWS_REGION)");
  serve->add_option("--port-file", serve_flags.port_file,
                    "Write the bound port to this file once listening (for scripts)");

  // jobs, approve, reject (and undo JOB): a running server or the local store
  EngineAccessFlags access;
  const auto add_access = [&access](CLI::App* cmd) {
    cmd->add_option("--server", access.server,
                    "A running asr serve, e.g. http://127.0.0.1:8080 (default: $ASR_SERVER; "
                    "without one, the local store when no server holds it)");
    cmd->add_option("--token-env", access.token_env,
                    "Environment variable holding the API token (default: ASR_TOKEN)");
    cmd->add_option("--store", access.store_path, "Local store file (default: store.path)");
  };
  CLI::App* jobs_cmd = app.add_subcommand(
      "jobs", "List the engine's jobs (newest first), or show one with its plan and journal");
  cli::JobsRequest jobs_request;
  bool jobs_json = false;
  jobs_cmd->add_option("id", jobs_request.id, "Show this job in detail");
  jobs_cmd->add_option("--state", jobs_request.filter.state, "Only jobs in this state");
  jobs_cmd->add_option("--control", jobs_request.filter.control_id, "Only this control");
  jobs_cmd->add_option("--account", jobs_request.filter.account_id, "Only this account");
  jobs_cmd->add_option("--finding", jobs_request.filter.finding_id, "Only this finding id");
  jobs_cmd->add_flag("--active", jobs_request.filter.active_only, "Only jobs not finished");
  jobs_cmd->add_option("--before", jobs_request.filter.before_id, "Page: jobs older than this id");
  jobs_cmd->add_option("--limit", jobs_request.filter.limit, "At most this many (1-500)")
      ->check(CLI::Range(1, 500));
  jobs_cmd->add_flag("--json", jobs_json, "Print JSON");
  add_access(jobs_cmd);
  cli::JobActionRequest action_request;
  bool action_json = false;
  CLI::App* approve_cmd =
      app.add_subcommand("approve", "Approve a job waiting in AWAITING_APPROVAL (it then runs)");
  CLI::App* reject_cmd =
      app.add_subcommand("reject", "Reject a job waiting in AWAITING_APPROVAL (nothing changes)");
  for (CLI::App* cmd : {approve_cmd, reject_cmd}) {
    cmd->add_option("job", action_request.id, "The job id")->required();
    cmd->add_option("--comment", action_request.comment, "Why (kept in the journal)");
    cmd->add_flag("--json", action_json, "Print the job as JSON");
    add_access(cmd);
  }
  add_access(undo);

  // config check
  CLI::App* config_cmd = app.add_subcommand("config", "Work with the configuration");
  config_cmd->require_subcommand(1);
  CLI::App* config_check =
      config_cmd->add_subcommand("check", "Validate the configuration and print a summary");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : ToInt(cli::ExitCode::kUsage);
  }

  if (aws_call->parsed()) {
    if (!call_params.empty() && call_params.front() == '@') {
      Result<std::string> text = ReadInput(call_params.substr(1), 16 * 1024 * 1024);
      if (!text.ok()) {
        std::cerr << "asr aws call: --params: " << text.status().message() << "\n";
        return ToInt(cli::ExitCode::kUsage);
      }
      call_params = std::move(text).value();
    }
    call_request.params_json = call_params;
    Result<std::unique_ptr<AwsRuntime>> runtime =
        AwsRuntime::Create({.region = call_region,
                            .endpoint_url = call_endpoint,
                            .log_level = call_debug ? LogLevel::kDebug : LogLevel::kWarn});
    if (!runtime.ok()) {
      std::cerr << "asr aws call: " << runtime.status().message() << "\n";
      return ToInt(cli::ExitCode::kConfig);
    }
    aws::CallOptions options;
    std::unique_ptr<aws::CredentialsProvider> assumed;
    if (!call_roles.empty()) {
      assumed = (*runtime)->sessions().Chain(call_roles, call_external_id, call_session_name);
      options.credentials = assumed.get();
    }
    return ToInt(
        cli::RunAwsCall(call_request, (*runtime)->client(), options, std::cout, std::cerr));
  }

  const catalog::Catalog& catalog = catalog::Catalog::Builtin();
  const remediation::Registry& registry = remediation::Registry::Global();

  if (remediations_cmd->parsed()) {
    return ToInt(cli::RunRemediations(
        remediations_json ? cli::OutputFormat::kJson : cli::OutputFormat::kText, registry,
        std::cout));
  }
  if (member_roles->parsed()) {
    return ToInt(cli::RunMemberRolesTemplate(roles_request, registry, std::cout, std::cerr));
  }

  if (controls->parsed()) {
    cli::ControlsRequest request;
    if (!controls_playbook.empty()) {
      request.playbook = controls_playbook;
    }
    request.format = controls_json ? cli::OutputFormat::kJson : cli::OutputFormat::kText;
    return ToInt(cli::RunControls(request, catalog, std::cout, std::cerr));
  }

  Result<Config> config = ResolveConfig(config_path, catalog);
  if (!config.ok()) {
    std::cerr << "asr: configuration error: " << config.status().message() << "\n";
    return ToInt(cli::ExitCode::kConfig);
  }

  if (config_check->parsed()) {
    const routing::RoutingConfig& r = config->routing;
    std::cout << "configuration OK (" << config->source << ")\n";
    std::cout << "  playbooks:    ";
    for (size_t i = 0; i < r.playbooks.size(); ++i) {
      std::cout << (i > 0 ? ", " : "") << r.playbooks[i];
    }
    std::cout << "\n  default mode: " << routing::ControlModeName(r.default_mode) << "\n";
    for (const auto& [control, mode] : r.control_modes) {
      std::cout << "  control " << control << ": " << routing::ControlModeName(mode) << "\n";
    }
    std::cout << "  member role:  " << config->roles.member_role_name << "\n";
    std::cout << "  remediation roles: "
              << (config->roles.remediation_namespace.empty()
                      ? std::string("none (remediations run as the member role)")
                      : "SO0111-<Remediation>-" + config->roles.remediation_namespace)
              << "\n";
    const ServeConfig& sv = config->serve;
    std::cout << "  store:        " << sv.store_path << "\n";
    std::cout << "  listen:       " << sv.server.listen << " (" << sv.server.tokens.size()
              << " token(s)" << (sv.server.allow_anonymous_loopback ? ", anonymous loopback" : "")
              << ")\n";
    for (const server::Token& t : sv.server.tokens) {
      std::cout << "    token " << t.name << ": "
                << (t.role == workflow::Principal::Role::kOperator
                        ? "operator"
                        : (t.role == workflow::Principal::Role::kIntake ? "intake" : "viewer"))
                << "\n";
    }
    std::cout << "  notifications: "
              << (sv.report.topic_arn.empty() ? std::string("none (log only)")
                                              : sv.report.topic_arn)
              << "\n";
    std::cout << "  limits:       spacing "
              << static_cast<double>(sv.limits.account_region_spacing.count()) / 1000.0
              << " s, max running " << sv.limits.max_running << " (per account "
              << sv.limits.max_running_per_account << "), automatic per control per hour "
              << sv.limits.max_automatic_per_control_per_hour << "\n";
    std::cout << "  backends:     default "
              << routing::BackendName(config->routing.default_backend);
    for (const auto& [key, backend] : config->routing.backends) {
      std::cout << ", " << key << " " << routing::BackendName(backend);
    }
    std::cout << "\n";
    std::cout << "  intake:       POST /v1/events"
              << (sv.sqs_queue_url.empty() ? "" : ", SQS " + sv.sqs_queue_url)
              << (sv.sweep_interval.count() > 0
                      ? ", Security Hub sweep every " + std::to_string(sv.sweep_interval.count()) +
                            " h"
                      : "")
              << "\n";
    std::cout << "  alarms:       "
              << (!sv.alarms ? std::string("off")
                             : (sv.report.alarm_topic_arn.empty()
                                    ? std::string("evaluated (no alarm topic: /healthz only)")
                                    : "to " + sv.report.alarm_topic_arn))
              << "\n";
    std::cout << "  cloudwatch:   metrics " << (sv.cloudwatch_metrics ? "on" : "off") << ", logs "
              << (sv.cloudwatch_logs ? "to " + sv.cloudwatch_log_group : std::string("off"))
              << "\n";
    return ToInt(cli::ExitCode::kOk);
  }

  if (serve->parsed()) {
    return RunServe(*config, serve_flags);
  }

  std::error_code undo_ec;
  const bool undo_job = undo->parsed() && !std::filesystem::exists(undo_record, undo_ec);
  if (jobs_cmd->parsed() || approve_cmd->parsed() || reject_cmd->parsed() || undo_job) {
    Result<std::unique_ptr<EngineAccess>> engine = OpenEngineAccess(*config, access);
    if (!engine.ok()) {
      std::cerr << "asr: " << engine.status().message() << "\n";
      return ToInt(engine.status().code() == StatusCode::kInvalidArgument
                       ? cli::ExitCode::kUsage
                       : cli::ExitCode::kNotDone);
    }
    if (jobs_cmd->parsed()) {
      jobs_request.format = jobs_json ? cli::OutputFormat::kJson : cli::OutputFormat::kText;
      return ToInt(cli::RunJobs(jobs_request, (*engine)->api(), std::cout, std::cerr));
    }
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread exists.
    const char* user = std::getenv("USER");
    action_request.who = {.name = std::string("cli:") + (user != nullptr ? user : "unknown"),
                          .role = workflow::Principal::Role::kOperator};
    action_request.format =
        (action_json || undo_json) ? cli::OutputFormat::kJson : cli::OutputFormat::kText;
    if (undo_job) {
      if (!undo_yes) {
        const std::optional<bool> yes = AskOnTerminal(
            "Undo job " + undo_record + " (restore the resource's before-state)? [y/N] ", false);
        if (!yes.has_value() || !*yes) {
          std::cerr << "asr undo: not confirmed"
                    << (yes.has_value() ? "" : " (no terminal; pass --yes)") << "\n";
          return ToInt(cli::ExitCode::kNotDone);
        }
      }
      action_request.action = cli::JobAction::kUndo;
      action_request.id = undo_record;
    } else {
      action_request.action =
          approve_cmd->parsed() ? cli::JobAction::kApprove : cli::JobAction::kReject;
    }
    return ToInt(cli::RunJobAction(action_request, (*engine)->api(), std::cout, std::cerr));
  }

  if (remediate->parsed() || undo->parsed()) {
    const char* name = remediate->parsed() ? "asr remediate" : "asr undo";
    Result<std::unique_ptr<AwsRuntime>> runtime =
        AwsRuntime::Create({.region = remediate_region, .log_level = LogLevel::kWarn});
    if (!runtime.ok()) {
      std::cerr << name << ": " << runtime.status().message() << "\n";
      return ToInt(cli::ExitCode::kConfig);
    }
    const bool stdin_is_input = remediate->parsed() && remediate_input == "-";
    cli::RemediationEnv env{
        .client = (*runtime)->client(),
        .sessions = (*runtime)->sessions(),
        .clock = (*runtime)->clock(),
        .sleeper = (*runtime)->sleeper(),
        .logger = (*runtime)->logger(),
        .registry = registry,
        .roles = config->roles,
        .ask = [stdin_is_input](const std::string& q) { return AskOnTerminal(q, stdin_is_input); },
        .new_run_id = [&runtime]() { return NewRunId((*runtime)->clock()); }};
    if (undo->parsed()) {
      return ToInt(cli::RunUndo(
          {.record_path = undo_record,
           .format = undo_json ? cli::OutputFormat::kJson : cli::OutputFormat::kText,
           .confirmation = undo_yes ? cli::Confirmation::kAssumeYes : cli::Confirmation::kAsk},
          env, std::cout, std::cerr));
    }
    const finding::ParseOptions limits;
    Result<std::string> input = ReadInput(remediate_input, limits.max_bytes);
    if (!input.ok()) {
      std::cerr << "asr remediate: " << input.status().message() << "\n";
      return ToInt(cli::ExitCode::kInputRejected);
    }
    cli::RemediateRequest request;
    request.input = std::move(input).value();
    request.input_name = remediate_input == "-" ? "stdin" : remediate_input;
    request.format = remediate_json ? cli::OutputFormat::kJson : cli::OutputFormat::kText;
    request.mode = remediate_dry_run ? remediation::RunMode::kDryRun : remediation::RunMode::kApply;
    request.confirmation = remediate_yes ? cli::Confirmation::kAssumeYes : cli::Confirmation::kAsk;
    request.record_path = remediate_record;
    request.records_dir = remediate_records_dir;
    for (const std::string& p : remediate_params) {
      const size_t eq = p.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "asr remediate: --param " << Quote(p) << ": expected NAME=VALUE\n";
        return ToInt(cli::ExitCode::kUsage);
      }
      const std::string value = p.substr(eq + 1);
      nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
      request.overrides[p.substr(0, eq)] =
          parsed.is_discarded() ? nlohmann::json(value) : std::move(parsed);
    }
    return ToInt(cli::RunRemediate(request, config->routing, catalog, env, std::cout, std::cerr));
  }

  if (explain->parsed()) {
    const finding::ParseOptions limits;
    Result<std::string> input = ReadInput(explain_input, limits.max_bytes);
    if (!input.ok()) {
      std::cerr << "asr explain: " << input.status().message() << "\n";
      return ToInt(cli::ExitCode::kInputRejected);
    }
    cli::ExplainRequest request;
    request.input = std::move(input).value();
    request.input_name = explain_input == "-" ? "stdin" : explain_input;
    request.format = explain_json ? cli::OutputFormat::kJson : cli::OutputFormat::kText;
    if (!explain_trigger.empty()) {
      request.trigger = cli::ParseTrigger(explain_trigger);
    }
    request.config_source = config->source;
    return ToInt(cli::RunExplain(request, config->routing, catalog, std::cout, std::cerr));
  }
  return ToInt(cli::ExitCode::kUsage);
}

}  // namespace
}  // namespace asr::app

int main(int argc, char** argv) {
  try {
    return asr::app::Run(argc, argv);
  } catch (const std::exception& e) {
    // Our code doesn't throw; this catches the standard library's (e.g. bad_alloc).
    std::cerr << "asr: internal error: " << e.what() << "\n";
    return static_cast<int>(asr::cli::ExitCode::kInternal);
  }
}
