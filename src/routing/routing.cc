#include "routing/routing.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "common/arn.h"
#include "common/strings.h"

namespace asr::routing {

std::string_view TriggerName(Trigger trigger) {
  switch (trigger) {
    case Trigger::kAutomatic:
      return "automatic";
    case Trigger::kCustomAction:
      return "custom-action";
    case Trigger::kApiAction:
      return "api-action";
  }
  return "automatic";
}

Trigger TriggerFor(finding::EventKind kind) {
  switch (kind) {
    case finding::EventKind::kCustomAction:
      return Trigger::kCustomAction;
    case finding::EventKind::kApiAction:
      return Trigger::kApiAction;
    case finding::EventKind::kImported:
    case finding::EventKind::kImportedV2:
    case finding::EventKind::kBareFinding:
      return Trigger::kAutomatic;
  }
  return Trigger::kAutomatic;
}

bool IsManual(Trigger trigger) { return trigger != Trigger::kAutomatic; }

std::string_view SkipReasonCode(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNotNew:
      return "NOT_NEW";
    case SkipReason::kPlaybookNotEnabled:
      return "PLAYBOOK_NOT_ENABLED";
    case SkipReason::kNoRunbook:
      return "NO_RUNBOOK";
    case SkipReason::kComplianceNotFailed:
      return "NOT_FAILED";
    case SkipReason::kArchived:
      return "ARCHIVED";
    case SkipReason::kSuppressed:
      return "SUPPRESSED";
    case SkipReason::kControlOff:
      return "CONTROL_OFF";
    case SkipReason::kControlManual:
      return "CONTROL_MANUAL";
    case SkipReason::kFiltered:
      return "FILTERED";
    case SkipReason::kFilterError:
      return "FILTER_ERROR";
    case SkipReason::kAccountMismatch:
      return "ACCOUNT_MISMATCH";
    case SkipReason::kUnsupportedProduct:
      return "UNSUPPORTED_PRODUCT";
    case SkipReason::kNoResource:
      return "NO_RESOURCE";
  }
  return "UNKNOWN";
}

namespace {

using finding::ComplianceStatus;
using finding::Finding;
using finding::RecordState;
using finding::WorkflowStatus;

Decision SkipWith(SkipReason reason, std::string message,
                  std::optional<Route> would_route = std::nullopt) {
  return Decision(
      Skip{.reason = reason, .message = std::move(message), .would_route = std::move(would_route)});
}

bool IsSecurityHubProduct(const Finding& f) {
  if (f.product_name != "Security Hub") {
    return false;
  }
  // When the product ARN is present it must be Security Hub's own
  // (arn:<p>:securityhub:<region>::product[v2]/aws/securityhub).
  if (f.product_arn.empty()) {
    return true;
  }
  const std::optional<Arn> arn = ParseArn(f.product_arn);
  return arn && arn->service == "securityhub" &&
         (arn->resource == "product/aws/securityhub" ||
          arn->resource == "productv2/aws/securityhub");
}

// Region where the resource lives: the ARN's region, else Resources[0].Region, else the
// finding's region.
std::string ResourceRegion(const Finding& f) {
  const finding::Resource& r = f.resources.front();
  if (const std::optional<Arn> arn = ParseArn(r.id); arn && !arn->region.empty()) {
    return std::string(arn->region);
  }
  return r.region.empty() ? f.region : r.region;
}

std::string Partition(const Finding& f) {
  const finding::Resource& r = f.resources.front();
  if (!r.partition.empty()) {
    return r.partition;
  }
  for (const std::string_view text : {std::string_view(r.id), std::string_view(f.id)}) {
    if (const std::optional<Arn> arn = ParseArn(text); arn && !arn->partition.empty()) {
      return std::string(arn->partition);
    }
  }
  return "aws";
}

bool AnyTagMatches(const Finding& f, const TagCondition& cond) {
  return std::any_of(f.resources.begin(), f.resources.end(), [&](const finding::Resource& r) {
    return std::any_of(r.tags.begin(), r.tags.end(), [&](const finding::Tag& t) {
      return t.key == cond.key && (!cond.value.has_value() || t.value == *cond.value);
    });
  });
}

std::string Describe(const TagCondition& cond) {
  return cond.value.has_value() ? cond.key + "=" + *cond.value : cond.key;
}

// Evaluates the filters. Returns "" when the finding passes, else why it is filtered out.
// An error means the filters could not be evaluated.
Result<std::string> EvaluateFilters(const Finding& f, const Route& route, const Filters& filters) {
  const auto in = [](const std::vector<std::string>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  // Accounts.
  if (in(filters.accounts.exclude, route.account_id)) {
    return "account " + route.account_id + " is excluded by filters.accounts.exclude";
  }
  if (!filters.accounts.include.empty() && !in(filters.accounts.include, route.account_id)) {
    return "account " + route.account_id + " is not in filters.accounts.include";
  }
  // Regions.
  if (!filters.regions.include.empty() || !filters.regions.exclude.empty()) {
    if (route.region.empty()) {
      return InvalidArgumentError("the finding names no region, so filters.regions can't apply");
    }
    if (in(filters.regions.exclude, route.region)) {
      return "region " + route.region + " is excluded by filters.regions.exclude";
    }
    if (!filters.regions.include.empty() && !in(filters.regions.include, route.region)) {
      return "region " + route.region + " is not in filters.regions.include";
    }
  }
  // Tags (on any resource; a resource without Tags has none).
  for (const TagCondition& cond : filters.tags.exclude) {
    if (AnyTagMatches(f, cond)) {
      return "tag " + Describe(cond) + " is excluded by filters.tags.exclude";
    }
  }
  if (!filters.tags.include.empty() &&
      std::none_of(filters.tags.include.begin(), filters.tags.include.end(),
                   [&](const TagCondition& cond) { return AnyTagMatches(f, cond); })) {
    return std::string("no resource carries a tag listed in filters.tags.include");
  }
  // Resources (every resource of the finding must pass).
  if (!filters.resources.include.empty() || !filters.resources.exclude.empty()) {
    for (size_t i = 0; i < f.resources.size(); ++i) {
      const std::string& id = f.resources[i].id;
      if (id.empty()) {
        return InvalidArgumentError("Resources[" + std::to_string(i) +
                                    "] has no Id, so filters.resources can't apply");
      }
      for (const std::string& pattern : filters.resources.exclude) {
        if (GlobMatch(pattern, id)) {
          return "resource " + id + " matches filters.resources.exclude " + Quote(pattern);
        }
      }
      if (!filters.resources.include.empty() &&
          std::none_of(filters.resources.include.begin(), filters.resources.include.end(),
                       [&](const std::string& p) { return GlobMatch(p, id); })) {
        return "resource " + id + " matches no pattern in filters.resources.include";
      }
    }
  }
  return std::string();
}

ControlMode ModeFor(const RoutingConfig& config, const Route& route) {
  const auto by_playbook = config.control_modes.find(route.playbook_id + ":" + route.control_id);
  if (by_playbook != config.control_modes.end()) {
    return by_playbook->second;
  }
  if (!route.security_control_id.empty()) {
    const auto by_control = config.control_modes.find(route.security_control_id);
    if (by_control != config.control_modes.end()) {
      return by_control->second;
    }
  }
  return config.default_mode;
}

Backend BackendFor(const RoutingConfig& config, const Route& route) {
  for (const std::string& key :
       {route.playbook_id + ":" + route.control_id, route.security_control_id, route.playbook_id}) {
    if (key.empty()) {
      continue;
    }
    const auto it = config.backends.find(key);
    if (it != config.backends.end()) {
      return it->second;
    }
  }
  return config.default_backend;
}

std::string ModeKey(const Route& route) {
  return route.security_control_id.empty() ? route.playbook_id + ":" + route.control_id
                                           : route.security_control_id;
}

std::string StandardText(const Finding& f) {
  return f.standard.long_name + " v" + f.standard.version;
}

}  // namespace

Decision Decide(const Finding& f, const RoutingConfig& config, Trigger trigger,
                const catalog::Catalog& catalog) {
  const bool manual = IsManual(trigger);

  if (f.account_mismatch) {
    return SkipWith(SkipReason::kAccountMismatch,
                    "refusing to act: " + f.account_mismatch_detail +
                        ". A finding whose resource belongs to another account is never "
                        "remediated in either account.");
  }
  if (!IsSecurityHubProduct(f)) {
    return SkipWith(SkipReason::kUnsupportedProduct,
                    "finding comes from product " + Quote(f.product_name) + " (" +
                        Quote(f.product_arn) +
                        "); asr remediates Security Hub control findings only.");
  }
  if (f.resources.empty()) {
    return SkipWith(SkipReason::kNoResource,
                    "the finding names no resource (Resources is empty), so there is nothing to "
                    "remediate.");
  }
  if (f.record_state == RecordState::kArchived) {
    return SkipWith(SkipReason::kArchived,
                    "the finding is ARCHIVED: Security Hub no longer considers it current.");
  }
  const bool failed = f.compliance == ComplianceStatus::kFailed ||
                      (manual && f.compliance == ComplianceStatus::kWarning);
  if (!failed) {
    const std::string_view status = finding::ComplianceStatusName(f.compliance);
    return SkipWith(SkipReason::kComplianceNotFailed,
                    "compliance status is " +
                        (status.empty() ? std::string("missing") : std::string(status)) +
                        (manual ? "; only FAILED or WARNING findings are remediated."
                                : "; automatic remediation needs FAILED (WARNING only on a "
                                  "person's request)."));
  }
  if (!manual) {
    if (f.workflow == WorkflowStatus::kSuppressed) {
      return SkipWith(SkipReason::kSuppressed,
                      "the finding is SUPPRESSED; suppressed findings are never remediated "
                      "automatically (a custom action still can).");
    }
    if (f.workflow != WorkflowStatus::kNew) {
      const std::string_view status = finding::WorkflowStatusName(f.workflow);
      return SkipWith(SkipReason::kNotNew,
                      "Finding Workflow State is not NEW (" +
                          (status.empty() ? std::string("missing") : std::string(status)) +
                          "); automatic remediation only acts on NEW findings.");
    }
  }

  Route route;
  route.trigger = trigger;
  route.account_id = f.aws_account_id;
  route.region = ResourceRegion(f);
  route.partition = Partition(f);
  route.resource_type = f.resources.front().type;
  route.resource_id = f.resources.front().id;
  route.standard_long_name = f.standard.long_name;
  route.version = f.standard.version;
  route.control_id = f.standard.control;
  route.security_control_id = f.security_control_id;

  const catalog::Playbook* playbook =
      catalog.FindPlaybookByStandard(f.standard.long_name, f.standard.version);
  if (playbook == nullptr) {
    std::string known;
    for (const catalog::Playbook& p : catalog.Playbooks()) {
      if (EqualsIgnoreCase(p.standard_long_name, f.standard.long_name)) {
        known += known.empty() ? "" : ", ";
        known += p.version;
      }
    }
    return SkipWith(SkipReason::kPlaybookNotEnabled,
                    "asr has no playbook for " + StandardText(f) +
                        (known.empty() ? std::string(" (unknown standard)")
                                       : " (supported versions: " + known + ")") +
                        ".");
  }
  route.playbook_id = playbook->id;
  route.short_name = playbook->short_name;
  route.standard_long_name = playbook->standard_long_name;

  const catalog::Control* control = catalog.FindControl(*playbook, f.standard.control);
  if (control != nullptr) {
    route.control_id = control->control_id;
    route.executes = control->executes;
    route.remediation_id = control->remediation_id;
    route.control_runbook = catalog::Catalog::ControlRunbookName(*control);
    if (route.security_control_id.empty()) {
      route.security_control_id = control->security_control_id;
    }
  }

  const bool enabled =
      std::any_of(config.playbooks.begin(), config.playbooks.end(),
                  [&](const std::string& id) { return EqualsIgnoreCase(id, playbook->id); });
  if (!enabled) {
    return SkipWith(SkipReason::kPlaybookNotEnabled,
                    "ASR playbook for (" + std::string(playbook->short_name) + ") v" +
                        std::string(playbook->version) + " is not enabled; add " +
                        std::string(playbook->id) + " to `playbooks` in asr.yaml.",
                    control != nullptr ? std::optional<Route>(route) : std::nullopt);
  }
  if (control == nullptr) {
    return SkipWith(SkipReason::kNoRunbook,
                    "ASR runbook for control " + f.standard.control + " in Security Standard " +
                        std::string(playbook->short_name) + " v" + std::string(playbook->version) +
                        " could not be found: asr has no remediation for this control.");
  }

  Result<std::string> filtered = EvaluateFilters(f, route, config.filters);
  if (!filtered.ok()) {
    return SkipWith(SkipReason::kFilterError,
                    "filters could not be evaluated, so asr will not act (fail closed): " +
                        filtered.status().message(),
                    route);
  }
  if (!filtered->empty()) {
    return SkipWith(SkipReason::kFiltered, *filtered + ".", route);
  }

  route.mode = ModeFor(config, route);
  route.backend = BackendFor(config, route);
  switch (route.mode) {
    case ControlMode::kOff:
      return SkipWith(SkipReason::kControlOff,
                      "control " + ModeKey(route) +
                          " is off; set it to manual, approve or auto "
                          "under `controls` in asr.yaml to allow remediation.",
                      route);
    case ControlMode::kManual:
      if (!manual) {
        return SkipWith(SkipReason::kControlManual,
                        "control " + ModeKey(route) +
                            " is in manual mode, so automatic findings are not remediated; use a "
                            "custom action or `asr remediate`, or set it to approve or auto.",
                        route);
      }
      break;
    case ControlMode::kApprove:
      if (!manual) {
        route.approval = ApprovalGate::kRequired;
      }
      break;
    case ControlMode::kAuto:
      break;
  }
  return Decision(std::move(route));
}

}  // namespace asr::routing
