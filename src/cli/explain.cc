#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "finding/finding.h"

namespace asr::cli {
namespace {

using nlohmann::json;

json RouteJson(const routing::Route& r) {
  return json{
      {"playbook", r.playbook_id},
      {"standard", r.standard_long_name},
      {"version", r.version},
      {"control", r.control_id},
      {"executes", r.executes},
      {"security_control_id", r.security_control_id},
      {"remediation", r.remediation_id},
      {"control_runbook", r.control_runbook},
      {"account", r.account_id},
      {"region", r.region},
      {"partition", r.partition},
      {"resource", {{"type", r.resource_type}, {"id", r.resource_id}}},
      {"trigger", routing::TriggerName(r.trigger)},
      {"mode", routing::ControlModeName(r.mode)},
      {"approval_required", r.approval == routing::ApprovalGate::kRequired},
      {"backend", routing::BackendName(r.backend)},
  };
}

json FindingJson(const finding::Finding& f, const routing::Decision& d) {
  json j{
      {"finding_id", f.id},
      {"account", f.aws_account_id},
      {"standard", f.standard.long_name},
      {"version", f.standard.version},
      {"control", f.standard.control},
      {"security_control_id", f.security_control_id},
      {"compliance", finding::ComplianceStatusName(f.compliance)},
      {"workflow", finding::WorkflowStatusName(f.workflow)},
      {"record_state", finding::RecordStateName(f.record_state)},
  };
  if (d.routed()) {
    j["decision"] = "remediate";
    j["route"] = RouteJson(d.route());
    j["message"] = d.route().approval == routing::ApprovalGate::kRequired
                       ? "will remediate after approval"
                       : "will remediate";
  } else {
    j["decision"] = "skip";
    j["reason"] = routing::SkipReasonCode(d.skip().reason);
    j["message"] = d.skip().message;
    if (d.skip().would_route.has_value()) {
      j["would_route"] = RouteJson(*d.skip().would_route);
    }
  }
  return j;
}

void PrintRouteLines(const routing::Route& r, std::ostream& out) {
  out << "  playbook:    " << r.playbook_id << " (" << r.standard_long_name << " " << r.version
      << ")\n";
  out << "  remediation: " << r.remediation_id << "  [" << routing::BackendName(r.backend)
      << " backend; control runbook " << r.control_runbook;
  if (r.executes != r.control_id) {
    out << "; control " << r.control_id << " runs " << r.executes;
  }
  out << "]\n";
  out << "  target:      account " << r.account_id << ", region "
      << (r.region.empty() ? "?" : r.region) << ", " << r.resource_type << " " << r.resource_id
      << "\n";
}

void PrintFindingText(size_t index, size_t total, const finding::Finding& f,
                      const routing::Decision& d, routing::Trigger trigger, std::ostream& out) {
  out << "Finding " << index + 1 << " of " << total << ": " << f.id << "\n";
  out << "  control:     " << (f.standard.control.empty() ? "?" : f.standard.control) << " of "
      << (f.standard.long_name.empty() ? "?" : f.standard.long_name) << " " << f.standard.version;
  if (!f.security_control_id.empty()) {
    out << " (security control " << f.security_control_id << ")";
  }
  out << "\n";
  const auto or_missing = [](std::string_view s) { return s.empty() ? "missing" : s; };
  out << "  state:       compliance " << or_missing(finding::ComplianceStatusName(f.compliance))
      << ", workflow " << or_missing(finding::WorkflowStatusName(f.workflow)) << ", record "
      << or_missing(finding::RecordStateName(f.record_state)) << "\n";
  out << "  trigger:     " << routing::TriggerName(trigger) << "\n";
  if (d.routed()) {
    const routing::Route& r = d.route();
    PrintRouteLines(r, out);
    out << "  decision:    REMEDIATE (control mode " << routing::ControlModeName(r.mode)
        << (r.approval == routing::ApprovalGate::kRequired ? ", waits for approval" : "") << ")\n";
  } else {
    if (d.skip().would_route.has_value()) {
      PrintRouteLines(*d.skip().would_route, out);
    }
    out << "  decision:    SKIP " << routing::SkipReasonCode(d.skip().reason) << "\n";
    out << "  why:         " << d.skip().message << "\n";
  }
}

}  // namespace

std::optional<routing::Trigger> ParseTrigger(std::string_view text) {
  for (const routing::Trigger t : {routing::Trigger::kAutomatic, routing::Trigger::kCustomAction,
                                   routing::Trigger::kApiAction}) {
    if (text == routing::TriggerName(t)) {
      return t;
    }
  }
  return std::nullopt;
}

ExitCode RunExplain(const ExplainRequest& request, const routing::RoutingConfig& config,
                    const catalog::Catalog& catalog, std::ostream& out, std::ostream& err) {
  // explain routes and prints; it has no use for each finding's re-serialised raw JSON.
  Result<finding::Event> event =
      finding::ParseEvent(request.input, {.raw_finding = finding::RawFinding::kDrop});
  if (!event.ok()) {
    if (request.format == OutputFormat::kJson) {
      out << json{{"input", request.input_name}, {"error", event.status().message()}}.dump(2)
          << "\n";
    }
    err << "asr explain: " << request.input_name << ": " << event.status().message() << "\n";
    return ExitCode::kInputRejected;
  }
  const routing::Trigger trigger = request.trigger.value_or(routing::TriggerFor(event->kind));
  if (request.format == OutputFormat::kJson) {
    json findings = json::array();
    for (const finding::Finding& f : event->findings) {
      findings.push_back(FindingJson(f, routing::Decide(f, config, trigger, catalog)));
    }
    out << json{{"input", request.input_name},
                {"config", request.config_source},
                {"event",
                 {{"kind", finding::EventKindName(event->kind)},
                  {"detail_type", event->detail_type},
                  {"action_name", event->action_name}}},
                {"trigger", routing::TriggerName(trigger)},
                {"findings", findings}}
               .dump(2)
        << "\n";
    return ExitCode::kOk;
  }
  out << "Input: " << request.input_name << " (" << finding::EventKindName(event->kind);
  if (!event->action_name.empty()) {
    out << " \"" << event->action_name << "\"";
  }
  out << ", " << event->findings.size() << " finding" << (event->findings.size() == 1 ? "" : "s")
      << "); config: " << request.config_source << "\n\n";
  for (size_t i = 0; i < event->findings.size(); ++i) {
    const finding::Finding& f = event->findings[i];
    PrintFindingText(i, event->findings.size(), f, routing::Decide(f, config, trigger, catalog),
                     trigger, out);
    if (i + 1 < event->findings.size()) {
      out << "\n";
    }
  }
  return ExitCode::kOk;
}

}  // namespace asr::cli
