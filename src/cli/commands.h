#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "aws/client.h"
#include "catalog/catalog.h"
#include "routing/config.h"
#include "routing/routing.h"

namespace asr::cli {

// Process exit codes, documented in README.md ("Exit codes").
enum class ExitCode : int {
  kOk = 0,             // done (for explain: every finding explained, whatever the decision)
  kInputRejected = 1,  // the input event/finding is invalid
  kUsage = 2,          // bad command line
  kConfig = 3,         // the configuration is invalid or unreadable
  kInternal = 4,       // a bug or an unexpected environment problem
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

// Parses "automatic" | "custom-action" | "api-action".
std::optional<routing::Trigger> ParseTrigger(std::string_view text);

}  // namespace asr::cli
