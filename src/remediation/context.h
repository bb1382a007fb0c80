#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/status.h"
#include "remediation/spec.h"

namespace asr::remediation {

// Which step of a remediation is running. Plan and Verify may only read.
enum class Phase { kResolve, kPlan, kApply, kVerify, kUndo };
std::string_view PhaseName(Phase phase);  // "plan", "apply", ...

// Whether an operation changes anything: every operation whose name does not start with Get,
// List, Describe, Head, Lookup or Search.
bool IsMutatingOperation(std::string_view operation);

// The IAM actions an API operation needs, e.g. ("s3", "PutPublicAccessBlock") →
// {"s3:PutBucketPublicAccessBlock"}; ("s3control", "GetPublicAccessBlock") →
// {"s3:GetAccountPublicAccessBlock"}. Most operations map to "<prefix>:<Operation>".
std::vector<std::string> IamActionsFor(std::string_view service, std::string_view operation);

// One AWS call made by a remediation (for the audit journal, the record and tests).
struct CallRecord {
  std::string phase;  // PhaseName
  std::string service;
  std::string operation;
  std::string region;
  bool mutating = false;
  int attempts = 0;
  int http_status = 0;
  std::string request_id;
  std::string error;      // "" on success, else the Status code name
  std::string aws_error;  // AWS error code, if any
  std::int64_t latency_ms = 0;
};
nlohmann::json ToJson(const CallRecord& call);

// Appends one CallRecord per finished call (one per page when paginating) to `calls`, tagged
// with `phase`. Borrows `calls`; not thread-safe (one job, one thread).
class CallRecorder final : public aws::CallObserver {
 public:
  CallRecorder(std::vector<CallRecord>& calls, std::string_view phase)
      : calls_(calls), phase_(phase) {}
  void OnCall(const aws::CallEvent& e) override;

 private:
  std::vector<CallRecord>& calls_;
  std::string phase_;
};

struct ContextOptions {
  std::string region;  // the target region: default for every call
  // Credentials for the member account (role chain); borrowed, must outlive the Context.
  aws::CredentialsProvider* credentials = nullptr;
  // Upper bound of Context::Poll waits (e.g. a flow log becoming ACTIVE).
  std::chrono::seconds max_poll = std::chrono::seconds(120);
};

// Everything a remediation may touch: the AWS client bound to the member account and region,
// a clock, a sleeper, a logger with the job's fields. Enforces two rules on every call:
//   * the operation's IAM actions are declared in the spec's permissions (Internal otherwise:
//     a bug in the remediation, caught by its tests);
//   * in the Resolve, Plan and Verify phases no mutating operation is sent (Internal otherwise),
//     so a dry run cannot change anything.
// Records every call (CallRecord). Borrows everything; not thread-safe (one job, one thread).
class Context final {
 public:
  Context(aws::Client& client, const RemediationSpec& spec, const Clock& clock,
          aws::Sleeper& sleeper, const Logger& logger, ContextOptions options);

  // One call in the target region (or `region` when not empty, e.g. a trail's home region).
  // The error keeps the AWS code, request id and retryable flag; its message gets the
  // "service.Operation" context.
  Result<nlohmann::json> Call(std::string_view service, std::string_view operation,
                              const nlohmann::json& params, std::string_view region = {});
  // All pages merged (the operation must have a paginator).
  Result<nlohmann::json> CallAll(std::string_view service, std::string_view operation,
                                 const nlohmann::json& params, std::string_view region = {});

  // Calls `check` until it returns true, an error, or options.max_poll passes; sleeps `every`
  // between attempts. FailedPrecondition "timed out waiting for <what>" on timeout.
  Status Poll(std::string_view what, std::chrono::milliseconds every,
              const std::function<Result<bool>()>& check);

  void set_phase(Phase phase) { phase_ = phase; }
  [[nodiscard]] Phase phase() const { return phase_; }
  [[nodiscard]] const std::string& region() const { return options_.region; }
  [[nodiscard]] const std::vector<CallRecord>& calls() const { return calls_; }
  [[nodiscard]] const Clock& clock() const { return clock_; }
  [[nodiscard]] const Logger& logger() const { return logger_; }
  [[nodiscard]] const RemediationSpec& spec() const { return spec_; }

 private:
  Status Admit(std::string_view service, std::string_view operation) const;

  aws::Client& client_;
  const RemediationSpec& spec_;
  const Clock& clock_;
  aws::Sleeper& sleeper_;
  const Logger& logger_;
  ContextOptions options_;
  Phase phase_ = Phase::kPlan;
  std::vector<CallRecord> calls_;
};

}  // namespace asr::remediation
