#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "remediation/context.h"
#include "remediation/remediation.h"

namespace asr::remediation {

// How a run ended. Names are ASR's where ASR has one (SUCCESS, FAILED), ours otherwise.
enum class Outcome {
  kSuccess,           // SUCCESS: changed and verified compliant
  kAlreadyCompliant,  // ALREADY_COMPLIANT: nothing to change (no mutating call was made)
  kDryRun,            // DRY_RUN: planned only
  kDeclined,          // DECLINED: a person did not confirm the plan
  kFailed,            // FAILED: an error, or verify found the resource still non-compliant
  kUndone,            // UNDONE: a later undo restored the before-state
};
std::string_view OutcomeName(Outcome outcome);
std::optional<Outcome> OutcomeFromName(std::string_view name);

enum class RunMode { kDryRun, kApply };

// Everything one run did, serialisable as JSON. `asr remediate --json` prints it and writes it
// to a file; `asr undo` reads it back. Later the store keeps it.
struct RunRecord {
  std::string run_id;
  std::string remediation_id;
  Target target;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json resource = nlohmann::json::object();
  std::optional<Plan> plan;
  std::optional<Applied> applied;
  std::optional<Plan> verify;                 // the read-back after apply
  std::optional<std::vector<Change>> undone;  // what UndoRun changed back
  Outcome outcome = Outcome::kFailed;
  std::string failed_phase;  // PhaseName of the step that failed, "" otherwise
  Status error;              // OK unless kFailed
  std::vector<CallRecord> calls;
  std::string started_at;  // ISO-8601 UTC
  std::string finished_at;
};
nlohmann::json ToJson(const RunRecord& record);
Result<RunRecord> RunRecordFromJson(const nlohmann::json& json);

struct RunOptions {
  RunMode mode = RunMode::kDryRun;
  // Asked with the plan before Apply when it has changes; false → kDeclined. Null → yes.
  std::function<bool(const Plan&)> confirm;
  // Verify reads back up to `verify_attempts` times, `verify_delay` apart, before concluding
  // "still non-compliant" (IAM and S3 are eventually consistent).
  int verify_attempts = 4;
  std::chrono::milliseconds verify_delay{1500};
  std::string run_id;  // for the record; the engine passes its job id
};

// Resolve → MakePlan → [confirm] → Apply → Verify for one remediation and target, with the
// parameters already resolved. Never returns an error for a failed remediation: the record says
// FAILED with the phase and the Status. Phases are set on `ctx` so Plan and Verify cannot
// mutate. `params` comes from ResolveParams.
RunRecord Run(const Remediation& remediation, Context& ctx, const Target& target,
              const Params& params, aws::Sleeper& sleeper, const RunOptions& options);

// Undo of a SUCCESS record whose remediation is reversible. Returns the record updated to
// UNDONE (with the undo's changes and calls appended) or FailedPrecondition naming why not.
Result<RunRecord> UndoRun(const Remediation& remediation, Context& ctx, const RunRecord& record);

}  // namespace asr::remediation
