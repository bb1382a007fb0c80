#pragma once

#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/retry.h"
#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/registry.h"
#include "remediation/roles.h"
#include "remediation/runner.h"
#include "remediation/sessions.h"
#include "routing/config.h"
#include "routing/routing.h"
#include "workflow/api.h"

namespace asr::cli {

// Process exit codes, documented in README.md ("Exit codes").
enum class ExitCode : int {
  kOk = 0,             // done (for explain: every finding explained, whatever the decision)
  kInputRejected = 1,  // the input event/finding is invalid
  kUsage = 2,          // bad command line
  kConfig = 3,         // the configuration is invalid or unreadable
  kInternal = 4,       // a bug or an unexpected environment problem
  // remediate/undo: something was not done — a finding skipped, a plan declined, a remediation
  // failed or found still non-compliant, an undo refused.
  kNotDone = 5,
};

enum class OutputFormat { kText, kJson };

struct ExplainRequest {
  std::string input;       // the event or finding JSON text
  std::string input_name;  // file name or "-" (stdin), for messages
  OutputFormat format = OutputFormat::kText;
  // Overrides the trigger implied by the event (e.g. explain an Imported finding as if a person
  // had used the custom action).
  std::optional<routing::Trigger> trigger;
  std::string config_source;  // shown in the output
};

// `asr explain`: parses the input, routes every finding and prints the route or the reason.
// Writes results to `out` and input errors to `err`.
ExitCode RunExplain(const ExplainRequest& request, const routing::RoutingConfig& config,
                    const catalog::Catalog& catalog, std::ostream& out, std::ostream& err);

struct ControlsRequest {
  std::optional<std::string> playbook;  // playbook id filter, case-insensitive
  OutputFormat format = OutputFormat::kText;
};

// `asr controls`: the catalogue as a table (or JSON).
ExitCode RunControls(const ControlsRequest& request, const catalog::Catalog& catalog,
                     std::ostream& out, std::ostream& err);

struct AwsCallRequest {
  std::string service;      // boto3 name: "s3", "ec2", "securityhub"
  std::string operation;    // API name: "PutPublicAccessBlock"
  std::string params_json;  // a JSON object, "" for none
  bool paginate = false;    // follow the operation's paginator and merge the pages
};

// `asr aws call`: one AWS API call through the model-driven client; prints the JSON result.
// Exit 1 with the AWS error (code, message, request id) when the call fails.
ExitCode RunAwsCall(const AwsCallRequest& request, aws::Client& client,
                    const aws::CallOptions& options, std::ostream& out, std::ostream& err);

using MemberSessions = remediation::MemberSessions;

// What remediate and undo need from the outside world (wired by app/).
struct RemediationEnv {
  aws::Client& client;
  MemberSessions& sessions;
  const Clock& clock;
  aws::Sleeper& sleeper;
  const Logger& logger;
  const remediation::Registry& registry;
  remediation::RoleOptions roles;
  // Asks a person a yes/no question; nullopt when no one can be asked (no terminal).
  std::function<std::optional<bool>(const std::string& question)> ask;
  // A fresh run id ("r-20261128T120000Z-1a2b3c").
  std::function<std::string()> new_run_id;
};

enum class Confirmation { kAsk, kAssumeYes };

struct RemediateRequest {
  std::string input;       // the event or finding JSON text
  std::string input_name;  // file name or "-"
  OutputFormat format = OutputFormat::kText;
  remediation::RunMode mode = remediation::RunMode::kApply;
  Confirmation confirmation = Confirmation::kAsk;
  nlohmann::json overrides = nlohmann::json::object();  // --param NAME=VALUE
  // Where to write each record: a file (one finding) or "" for records_dir/<run id>.json.
  std::string record_path;
  std::string records_dir = "asr-records";
};

// `asr remediate`: parse → route (a person's request) → assume the member roles → plan → show →
// confirm → apply → verify, for every finding in the input. Writes a record of every run that
// changed or tried to change something (the input of `asr undo`). Exit 0 when every finding
// ended SUCCESS, ALREADY_COMPLIANT or DRY_RUN; 5 (kNotDone) when any was skipped, declined or
// failed; 1 for bad input.
ExitCode RunRemediate(const RemediateRequest& request, const routing::RoutingConfig& config,
                      const catalog::Catalog& catalog, RemediationEnv& env, std::ostream& out,
                      std::ostream& err);

struct UndoRequest {
  std::string record_path;
  OutputFormat format = OutputFormat::kText;
  Confirmation confirmation = Confirmation::kAsk;
};

// `asr undo RECORD`: restores the before-state of a SUCCESS run of a reversible remediation and
// rewrites the record as UNDONE (so a second undo is refused).
ExitCode RunUndo(const UndoRequest& request, RemediationEnv& env, std::ostream& out,
                 std::ostream& err);

// `asr remediations`: the registry (id, controls, risk, reversible, permissions, parameters).
ExitCode RunRemediations(OutputFormat format, const remediation::Registry& registry,
                         std::ostream& out);

struct MemberRolesRequest {
  std::string remediation_namespace;  // "" → the template takes it as a parameter
  std::string admin_account;          // "" → the template takes it as a parameter
  std::string admin_role_name = "SO0111-ASR-Orchestrator-Admin";
  std::string member_role_name = "SO0111-ASR-Orchestrator-Member";
};

// `asr templates member-roles`: the CloudFormation template (JSON) of the member-account roles.
ExitCode RunMemberRolesTemplate(const MemberRolesRequest& request,
                                const remediation::Registry& registry, std::ostream& out,
                                std::ostream& err);

struct JobsRequest {
  std::string id;  // "" → list with `filter`; else that job in detail (with its journal)
  workflow::JobFilter filter;
  OutputFormat format = OutputFormat::kText;
};

// `asr jobs [ID]`: the engine's jobs (newest first) or one job with its plan, reports and
// journal. Exit 5 when the job does not exist.
ExitCode RunJobs(const JobsRequest& request, workflow::EngineApi& engine, std::ostream& out,
                 std::ostream& err);

enum class JobAction { kApprove, kReject, kUndo };

struct JobActionRequest {
  JobAction action = JobAction::kApprove;
  std::string id;
  std::string comment;
  workflow::Principal who;
  OutputFormat format = OutputFormat::kText;
};

// `asr approve|reject JOB`, `asr undo JOB`: exit 5 when the job is not in a state that allows
// it (the message says which state it is in).
ExitCode RunJobAction(const JobActionRequest& request, workflow::EngineApi& engine,
                      std::ostream& out, std::ostream& err);

// Parses "automatic" | "custom-action" | "api-action".
std::optional<routing::Trigger> ParseTrigger(std::string_view text);

}  // namespace asr::cli
