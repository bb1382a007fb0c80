#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "catalog/catalog.h"
#include "finding/finding.h"
#include "routing/config.h"

namespace asr::routing {

// What started the decision. Automatic triggers are held to stricter gates than a person's
// request (spec §a "Finding Workflow State NEW?").
enum class Trigger {
  kAutomatic,     // Security Hub "Imported" events, sweeps
  kCustomAction,  // Security Hub custom action
  kApiAction,     // asr API / CLI on a person's behalf
};

std::string_view TriggerName(Trigger trigger);  // "automatic", "custom-action", "api-action"
// Automatic for Imported/ImportedV2 and bare findings; the action kinds for actions.
Trigger TriggerFor(finding::EventKind kind);
bool IsManual(Trigger trigger);

// Why asr will not act. The codes are stable (API, metrics, `asr explain --json`); the first
// five are the reference's state names.
enum class SkipReason {
  kNotNew,               // NOT_NEW: automatic trigger and workflow status is not NEW
  kPlaybookNotEnabled,   // PLAYBOOK_NOT_ENABLED: standard unknown to asr or playbook disabled
  kNoRunbook,            // NO_RUNBOOK: the playbook has no remediation for the control
  kComplianceNotFailed,  // NOT_FAILED: compliance is not FAILED (or WARNING on a manual trigger)
  kArchived,             // ARCHIVED: record state ARCHIVED
  kSuppressed,           // SUPPRESSED: workflow SUPPRESSED on an automatic trigger
  kControlOff,           // CONTROL_OFF: control mode is off
  kControlManual,        // CONTROL_MANUAL: automatic trigger on a manual-only control
  kFiltered,             // FILTERED: an account/region/tag/resource filter excludes the finding
  kFilterError,          // FILTER_ERROR: a filter could not be evaluated (fail closed)
  kAccountMismatch,      // ACCOUNT_MISMATCH: resource account differs from AwsAccountId
  kUnsupportedProduct,   // UNSUPPORTED_PRODUCT: not a Security Hub control finding
  kNoResource,           // NO_RESOURCE: the finding names no resource to remediate
};

std::string_view SkipReasonCode(SkipReason reason);

enum class ApprovalGate { kNone, kRequired };

// Where and how to remediate one finding.
struct Route {
  std::string playbook_id;          // "CIS120"
  std::string short_name;           // "CIS"
  std::string standard_long_name;   // "cis-aws-foundations-benchmark"
  std::string version;              // "1.2.0"
  std::string control_id;           // the finding's control, "1.6"
  std::string executes;             // after remap, "1.5"
  std::string security_control_id;  // "IAM.7" when known, else ""
  std::string remediation_id;       // "SetIAMPasswordPolicy"
  std::string control_runbook;      // "ASR-CIS_1.2.0_1.5" (ssm backend)
  std::string account_id;
  std::string region;
  std::string partition;      // "aws", "aws-cn", "aws-us-gov"
  std::string resource_type;  // Resources[0].Type
  std::string resource_id;    // Resources[0].Id (the finding keeps Details and Tags)
  Trigger trigger = Trigger::kAutomatic;
  ControlMode mode = ControlMode::kManual;
  ApprovalGate approval = ApprovalGate::kNone;
  Backend backend = Backend::kNative;  // how it runs (RoutingConfig::backends)
};

struct Skip {
  SkipReason reason = SkipReason::kNoRunbook;
  std::string message;  // one sentence for a person: what, why, and how to change it
  // What would have run, when the decision got that far (for `asr explain`).
  std::optional<Route> would_route;
};

// The outcome of routing one finding: exactly one of Route or Skip.
class Decision final {
 public:
  explicit Decision(Route route) : rep_(std::move(route)) {}
  explicit Decision(Skip skip) : rep_(std::move(skip)) {}

  [[nodiscard]] bool routed() const { return std::holds_alternative<Route>(rep_); }
  // Preconditions: routed() / !routed().
  [[nodiscard]] const Route& route() const { return std::get<Route>(rep_); }
  [[nodiscard]] const Skip& skip() const { return std::get<Skip>(rep_); }

 private:
  std::variant<Route, Skip> rep_;
};

// Decides what to do with one finding. Pure: no I/O, no clock, no globals but the catalogue
// passed in. Checks run in a fixed order and the first failing one decides:
//   account mismatch → product → resource → archived → compliance → suppressed/NEW (automatic
//   only) → playbook → control → filters → mode.
// A filter that cannot be evaluated skips the finding (fail closed). Thread-safe.
Decision Decide(const finding::Finding& finding, const RoutingConfig& config, Trigger trigger,
                const catalog::Catalog& catalog);

}  // namespace asr::routing
