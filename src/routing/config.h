#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::routing {

// How a control may be remediated (asr.yaml `controls:`).
enum class ControlMode {
  kOff,      // never, whoever asks
  kManual,   // only when a person asks (custom action, API action, `asr remediate`)
  kApprove,  // automatic findings create a job that waits for approval
  kAuto,     // automatic findings are remediated without a person
};

// How a routed remediation runs (asr.yaml `backends:`; DESIGN.md §3 "Two execution backends").
enum class Backend {
  kNative,  // asr's own code calls the AWS APIs (the registry of `asr remediations`)
  kSsm,     // the member account's ASR control runbook (SSM Automation), as the reference
};

std::string_view BackendName(Backend backend);  // "native", "ssm"
// Parses "native" | "ssm" (case-insensitive).
Result<Backend> ParseBackend(std::string_view text);

std::string_view ControlModeName(ControlMode mode);  // "off", "manual", "approve", "auto"
// Parses "off" | "manual" | "approve" | "auto" (case-insensitive).
Result<ControlMode> ParseControlMode(std::string_view text);

// A tag condition: the key must be present and, when `value` is set, equal to it.
struct TagCondition {
  std::string key;
  std::optional<std::string> value;
};

// Include/exclude lists for one dimension. An empty include list means "everything".
// Exclusion wins over inclusion.
template <typename T>
struct IncludeExclude {
  std::vector<T> include;
  std::vector<T> exclude;
};

// Which findings asr may act on (asr.yaml `filters:`). Filters apply to every trigger: an
// excluded account is never touched, even on a person's request (the reference applies its
// filters to automatic runs only; we chose the safer rule).
struct Filters {
  IncludeExclude<std::string> accounts;   // 12-digit account ids
  IncludeExclude<std::string> regions;    // e.g. "us-east-1"
  IncludeExclude<TagCondition> tags;      // on any of the finding's resources
  IncludeExclude<std::string> resources;  // glob patterns ('*', '?') over resource ids/ARNs
};

// Everything routing decides from. Plain data; validated by whoever builds it (app/ config
// loading) through Validate().
struct RoutingConfig {
  // Playbook ids (catalog ids: "SC", "AFSBP", "CIS120", ...) whose findings asr handles.
  std::vector<std::string> playbooks = {"SC"};
  // Mode of controls not listed in `control_modes`.
  ControlMode default_mode = ControlMode::kManual;
  // Keyed by security control id ("S3.2") or by "<playbook>:<control>" ("CIS120:1.6"); the
  // second form wins when both match. Case-insensitive.
  std::map<std::string, ControlMode, CaseInsensitiveLess> control_modes;
  // Backend of controls not listed in `backends`.
  Backend default_backend = Backend::kNative;
  // Keyed like `control_modes`, or by a playbook id ("AFSBP": every control of the playbook);
  // "<playbook>:<control>" wins over the control id, which wins over the playbook id.
  std::map<std::string, Backend, CaseInsensitiveLess> backends;
  Filters filters;
};

// Checks that the config is coherent: known playbook ids, 12-digit accounts, non-empty tag keys
// and patterns. Errors name the offending key path ("filters.accounts.include[2]").
Status Validate(const RoutingConfig& config, const catalog::Catalog& catalog);

}  // namespace asr::routing
