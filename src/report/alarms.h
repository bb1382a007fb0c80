#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace asr::report {

// The reference's CloudWatch alarms (spec §e.6), evaluated inside the engine from its own record
// of outcomes instead of by CloudWatch. Pure logic: no I/O, no clock (the caller passes `now`).
//
// Alarms (all "≥ threshold" over one window, default 24 h = the reference's 1-day period):
//   ASR-NoRunbook                        NO_RUNBOOK outcomes ≥ 1
//   ASR-RunbookAssumeRoleFailure         ASSUME_ROLE_FAILURE outcomes ≥ 1
//   ASR-<ControlId>-remediation-failure  FAILED*100/(FAILED+SUCCESS) of the control ≥
//                                        failure_threshold_percent (default 5); only controls
//                                        with at least one FAILED or SUCCESS outcome in the
//                                        window are evaluated (no data = not breaching, as the
//                                        reference's TreatMissingData NOT_BREACHING)
//   ASR-Executions                       remediation executions ≥ executions_per_day; disabled
//                                        when executions_per_day is 0 (the default): the
//                                        reference has no such alarm, so it is opt-in.
// An execution is an outcome of a remediation that ran: SUCCESS, FAILED, TIMEDOUT, TIMED_OUT,
// CANCELLED, CANCELLING, ABORTED (see IsExecutionOutcome). States are compared upper-cased,
// so the reference's "Failed"/"TimedOut" remediation states count as FAILED/TIMEDOUT.

inline constexpr std::string_view kNoRunbookAlarm = "ASR-NoRunbook";
inline constexpr std::string_view kAssumeRoleFailureAlarm = "ASR-RunbookAssumeRoleFailure";
inline constexpr std::string_view kExecutionsAlarm = "ASR-Executions";
// "ASR-<control>-remediation-failure".
std::string RemediationFailureAlarmName(std::string_view control_id);

// CloudWatch's alarm states; asr never reports INSUFFICIENT_DATA (missing data is OK).
enum class AlarmState { kOk, kAlarm };
// "OK" / "ALARM".
std::string_view AlarmStateName(AlarmState state);

enum class AlarmKind { kNoRunbook, kAssumeRoleFailure, kRemediationFailure, kExecutions };

struct AlarmOptions {
  // false: Evaluate returns no states and no transitions (UseCloudWatchMetricsAlarms=no).
  bool enabled = true;
  // Per-control failure alarms (the reference creates them only with enhanced metrics on).
  bool per_control_failure_alarms = true;
  double failure_threshold_percent = 5;  // RemediationFailureAlarmThreshold
  std::chrono::seconds window{std::chrono::hours(24)};
  // ASR-Executions fires at this many executions within the window; 0 disables it.
  int executions_per_day = 0;
  // Whether an ALARM → OK transition is notified. The reference's alarms have alarm actions
  // only (no OK actions), so the default is false: recoveries change the state silently.
  bool notify_on_recovery = false;
};

// One recorded outcome (the engine's store hands over those of the last window).
struct OutcomeSample {
  std::chrono::system_clock::time_point time;
  std::string state;       // "SUCCESS", "FAILED", "Failed", "NO_RUNBOOK", ...
  std::string control_id;  // security control id, "" when unknown
};

struct AlarmStatus {
  AlarmState state = AlarmState::kOk;
  std::chrono::system_clock::time_point since;  // when it entered `state`
};

// Alarm name → status. Alarms not listed are OK. Serialisable so a restart neither re-fires
// nor forgets an alarm.
using AlarmStates = std::map<std::string, AlarmStatus, std::less<>>;

// {"version":1,"alarms":{"<name>":{"state":"ALARM","since_ms":1776758400000},...}}
// (since_ms: milliseconds since the Unix epoch).
nlohmann::json AlarmStatesToJson(const AlarmStates& states);
// The inverse. InvalidArgument naming the field when the document is not of that form (an
// unknown version, a state other than "OK"/"ALARM", a since_ms that is not an integer).
Result<AlarmStates> AlarmStatesFromJson(const nlohmann::json& json);

struct AlarmTransition {
  std::string name;
  AlarmKind kind = AlarmKind::kNoRunbook;
  std::string control_id;  // kRemediationFailure only
  AlarmState old_state = AlarmState::kOk;
  AlarmState new_state = AlarmState::kAlarm;
  double value = 0;  // the evaluated value (count, or percent for kRemediationFailure)
  double threshold = 0;
  bool has_data = false;  // whether the window held samples for this alarm's metric
  std::chrono::system_clock::time_point time;          // evaluation time (StateChangeTime)
  std::chrono::system_clock::time_point window_start;  // now - window
  std::chrono::seconds window{0};
  bool notify = false;  // OK→ALARM always; ALARM→OK when notify_on_recovery
};

struct AlarmEvaluation {
  // The states to store: every alarm in ALARM, the fixed alarms also when OK; per-control
  // alarms that are OK are left out so the map does not grow with every control ever seen.
  AlarmStates states;
  // State changes in name order.
  std::vector<AlarmTransition> transitions;
};

// Evaluates every alarm over the samples with now - window < time <= now (a sample exactly one
// window old has left it; samples from the future are ignored) against `previous`. An alarm
// already in ALARM that still breaches does not transition (no re-fire); one that no longer
// breaches (or has no data) goes back to OK.
AlarmEvaluation EvaluateAlarms(const std::vector<OutcomeSample>& samples,
                               const AlarmStates& previous,
                               std::chrono::system_clock::time_point now,
                               const AlarmOptions& options);

// Whether an (upper-cased) outcome state is a remediation execution (see above).
bool IsExecutionOutcome(std::string_view upper_state);

struct AlarmMessageContext {
  std::string account;  // AWSAccountId
  std::string region;   // e.g. "us-east-1"; Region is its long name when known
  std::string partition = "aws";
  std::string alarm_topic_arn;  // AlarmActions (and OKActions when notifying recoveries)
};

// The SNS message CloudWatch publishes for an alarm state change, in its key order and compact
// JSON, so existing subscribers of SO0111-ASR_Alarm_Topic parse it unchanged:
// {"AlarmName","AlarmDescription" (the reference's texts),"AWSAccountId","NewStateValue",
//  "NewStateReason","StateChangeTime" ("2026-04-21T08:00:00.123+0000"),"Region"
//  ("US East (N. Virginia)"),"AlarmArn","OldStateValue","OKActions","AlarmActions",
//  "InsufficientDataActions","Trigger":{...}}.
// Trigger: for the count alarms {"MetricName","Namespace":"ASR","StatisticType":"Statistic",
// "Statistic":"SUM","Unit":null,"Dimensions":[{"value","name"}],"Period":86400,
// "EvaluationPeriods":1,"DatapointsToAlarm":1,"ComparisonOperator":
// "GreaterThanOrEqualToThreshold","Threshold":1.0,"TreatMissingData":"- TreatMissingData:
// <padding>notBreaching","EvaluateLowSampleCountPercentile":""}; for the failure-rate alarm
// the metric-math form (no MetricName; "Metrics":[expression, m1 FAILED, m2 SUCCESS]).
std::string AlarmMessageText(const AlarmTransition& transition, const AlarmMessageContext& context);

// CloudWatch's SNS subject: `ALARM: "ASR-NoRunbook" in US East (N. Virginia)`, cut to SNS's
// 100-character limit.
std::string AlarmSubject(const AlarmTransition& transition, std::string_view region);

// "arn:<partition>:sns:<region>:<account>:SO0111-ASR_Alarm_Topic".
std::string ReferenceAlarmTopicArn(std::string_view partition, std::string_view region,
                                   std::string_view account);

// The console name of a region ("US East (N. Virginia)"), or the code itself when unknown.
std::string RegionLongName(std::string_view region);

}  // namespace asr::report
