// `asr remediate` and `asr undo`: one-shot remediation of the findings in a file, and undo of a
// recorded run.
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "common/strings.h"
#include "finding/finding.h"
#include "remediation/params.h"
#include "workflow/job.h"

namespace asr::cli {
namespace {

using nlohmann::json;
using remediation::Outcome;

std::string Indent(const json& j) {
  std::string text = j.dump(2);
  std::string out;
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') {
      out += "    ";
    }
  }
  return out;
}

void PrintPlan(const remediation::Plan& plan, std::ostream& out) {
  if (plan.compliant()) {
    out << "  plan:        nothing to change (already compliant)\n";
    return;
  }
  out << "  plan:        " << plan.changes.size()
      << (plan.changes.size() == 1 ? " change\n" : " changes\n");
  for (const remediation::Change& c : plan.changes) {
    out << "    - " << c.action << ": " << c.summary << "\n";
  }
}

void PrintRecord(const remediation::RunRecord& r, const remediation::RemediationSpec& spec,
                 std::ostream& out) {
  out << "  remediation: " << spec.id << " (risk " << remediation::RiskName(spec.risk) << ", "
      << (spec.reversible == remediation::Reversible::kYes ? "reversible" : "not reversible")
      << ")\n";
  out << "  target:      " << r.target.account_id << " " << r.target.region << " "
      << r.target.resource_id << "\n";
  if (r.plan) {
    PrintPlan(*r.plan, out);
  }
  out << "  outcome:     " << remediation::OutcomeName(r.outcome);
  if (r.outcome == Outcome::kSuccess) {
    out << " (verified: read back, nothing left to change)";
  }
  if (!r.error.ok()) {
    out << " in " << r.failed_phase << ": " << r.error.ToString();
  }
  out << "\n";
  if (r.outcome == Outcome::kSuccess && r.plan && r.verify) {
    out << "  before:      " << Indent(r.plan->current) << "\n";
    out << "  after:       " << Indent(r.verify->current) << "\n";
  }
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return UnavailableError("cannot create " + Quote(p.parent_path().string()) + ": " +
                              ec.message());
    }
  }
  // Write to a temporary file and rename, so a crash never leaves half a record.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      return UnavailableError("cannot write " + Quote(tmp));
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return UnavailableError("cannot rename " + Quote(tmp) + " to " + Quote(path) + ": " +
                            ec.message());
  }
  return Status::Ok();
}

bool IsDone(Outcome o) {
  return o == Outcome::kSuccess || o == Outcome::kAlreadyCompliant || o == Outcome::kDryRun;
}

}  // namespace

ExitCode RunRemediate(const RemediateRequest& request, const routing::RoutingConfig& config,
                      const catalog::Catalog& catalog, RemediationEnv& env, std::ostream& out,
                      std::ostream& err) {
  Result<finding::Event> event = finding::ParseEvent(request.input);
  if (!event.ok()) {
    err << "asr remediate: " << request.input_name << ": " << event.status().message() << "\n";
    return ExitCode::kInputRejected;
  }
  if (event->findings.empty()) {
    err << "asr remediate: " << request.input_name << ": the input has no findings\n";
    return ExitCode::kInputRejected;
  }
  if (!request.record_path.empty() && event->findings.size() > 1) {
    err << "asr remediate: --record names one file but the input has " << event->findings.size()
        << " findings; use --records-dir\n";
    return ExitCode::kUsage;
  }
  bool all_done = true;
  json results = json::array();
  for (size_t i = 0; i < event->findings.size(); ++i) {
    const finding::Finding& f = event->findings[i];
    json item = {{"finding_id", f.id}};
    if (request.format == OutputFormat::kText) {
      out << "Finding " << (i + 1) << "/" << event->findings.size() << ": " << f.id << "\n";
    }
    const routing::Decision decision =
        routing::Decide(f, config, routing::Trigger::kApiAction, catalog);
    if (!decision.routed()) {
      all_done = false;
      item["decision"] = "SKIP";
      item["reason"] = routing::SkipReasonCode(decision.skip().reason);
      item["message"] = decision.skip().message;
      if (request.format == OutputFormat::kText) {
        out << "  decision:    SKIP " << routing::SkipReasonCode(decision.skip().reason) << ": "
            << decision.skip().message << "\n";
      }
      results.push_back(std::move(item));
      continue;
    }
    const routing::Route& route = decision.route();
    item["decision"] = "REMEDIATE";
    item["control"] = route.short_name + " " + route.executes;
    const remediation::Remediation* rem = env.registry.Find(route.remediation_id);
    if (rem == nullptr) {
      all_done = false;
      item["reason"] = "NO_NATIVE_REMEDIATION";
      item["message"] = "remediation " + route.remediation_id +
                        " has no native implementation in this asr build; see `asr remediations`";
      if (request.format == OutputFormat::kText) {
        out << "  decision:    not done: " << item["message"].get<std::string>() << "\n";
      }
      results.push_back(std::move(item));
      continue;
    }
    const remediation::RemediationSpec& spec = rem->spec();
    const std::string run_id = env.new_run_id();
    const std::string session = remediation::SessionNameFor(run_id);
    const remediation::Target target = workflow::TargetFor(route, f);

    // The control parameters are read as the member role (not the remediation's own role).
    const std::unique_ptr<aws::CredentialsProvider> member =
        env.sessions.Chain(remediation::RoleChain(env.roles, route.partition, route.account_id, ""),
                           env.roles.external_id, session);
    Result<remediation::ControlParameters> control_params = remediation::ReadControlParameters(
        env.client, *member, route.region, f.related_config_rule, spec);
    const std::string params_note = control_params.ok() ? control_params->note : "";
    Result<remediation::Params> params =
        control_params.ok() ? remediation::ResolveParams(spec, target.control_id,
                                                         control_params->values, request.overrides)
                            : Result<remediation::Params>(control_params.status());
    if (!params.ok()) {
      all_done = false;
      item["outcome"] = "FAILED";
      item["error"] = params.status().ToString();
      if (request.format == OutputFormat::kText) {
        out << "  outcome:     FAILED: parameters: " << params.status().ToString() << "\n";
      }
      results.push_back(std::move(item));
      continue;
    }

    const std::unique_ptr<aws::CredentialsProvider> creds = env.sessions.Chain(
        remediation::RoleChain(env.roles, route.partition, route.account_id, spec.id),
        env.roles.external_id, session);
    remediation::Context ctx(env.client, spec, env.clock, env.sleeper, env.logger,
                             {.region = route.region, .credentials = creds.get()});
    remediation::RunOptions options{.mode = request.mode, .run_id = run_id};
    bool confirm_failed = false;
    if (request.mode == remediation::RunMode::kApply &&
        request.confirmation == Confirmation::kAsk) {
      options.confirm = [&](const remediation::Plan& plan) {
        std::ostringstream question;
        question << "About to change " << target.resource_id << " in account " << target.account_id
                 << " (" << target.region << ") with " << spec.id << ":\n";
        for (const remediation::Change& c : plan.changes) {
          question << "  - " << c.action << ": " << c.summary << "\n";
        }
        question << "Apply? [y/N] ";
        const std::optional<bool> yes = env.ask(question.str());
        if (!yes.has_value()) {
          confirm_failed = true;
          return false;
        }
        return *yes;
      };
    }
    remediation::RunRecord record =
        remediation::Run(*rem, ctx, target, *params, env.sleeper, options);
    if (confirm_failed) {
      err << "asr remediate: cannot ask for confirmation (no terminal); pass --yes to apply, or "
             "--dry-run to only plan\n";
    }
    if (!IsDone(record.outcome)) {
      all_done = false;
    }
    json record_json = remediation::ToJson(record);
    if (!params_note.empty()) {
      record_json["params_note"] = params_note;
    }
    // Keep a record of every run that changed, or tried to change, something.
    std::string record_path;
    if (!request.record_path.empty() || record.applied.has_value() ||
        record.failed_phase == remediation::PhaseName(remediation::Phase::kApply) ||
        record.failed_phase == remediation::PhaseName(remediation::Phase::kVerify)) {
      record_path = request.record_path.empty()
                        ? (std::filesystem::path(request.records_dir) / (run_id + ".json")).string()
                        : request.record_path;
      if (Status s = WriteFile(record_path, record_json.dump(2) + "\n"); !s.ok()) {
        err << "asr remediate: could not save the record: " << s.message() << "\n";
        all_done = false;
        record_path.clear();
      }
    }
    if (request.format == OutputFormat::kText) {
      out << "  decision:    REMEDIATE " << route.short_name << " " << route.executes << "\n";
      PrintRecord(record, spec, out);
      if (!params_note.empty()) {
        out << "  parameters:  " << params_note << "\n";
      }
      if (!record_path.empty()) {
        out << "  record:      " << record_path;
        if (record.outcome == Outcome::kSuccess &&
            spec.reversible == remediation::Reversible::kYes) {
          out << "  (undo: asr undo " << record_path << ")";
        }
        out << "\n";
      }
    }
    item["record"] = std::move(record_json);
    if (!record_path.empty()) {
      item["record_path"] = record_path;
    }
    results.push_back(std::move(item));
  }
  if (request.format == OutputFormat::kJson) {
    out << json{{"input", request.input_name}, {"results", results}}.dump(2) << "\n";
  }
  return all_done ? ExitCode::kOk : ExitCode::kNotDone;
}

ExitCode RunUndo(const UndoRequest& request, RemediationEnv& env, std::ostream& out,
                 std::ostream& err) {
  std::ifstream in(request.record_path, std::ios::binary);
  if (!in) {
    err << "asr undo: cannot open " << Quote(request.record_path) << "\n";
    return ExitCode::kInputRejected;
  }
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  // Accept the `asr remediate --json` output too, when it holds exactly one record.
  if (j.is_object() && j.contains("results") && j["results"].is_array()) {
    json found;
    int count = 0;
    for (const json& item : j["results"]) {
      if (item.contains("record")) {
        found = item["record"];
        ++count;
      }
    }
    if (count != 1) {
      err << "asr undo: " << request.record_path << " holds " << count
          << " records; pass the record file of one run\n";
      return ExitCode::kInputRejected;
    }
    j = found;
  }
  Result<remediation::RunRecord> record = remediation::RunRecordFromJson(j);
  if (!record.ok()) {
    err << "asr undo: " << request.record_path << ": " << record.status().message() << "\n";
    return ExitCode::kInputRejected;
  }
  const remediation::Remediation* rem = env.registry.Find(record->remediation_id);
  if (rem == nullptr) {
    err << "asr undo: remediation " << record->remediation_id << " is not in this asr build\n";
    return ExitCode::kInputRejected;
  }
  const remediation::RemediationSpec& spec = rem->spec();
  if (request.confirmation == Confirmation::kAsk) {
    const std::optional<bool> yes =
        env.ask("Undo " + spec.id + " on " + record->target.resource_id + " in account " +
                record->target.account_id + " (" + record->target.region + ")? [y/N] ");
    if (!yes.has_value()) {
      err << "asr undo: cannot ask for confirmation (no terminal); pass --yes\n";
      return ExitCode::kNotDone;
    }
    if (!*yes) {
      out << "Not undone.\n";
      return ExitCode::kNotDone;
    }
  }
  const std::string run_id = env.new_run_id();
  const std::unique_ptr<aws::CredentialsProvider> creds =
      env.sessions.Chain(remediation::RoleChain(env.roles, record->target.partition,
                                                record->target.account_id, spec.id),
                         env.roles.external_id, remediation::SessionNameFor(run_id));
  remediation::Context ctx(env.client, spec, env.clock, env.sleeper, env.logger,
                           {.region = record->target.region, .credentials = creds.get()});
  Result<remediation::RunRecord> undone = remediation::UndoRun(*rem, ctx, *record);
  if (!undone.ok()) {
    if (request.format == OutputFormat::kJson) {
      out << json{{"undone", false}, {"error", undone.status().ToString()}}.dump(2) << "\n";
    } else {
      err << "asr undo: " << undone.status().ToString() << "\n";
    }
    return ExitCode::kNotDone;
  }
  const json undone_json = remediation::ToJson(*undone);
  if (Status s = WriteFile(request.record_path, undone_json.dump(2) + "\n"); !s.ok()) {
    err << "asr undo: undone, but the record could not be updated: " << s.message() << "\n";
  }
  if (request.format == OutputFormat::kJson) {
    out << json{{"undone", true}, {"record", undone_json}}.dump(2) << "\n";
    return ExitCode::kOk;
  }
  out << "Undid " << spec.id << " on " << undone->target.resource_id << ":\n";
  if (undone->undone->empty()) {
    out << "  nothing to restore (already in the before-state)\n";
  }
  for (const remediation::Change& c : *undone->undone) {
    out << "  - " << c.action << ": " << c.summary << "\n";
  }
  out << "Record updated: " << request.record_path << " (outcome UNDONE)\n";
  return ExitCode::kOk;
}

}  // namespace asr::cli
