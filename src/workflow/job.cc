#include "workflow/job.h"

#include "common/clock.h"

namespace asr::workflow {

using nlohmann::json;

std::string_view SkipState(routing::SkipReason reason) {
  switch (reason) {
    case routing::SkipReason::kNotNew:
      return kStateNotNew;
    case routing::SkipReason::kPlaybookNotEnabled:
      return kStatePlaybookNotEnabled;
    case routing::SkipReason::kNoRunbook:
      return kStateNoRunbook;
    default:
      return kStateSkipped;
  }
}

json RouteToJson(const routing::Route& r) {
  return {{"playbook_id", r.playbook_id},
          {"short_name", r.short_name},
          {"standard_long_name", r.standard_long_name},
          {"version", r.version},
          {"control_id", r.control_id},
          {"executes", r.executes},
          {"security_control_id", r.security_control_id},
          {"remediation_id", r.remediation_id},
          {"control_runbook", r.control_runbook},
          {"account_id", r.account_id},
          {"region", r.region},
          {"partition", r.partition},
          {"resource_type", r.resource_type},
          {"resource_id", r.resource_id},
          {"trigger", routing::TriggerName(r.trigger)},
          {"mode", routing::ControlModeName(r.mode)},
          {"approval_required", r.approval == routing::ApprovalGate::kRequired},
          {"backend", routing::BackendName(r.backend)}};
}

Result<routing::Route> RouteFromJson(const json& j) {
  if (!j.is_object()) {
    return InvalidArgumentError("route: not an object");
  }
  routing::Route r;
  const auto str = [&](const char* key, std::string& out) { out = j.value(key, ""); };
  str("playbook_id", r.playbook_id);
  str("short_name", r.short_name);
  str("standard_long_name", r.standard_long_name);
  str("version", r.version);
  str("control_id", r.control_id);
  str("executes", r.executes);
  str("security_control_id", r.security_control_id);
  str("remediation_id", r.remediation_id);
  str("control_runbook", r.control_runbook);
  str("account_id", r.account_id);
  str("region", r.region);
  str("partition", r.partition);
  str("resource_type", r.resource_type);
  str("resource_id", r.resource_id);
  const std::string trigger = j.value("trigger", "");
  if (trigger == routing::TriggerName(routing::Trigger::kCustomAction)) {
    r.trigger = routing::Trigger::kCustomAction;
  } else if (trigger == routing::TriggerName(routing::Trigger::kApiAction)) {
    r.trigger = routing::Trigger::kApiAction;
  } else {
    r.trigger = routing::Trigger::kAutomatic;
  }
  ASR_ASSIGN_OR_RETURN(r.mode, routing::ParseControlMode(j.value("mode", "manual")));
  ASR_ASSIGN_OR_RETURN(r.backend, routing::ParseBackend(j.value("backend", "native")));
  r.approval = j.value("approval_required", false) ? routing::ApprovalGate::kRequired
                                                   : routing::ApprovalGate::kNone;
  if (r.account_id.empty() || r.region.empty() || r.remediation_id.empty()) {
    return InvalidArgumentError("route: account_id, region and remediation_id are required");
  }
  return r;
}

remediation::Target TargetFor(const routing::Route& route, const finding::Finding& f) {
  remediation::Target t{
      .account_id = route.account_id,
      .region = route.region,
      .partition = route.partition,
      .control_id = route.security_control_id.empty() ? route.executes : route.security_control_id,
      .resource_type = route.resource_type,
      .resource_id = route.resource_id};
  if (!f.resources.empty() && !f.resources.front().details_json.empty()) {
    t.resource_details = json::parse(f.resources.front().details_json, nullptr, false);
    if (t.resource_details.is_discarded()) {
      t.resource_details = json();
    }
  }
  return t;
}

std::string ResourceKey(const routing::Route& route) {
  return route.account_id + "/" + route.region + "/" + route.resource_id;
}

namespace {
std::string Time(store::Millis ms) {
  if (ms <= 0) {
    return "";
  }
  return FormatRfc3339Millis(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}
}  // namespace

json JobSummary(const store::JobRow& job) {
  json out = {{"id", job.id},
              {"state", job.state},
              {"terminal", job.terminal},
              {"step", job.step},
              {"finding_id", job.finding_id},
              {"account_id", job.account_id},
              {"region", job.region},
              {"control_id", job.control_id},
              {"remediation_id", job.remediation_id},
              {"trigger", job.trigger},
              {"reason", job.reason},
              {"message", job.message},
              {"hold", job.hold},
              {"attempts", job.attempts},
              {"event_id", job.event_id},
              {"received_at", Time(job.received_at)},
              {"created_at", Time(job.created_at)},
              {"updated_at", Time(job.updated_at)},
              {"finished_at", Time(job.finished_at)}};
  if (job.not_before > 0 && !job.terminal) {
    out["not_before"] = Time(job.not_before);
  }
  if (job.data.contains("route")) {
    out["resource_id"] = job.data["route"].value("resource_id", "");
    out["mode"] = job.data["route"].value("mode", "");
  }
  return out;
}

}  // namespace asr::workflow
