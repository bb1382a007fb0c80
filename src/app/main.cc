// asr: Automated Security Response for AWS. Wires concrete objects together and dispatches the
// command line (DESIGN.md §2: only app/ constructs implementations and reads configuration).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "app/aws_runtime.h"
#include "app/config.h"
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
    if (!call_roles.empty()) {
      options.credentials =
          &(*runtime)->AssumeRoleChain(call_roles, call_external_id, call_session_name);
    }
    return ToInt(
        cli::RunAwsCall(call_request, (*runtime)->client(), options, std::cout, std::cerr));
  }

  const catalog::Catalog& catalog = catalog::Catalog::Builtin();

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
    return ToInt(cli::ExitCode::kOk);
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
