// `asr jobs`, `asr approve`, `asr reject`, `asr undo <job>`: the engine's jobs, through a running
// server or the local store (both are an EngineApi).
#include <iomanip>
#include <ostream>

#include "cli/commands.h"

namespace asr::cli {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

void PrintJobLine(const json& j, std::ostream& out) {
  std::string note = Str(j, "hold");
  if (note.empty()) {
    note = Str(j, "reason");
  }
  out << std::left << std::setw(36) << Str(j, "id") << " " << std::setw(20) << Str(j, "state")
      << " " << std::setw(12) << Str(j, "control_id") << " " << std::setw(13)
      << Str(j, "account_id") << " " << std::setw(15) << Str(j, "region") << " " << std::setw(20)
      << note << " " << Str(j, "updated_at") << "\n";
}

void PrintJob(const json& j, std::ostream& out) {
  out << "job " << Str(j, "id") << "\n";
  for (const char* key :
       {"state", "reason", "hold", "message", "control_id", "remediation_id", "account_id",
        "region", "resource_id", "trigger", "finding_id", "received_at", "finished_at"}) {
    const std::string v = Str(j, key);
    if (!v.empty()) {
      out << "  " << std::left << std::setw(15) << (std::string(key) + ":") << v << "\n";
    }
  }
  if (j.contains("plan") && j["plan"].is_object()) {
    out << "  plan:\n";
    for (const json& c : j["plan"].value("changes", json::array())) {
      out << "    - " << Str(c, "action") << ": " << Str(c, "summary") << "\n";
    }
  }
  if (j.contains("reports")) {
    for (const json& r : j["reports"]) {
      out << "  report " << Str(r, "kind") << "/" << Str(r, "key") << ": "
          << (r.value("done", false) ? "sent" : "pending") << " "
          << Str(r, "last_error").substr(0, 200) << "\n";
    }
  }
  if (j.contains("journal")) {
    out << "  journal:\n";
    for (const json& e : j["journal"]) {
      std::string detail;
      if (Str(e, "kind") == "aws_call") {
        const json& d = e["detail"];
        detail = Str(d, "service") + ":" + Str(d, "operation") + " " +
                 std::to_string(d.value("http_status", 0)) + " " + Str(d, "request_id");
      } else if (e.contains("detail") && !e["detail"].empty()) {
        detail = e["detail"].dump().substr(0, 160);
      }
      out << "    " << Str(e, "at") << " " << std::left << std::setw(16) << Str(e, "kind") << " "
          << detail << "\n";
    }
  }
}

ExitCode Fail(const Status& s, const char* what, std::ostream& err) {
  err << what << ": " << s.message() << "\n";
  switch (s.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kConflict:
    case StatusCode::kPermissionDenied:
      return ExitCode::kNotDone;
    case StatusCode::kInvalidArgument:
      return ExitCode::kUsage;
    default:
      return ExitCode::kInternal;
  }
}

}  // namespace

ExitCode RunJobs(const JobsRequest& request, workflow::EngineApi& engine, std::ostream& out,
                 std::ostream& err) {
  if (!request.id.empty()) {
    Result<json> job = engine.GetJob(request.id);
    if (!job.ok()) {
      return Fail(job.status(), "asr jobs", err);
    }
    if (request.format == OutputFormat::kJson) {
      out << job->dump(2) << "\n";
    } else {
      PrintJob(*job, out);
    }
    return ExitCode::kOk;
  }
  Result<json> list = engine.ListJobs(request.filter);
  if (!list.ok()) {
    return Fail(list.status(), "asr jobs", err);
  }
  if (request.format == OutputFormat::kJson) {
    out << list->dump(2) << "\n";
    return ExitCode::kOk;
  }
  out << std::left << std::setw(36) << "ID"
      << " " << std::setw(20) << "STATE"
      << " " << std::setw(12) << "CONTROL"
      << " " << std::setw(13) << "ACCOUNT"
      << " " << std::setw(15) << "REGION"
      << " " << std::setw(20) << "HOLD/REASON"
      << " UPDATED\n";
  for (const json& j : (*list)["jobs"]) {
    PrintJobLine(j, out);
  }
  if (!Str(*list, "next").empty()) {
    out << "(more: --before " << Str(*list, "next") << ")\n";
  }
  return ExitCode::kOk;
}

ExitCode RunJobAction(const JobActionRequest& request, workflow::EngineApi& engine,
                      std::ostream& out, std::ostream& err) {
  Result<json> job = InternalError("no action");
  const char* name = "asr undo";
  switch (request.action) {
    case JobAction::kApprove:
      name = "asr approve";
      job = engine.Approve(request.id, request.who, request.comment);
      break;
    case JobAction::kReject:
      name = "asr reject";
      job = engine.Reject(request.id, request.who, request.comment);
      break;
    case JobAction::kUndo:
      job = engine.Undo(request.id, request.who);
      break;
  }
  if (!job.ok()) {
    return Fail(job.status(), name, err);
  }
  if (request.format == OutputFormat::kJson) {
    out << job->dump(2) << "\n";
  } else {
    out << name << ": job " << Str(*job, "id") << " is now " << Str(*job, "state") << ": "
        << Str(*job, "message") << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace asr::cli
