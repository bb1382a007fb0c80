#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "finding/finding.h"
#include "remediation/remediation.h"
#include "routing/routing.h"
#include "store/store.h"

namespace asr::workflow {

// Internal steps (JobRow::step). A job rests only between steps; each transition is one commit.
inline constexpr std::string_view kStepSchedule = "schedule";  // waiting for the limits
inline constexpr std::string_view kStepRun = "run";            // admitted; a worker runs it
inline constexpr std::string_view kStepApproval = "approval";  // planned; waits for a person
inline constexpr std::string_view kStepDone = "done";          // terminal

// Visible states (JobRow::state): the reference's names (spec §e.1) and ours (DESIGN.md §3).
inline constexpr std::string_view kStateQueued = "QUEUED";
inline constexpr std::string_view kStateRunning = "RUNNING";
inline constexpr std::string_view kStateAwaitingApproval = "AWAITING_APPROVAL";
inline constexpr std::string_view kStateSuccess = "SUCCESS";
inline constexpr std::string_view kStateFailed = "FAILED";
inline constexpr std::string_view kStateAssumeRoleFailure = "ASSUME_ROLE_FAILURE";
inline constexpr std::string_view kStateNoRunbook = "NO_RUNBOOK";
inline constexpr std::string_view kStateRunbookNotActive = "RUNBOOK_NOT_ACTIVE";
inline constexpr std::string_view kStateNotNew = "NOT_NEW";
inline constexpr std::string_view kStatePlaybookNotEnabled = "PLAYBOOK_NOT_ENABLED";
inline constexpr std::string_view kStateSkipped = "SKIPPED";
inline constexpr std::string_view kStateRejected = "REJECTED";
inline constexpr std::string_view kStateUndone = "UNDONE";

// The visible state of a routing skip: the reference's name where it has one, else SKIPPED
// (the reason code says which).
std::string_view SkipState(routing::SkipReason reason);

nlohmann::json RouteToJson(const routing::Route& route);
Result<routing::Route> RouteFromJson(const nlohmann::json& json);

// The remediation target of a routed finding: account, region, partition, control, and the
// first resource with its Details.
remediation::Target TargetFor(const routing::Route& route, const finding::Finding& finding);

// "<account>/<region>/<resource id>": one job per resource at a time.
std::string ResourceKey(const routing::Route& route);

// A job as the API lists it (no finding body, no journal).
nlohmann::json JobSummary(const store::JobRow& job);

}  // namespace asr::workflow
