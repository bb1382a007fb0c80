#include "remediation/runner.h"

#include <array>
#include <utility>

namespace asr::remediation {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 6> kOutcomeNames = {{
    {Outcome::kSuccess, "SUCCESS"},
    {Outcome::kAlreadyCompliant, "ALREADY_COMPLIANT"},
    {Outcome::kDryRun, "DRY_RUN"},
    {Outcome::kDeclined, "DECLINED"},
    {Outcome::kFailed, "FAILED"},
    {Outcome::kUndone, "UNDONE"},
}};

json ChangesJson(const std::vector<Change>& changes) {
  json out = json::array();
  for (const Change& c : changes) {
    out.push_back(ToJson(c));
  }
  return out;
}

Result<std::vector<Change>> ChangesFromJson(const json& j) {
  std::vector<Change> out;
  if (!j.is_array()) {
    return InvalidArgumentError("changes is not a JSON array");
  }
  for (const json& c : j) {
    ASR_ASSIGN_OR_RETURN(Change change, ChangeFromJson(c));
    out.push_back(std::move(change));
  }
  return out;
}

json PlanJson(const Plan& p) {
  return {
      {"compliant", p.compliant()}, {"current", p.current}, {"changes", ChangesJson(p.changes)}};
}

Result<Plan> PlanFromJson(const json& j) {
  if (!j.is_object()) {
    return InvalidArgumentError("plan is not a JSON object");
  }
  Plan p;
  p.current = j.value("current", json::object());
  ASR_ASSIGN_OR_RETURN(p.changes, ChangesFromJson(j.value("changes", json::array())));
  return p;
}

json StatusJson(const Status& s) {
  json j = {
      {"code", StatusCodeName(s.code())}, {"message", s.message()}, {"retryable", s.retryable()}};
  if (!s.aws_error_code().empty()) {
    j["aws_error"] = s.aws_error_code();
  }
  if (!s.request_id().empty()) {
    j["request_id"] = s.request_id();
  }
  return j;
}

void Fail(RunRecord& record, Phase phase, const Status& status) {
  record.outcome = Outcome::kFailed;
  record.failed_phase = std::string(PhaseName(phase));
  record.error = status;
}

std::string ChangeList(const std::vector<Change>& changes) {
  std::string out;
  for (const Change& c : changes) {
    out += (out.empty() ? "" : "; ") + c.summary;
  }
  return out;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  for (const auto& [o, name] : kOutcomeNames) {
    if (o == outcome) {
      return name;
    }
  }
  return "FAILED";
}

std::optional<Outcome> OutcomeFromName(std::string_view name) {
  for (const auto& [o, n] : kOutcomeNames) {
    if (n == name) {
      return o;
    }
  }
  return std::nullopt;
}

json ToJson(const RunRecord& r) {
  json j = {{"record_version", 1},
            {"run_id", r.run_id},
            {"remediation", r.remediation_id},
            {"target", ToJson(r.target)},
            {"params", r.params},
            {"resource", r.resource},
            {"outcome", OutcomeName(r.outcome)},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at}};
  if (r.plan) {
    j["plan"] = PlanJson(*r.plan);
  }
  if (r.applied) {
    j["applied"] = {{"before", r.applied->before}, {"changes", ChangesJson(r.applied->changes)}};
  }
  if (r.verify) {
    j["verify"] = PlanJson(*r.verify);
  }
  if (r.undone) {
    j["undone"] = ChangesJson(*r.undone);
  }
  if (!r.error.ok()) {
    j["failed_phase"] = r.failed_phase;
    j["error"] = StatusJson(r.error);
  }
  json calls = json::array();
  for (const CallRecord& c : r.calls) {
    calls.push_back(ToJson(c));
  }
  j["calls"] = std::move(calls);
  return j;
}

Result<RunRecord> RunRecordFromJson(const json& j) {
  if (!j.is_object()) {
    return InvalidArgumentError("the record is not a JSON object");
  }
  if (j.value("record_version", 0) != 1) {
    return InvalidArgumentError("record_version is missing or not 1 (not a record asr wrote?)");
  }
  RunRecord r;
  r.run_id = j.value("run_id", "");
  r.remediation_id = j.value("remediation", "");
  if (r.remediation_id.empty()) {
    return InvalidArgumentError("the record has no remediation id");
  }
  ASR_ASSIGN_OR_RETURN(r.target, TargetFromJson(j.value("target", json())));
  r.params = j.value("params", json::object());
  r.resource = j.value("resource", json::object());
  const std::optional<Outcome> outcome = OutcomeFromName(j.value("outcome", ""));
  if (!outcome) {
    return InvalidArgumentError("the record's outcome is missing or unknown");
  }
  r.outcome = *outcome;
  r.started_at = j.value("started_at", "");
  r.finished_at = j.value("finished_at", "");
  if (j.contains("plan")) {
    ASR_ASSIGN_OR_RETURN(r.plan, PlanFromJson(j["plan"]));
  }
  if (j.contains("applied")) {
    const json& a = j["applied"];
    if (!a.is_object()) {
      return InvalidArgumentError("applied is not a JSON object");
    }
    Applied applied;
    applied.before = a.value("before", json());
    ASR_ASSIGN_OR_RETURN(applied.changes, ChangesFromJson(a.value("changes", json::array())));
    r.applied = std::move(applied);
  }
  if (j.contains("verify")) {
    ASR_ASSIGN_OR_RETURN(r.verify, PlanFromJson(j["verify"]));
  }
  if (j.contains("undone")) {
    ASR_ASSIGN_OR_RETURN(r.undone, ChangesFromJson(j["undone"]));
  }
  // Calls are an audit trail for people; they are not read back.
  return r;
}

RunRecord Run(const Remediation& remediation, Context& ctx, const Target& target,
              const Params& params, aws::Sleeper& sleeper, const RunOptions& options) {
  RunRecord record;
  record.run_id = options.run_id;
  record.remediation_id = remediation.spec().id;
  record.target = target;
  record.params = params.values();
  record.started_at = FormatRfc3339Millis(ctx.clock().Now());
  const auto finish = [&]() -> RunRecord {
    record.calls = ctx.calls();
    record.finished_at = FormatRfc3339Millis(ctx.clock().Now());
    return record;
  };

  ctx.set_phase(Phase::kResolve);
  Result<json> resource = remediation.Resolve(target);
  if (!resource.ok()) {
    Fail(record, Phase::kResolve, resource.status());
    return finish();
  }
  record.resource = *resource;
  const Invocation inv{.target = target, .params = params, .resource = *resource};

  ctx.set_phase(Phase::kPlan);
  Result<Plan> plan = remediation.MakePlan(ctx, inv);
  if (!plan.ok()) {
    Fail(record, Phase::kPlan, plan.status());
    return finish();
  }
  record.plan = *plan;
  if (plan->compliant()) {
    record.outcome = Outcome::kAlreadyCompliant;
    return finish();
  }
  if (options.mode == RunMode::kDryRun) {
    record.outcome = Outcome::kDryRun;
    return finish();
  }
  if (options.confirm && !options.confirm(*plan)) {
    record.outcome = Outcome::kDeclined;
    return finish();
  }

  ctx.set_phase(Phase::kApply);
  Result<Applied> applied = remediation.Apply(ctx, inv, *plan);
  if (!applied.ok()) {
    Fail(record, Phase::kApply, applied.status());
    return finish();
  }
  record.applied = *applied;

  ctx.set_phase(Phase::kVerify);
  for (int attempt = 1;; ++attempt) {
    Result<Plan> check = remediation.Verify(ctx, inv);
    if (!check.ok()) {
      Fail(record, Phase::kVerify, check.status());
      return finish();
    }
    record.verify = *check;
    if (check->compliant()) {
      record.outcome = Outcome::kSuccess;
      return finish();
    }
    if (attempt >= options.verify_attempts) {
      Fail(record, Phase::kVerify,
           FailedPreconditionError("still non-compliant after apply: " +
                                   ChangeList(check->changes)));
      return finish();
    }
    sleeper.Sleep(options.verify_delay);
  }
}

Result<RunRecord> UndoRun(const Remediation& remediation, Context& ctx, const RunRecord& record) {
  const RemediationSpec& spec = remediation.spec();
  if (record.remediation_id != spec.id) {
    return InvalidArgumentError("the record is for " + record.remediation_id + ", not " + spec.id);
  }
  if (spec.reversible != Reversible::kYes) {
    return FailedPreconditionError(
        spec.id + " is not reversible" +
        (spec.reversibility_note.empty() ? "" : ": " + spec.reversibility_note));
  }
  if (record.outcome == Outcome::kUndone) {
    return FailedPreconditionError("this run was already undone");
  }
  if (record.outcome != Outcome::kSuccess || !record.applied) {
    return FailedPreconditionError("only a SUCCESS run can be undone; this one is " +
                                   std::string(OutcomeName(record.outcome)) +
                                   " and changed nothing to restore");
  }
  const Invocation inv{
      .target = record.target, .params = Params(record.params), .resource = record.resource};
  ctx.set_phase(Phase::kUndo);
  Result<std::vector<Change>> undone = remediation.Undo(ctx, inv, record.applied->before);
  RunRecord out = record;
  for (const CallRecord& c : ctx.calls()) {
    out.calls.push_back(c);
  }
  if (!undone.ok()) {
    return undone.status().Annotate("undo " + spec.id);
  }
  out.undone = *undone;
  out.outcome = Outcome::kUndone;
  out.finished_at = FormatRfc3339Millis(ctx.clock().Now());
  return out;
}

json ToJson(const Plan& plan) { return PlanJson(plan); }

}  // namespace asr::remediation
