#include "remediation/testing/harness.h"

#include <utility>

namespace asr::remediation::testing {

using nlohmann::json;

RemediationHarness::RemediationHarness()
    : transport_(std::make_unique<aws::testing::ScriptedTransport>()),
      creds_(aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                              .secret_access_key = "secret",
                              .session_token = "token",
                              .expiration = std::nullopt,
                              .source = "test"}),
      clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1'795'000'000))),
      sleeper_(clock_),
      logger_(sink_, clock_, LogLevel::kError) {
  ResetTransport();
}

aws::testing::ScriptedTransport& RemediationHarness::ResetTransport() {
  transport_ = std::make_unique<aws::testing::ScriptedTransport>();
  client_ = std::make_unique<aws::Client>(
      *transport_, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
      aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}});
  return *transport_;
}

const Remediation* RemediationHarness::Get(const std::string& id) {
  return Registry::Global().Find(id);
}

RunRecord RemediationHarness::RunOne(const std::string& id, const Target& target, RunMode mode,
                                     const json& overrides, const json& control_params) {
  const Remediation* r = Get(id);
  if (r == nullptr) {
    RunRecord failed;
    failed.error = NotFoundError("remediation " + id + " is not registered");
    return failed;
  }
  Result<Params> params = ResolveParams(r->spec(), target.control_id, control_params, overrides);
  if (!params.ok()) {
    RunRecord failed;
    failed.error = params.status();
    return failed;
  }
  Context ctx(*client_, r->spec(), clock_, sleeper_, logger_,
              {.region = target.region, .credentials = &creds_});
  return Run(*r, ctx, target, *params, sleeper_,
             {.mode = mode, .verify_attempts = 1, .run_id = "test-run"});
}

Result<Plan> RemediationHarness::PlanOnly(const std::string& id, const Target& target,
                                          const json& overrides) {
  const Remediation* r = Get(id);
  if (r == nullptr) {
    return NotFoundError("remediation " + id + " is not registered");
  }
  ASR_ASSIGN_OR_RETURN(const Params params,
                       ResolveParams(r->spec(), target.control_id, json::object(), overrides));
  ASR_ASSIGN_OR_RETURN(const json resource, r->Resolve(target));
  Context ctx(*client_, r->spec(), clock_, sleeper_, logger_,
              {.region = target.region, .credentials = &creds_});
  ctx.set_phase(Phase::kPlan);
  return r->MakePlan(ctx, {.target = target, .params = params, .resource = resource});
}

Result<RunRecord> RemediationHarness::UndoOne(const std::string& id, const RunRecord& record) {
  const Remediation* r = Get(id);
  if (r == nullptr) {
    return NotFoundError("remediation " + id + " is not registered");
  }
  Context ctx(*client_, r->spec(), clock_, sleeper_, logger_,
              {.region = record.target.region, .credentials = &creds_});
  return UndoRun(*r, ctx, record);
}

int RemediationHarness::MutatingCalls(const RunRecord& record) {
  int n = 0;
  for (const CallRecord& c : record.calls) {
    n += c.mutating ? 1 : 0;
  }
  return n;
}

int RemediationHarness::Sent(std::string_view operation) const {
  const std::string dotted = "." + std::string(operation);
  const std::string action = "Action=" + std::string(operation);
  int n = 0;
  for (const aws::HttpRequest& r : transport_->requests()) {
    const std::string* target = r.FindHeader("X-Amz-Target");
    if (target != nullptr) {
      n += target->ends_with(dotted) ? 1 : 0;
      continue;
    }
    const size_t at = r.body.find(action);
    n += at != std::string::npos &&
                 (at + action.size() == r.body.size() || r.body[at + action.size()] == '&')
             ? 1
             : 0;
  }
  return n;
}

}  // namespace asr::remediation::testing
