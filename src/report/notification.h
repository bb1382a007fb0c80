#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "finding/finding.h"

namespace asr::report {

// Which Security Hub console the finding link opens (spec §e.2): the classic one ("CSPM") or
// Security Hub v2.
enum class SecurityHubConsole { kV1, kV2 };

// Everything the reference SNS notification (spec §e.2) says. Plain data; the workflow fills it
// (FillFindingFacts copies the finding part). Strings are used as given: no trimming.
struct NotificationFacts {
  std::string state;               // Remediation_Status, as given ("SUCCESS", "Failed", ...)
  std::string message;             // Notification.Message (see the *Message functions below)
  std::string execution_id;        // prefixed to the message as "<id>: " when not empty
  std::string affected_object;     // appended as " (<object>)" when not empty
  std::string remediation_output;  // Remediation_Output
  std::string job_id;              // StepFunctions_Execution_Id
  std::string account_alias;       // "" → the account id, or "Unknown" when that is "" too
  std::string region;              // the engine's home region (Finding.region, Finding_Link)
  std::string partition = "aws";   // picks the console host of Finding_Link
  SecurityHubConsole console = SecurityHubConsole::kV1;
  // Ticket_URL is present only when this holds a non-empty string (the reference tests the
  // value's truthiness).
  std::optional<std::string> ticket_url;

  // The "Finding" object.
  std::string finding_id;           // the uuid after "/finding/" (the Id when it has none)
  std::string finding_description;  // Description
  std::string standard_name;        // long name, e.g. "security-control"
  std::string standard_version;     // e.g. "2.0.0"
  std::string standard_control;     // e.g. "S3.2"
  std::string title;                // Title
  std::string account;              // AwsAccountId
  std::string finding_arn;          // Id (also the Finding_Link search term)
};

// Copies finding_id (uuid, else id), finding_description, standard_{name,version,control},
// title, account and finding_arn from `finding` into `facts`; leaves the other fields alone.
void FillFindingFacts(const finding::Finding& finding, NotificationFacts& facts);

// "INFO" for the states SUCCESS and QUEUED (case-insensitive, as the reference upper-cases
// Notification.State before comparing), else "ERROR".
std::string_view NotificationSeverity(std::string_view state);

// The SNS message object, keys in the reference's order: Remediation_Status, Severity,
// Account_Alias, Remediation_Output, Message, Finding_Link, Finding{finding_id,
// finding_description, standard_name, standard_version, standard_control, title, region,
// account, finding_arn}, StepFunctions_Execution_Id[, Ticket_URL].
nlohmann::ordered_json SnsMessageObject(const NotificationFacts& facts);

// The SNS Message text: byte for byte what the reference publishes,
// `json.dumps(obj, indent=2, default=str)` of SnsMessageObject(facts).
std::string SnsMessageText(const NotificationFacts& facts);

// Python's `json.dumps(value, indent=indent)` with the default ensure_ascii=True: separators
// "," and ": ", every character outside printable ASCII as \uXXXX (lower-case hex, surrogate
// pairs above U+FFFF), "{}" / "[]" for empty containers; indent < 0 gives the one-line form
// with ", " and ": " separators. Strings are read as UTF-8; an invalid byte is written as
// \ufffd. Integers, booleans and null are exact; floating-point numbers use nlohmann's shortest
// form, which can differ from Python's repr (e.g. 1e+20 vs 1e20).
std::string PythonJsonDumps(const nlohmann::ordered_json& value, int indent);

// Python's urllib.parse.quote_plus(s): UTF-8 bytes percent-encoded with upper-case hex except
// A-Z a-z 0-9 and "_.-~"; a space becomes '+'.
std::string QuotePlus(std::string_view s);

// "console.aws.amazon.com", or "console.amazonaws.cn" (aws-cn) / "console.amazonaws-us-gov.com"
// (aws-us-gov); unknown partitions get the aws host, as in the reference.
std::string_view ConsoleHost(std::string_view partition);

// The Security Hub console link of a finding (spec §e.2 Finding_Link):
// https://<host>/securityhub[/v2]/home?region=<region>#/findings?search=<Id|finding_info.uid>
// %3D%255Coperator%255C%253AEQUALS%255C%253A<QuotePlus(finding_arn)>.
std::string FindingLink(std::string_view finding_arn, std::string_view region,
                        std::string_view partition, SecurityHubConsole console);

// The reference status topic: "arn:<partition>:sns:<region>:<account>:SO0111-ASR_Topic".
std::string ReferenceTopicArn(std::string_view partition, std::string_view region,
                              std::string_view account);

// The payload of an outbox item of kind "sns" that OutboxDispatcher delivers:
// {"topic_arn", "region", "message"}.
nlohmann::json SnsOutboxPayload(std::string_view topic_arn, std::string_view region,
                                std::string_view message);

// Notification.Message texts of the reference state machine (spec §e.1), exact.
// "Remediation queued for <standard> control <control> in account <account>"
std::string QueuedMessage(std::string_view standard, std::string_view control,
                          std::string_view account);
// "Remediation succeeded for <standard> control <control> in account <account>: <detail>"
std::string SucceededMessage(std::string_view standard, std::string_view control,
                             std::string_view account, std::string_view detail);
// "Remediation failed for <standard> control <control> in account <account>: <detail>"
std::string FailedMessage(std::string_view standard, std::string_view control,
                          std::string_view account, std::string_view detail);
// "ASR runbook for control <control> in Security Standard <standard> v<version> could not be
// found in account <account> in region <region>. Verify that the member stacks are deployed in
// this account & region, and that this control is supported by ASR."
std::string NoRunbookMessage(std::string_view control, std::string_view standard,
                             std::string_view version, std::string_view account,
                             std::string_view region);
// "ASR playbook for (<standard>) v<version> is not enabled."
std::string PlaybookNotEnabledMessage(std::string_view standard, std::string_view version);
// "Unable to assume the Orchestrator Member Role (<role>) in account <account>. Please verify
// that the automated-security-response-member-roles stack is deployed in the account and the
// Orchestrator Member Role is valid."
std::string AssumeRoleFailureMessage(std::string_view account, std::string_view role_name);
// "Finding Workflow State is not NEW (<workflow status>)."
std::string NotNewMessage(std::string_view workflow_status);
// "Automation Document (<document>) is not active (<status>) in the member account(<account>)."
std::string RunbookNotActiveMessage(std::string_view document, std::string_view status,
                                    std::string_view account);

}  // namespace asr::report
