#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remediation/context.h"
#include "report/finding_update.h"
#include "store/store.h"

namespace asr::workflow {

// How a job ended (or paused), and what to report about it.
struct JobOutcome {
  std::string state;    // visible state and the SNS Remediation_Status
  std::string reason;   // stable code
  std::string message;  // Notification.Message
  std::string detail;   // extra text for the log (error, cause)
  std::string affected_object;
  std::string remediation_output;
  std::string execution_id;  // the SSM automation execution (ssm backend), prefixed to Message
  bool failed = false;       // counts as a failure for the circuit breaker
  // What to do to the finding (nullopt: nothing).
  std::optional<report::FindingUpdateKind> finding_update;
  // Outbox key: one item of each kind per (job, key), so a rerun never reports twice.
  std::string report_key = "outcome";
};

// The store setting holding the alarm states (report::AlarmStatesToJson).
inline constexpr std::string_view kAlarmsSettingKey = "alarms";

// Exits the process at once when `failpoint` equals `name` (EngineOptions::failpoint).
void Failpoint(const std::string& failpoint, std::string_view name);

// One "aws_call" journal entry per call (service, operation, status, request id, latency).
void AppendCallJournal(const std::string& job_id, store::Millis now,
                       const std::vector<remediation::CallRecord>& calls,
                       std::vector<store::JournalEntry>& journal);

// A FAILED outcome with `message`, flagging the finding.
JobOutcome FailedOutcome(std::string message);

// The region of an SNS topic ARN ("arn:aws:sns:us-east-1:111:topic" → "us-east-1"), "" when
// it is not an ARN.
std::string TopicRegion(const std::string& topic_arn);

}  // namespace asr::workflow
