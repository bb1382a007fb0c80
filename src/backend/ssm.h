#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"
#include "common/status.h"

// The `ssm` execution backend (DESIGN.md §3 "Two execution backends"): compatibility with
// existing ASR member stacks. The engine checks that the control runbook exists (spec §b.2 step
// 6), starts it (§b.3 step 4) and polls it every 10 s (§b.4) from a durable job; this file holds
// the names, the three AWS calls and the pure interpretation of an execution. It keeps no state:
// every function is thread-safe as long as the borrowed aws::Client is (it is).
namespace asr::backend {

// ---------------------------------------------------------------------------------------------
// Names (spec §0 "Names that a re-implementation must reproduce").

// "ASR-<short_name>_<version>_<control>", e.g. ("AFSBP", "1.0.0", "EC2.6") →
// "ASR-AFSBP_1.0.0_EC2.6", ("CIS", "1.4.0", "4.1") → "ASR-CIS_1.4.0_4.1". `control` is the
// control the runbook remediates (after remapping). Pure; no validation (see ValidateDocument).
std::string ControlRunbookName(std::string_view short_name, std::string_view version,
                               std::string_view control);

// "arn:<partition>:iam::<account>:role/<role_name>", the AutomationAssumeRole parameter. Pure.
std::string AutomationRoleArn(std::string_view partition, std::string_view account,
                              std::string_view role_name);

// A deterministic SSM ClientToken (the StartAutomationExecution idempotency token, which must
// be a 36-character UUID) for a job: the first 16 bytes of SHA-256("asr/ssm/" + job_id) as a
// lower-case RFC 9562 version-8 UUID. The same job id always gives the same token, so a job
// that crashed after StartAutomationExecution and runs the step again gets the execution it
// already started instead of a second one; different job ids give different tokens. Pure.
std::string ClientTokenFor(std::string_view job_id);

// ---------------------------------------------------------------------------------------------
// Validation (spec §b.4 step 1). Each returns OK or InvalidArgument naming the field, the bad
// value (quoted, truncated) and what would be accepted. Pure.

// ^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$ (lower-case, as the reference).
Status ValidateExecutionId(std::string_view execution_id);
// Twelve digits.
Status ValidateAccount(std::string_view account);
// ^[a-z]{2}(?:-gov)?-[a-z]+-\d$ — the reference's pattern; it accepts us-east-1,
// us-gov-west-1, cn-north-1, ap-southeast-2 and rejects e.g. us-isob-east-1.
Status ValidateRegion(std::string_view region);
// SSM's document name pattern ^[a-zA-Z0-9_\-.:/]{3,128}$.
Status ValidateDocument(std::string_view document);

// ---------------------------------------------------------------------------------------------
// AWS calls. Each makes exactly one call through `member` in `region`; `call` supplies the
// member-account credentials (the assumed SO0111-ASR-Orchestrator-Member role chain) and an
// optional observer; its `region` is replaced by `region`. AWS errors keep their AWS error code,
// request id and retryable flag, with "ssm.<Operation> <what>" context prepended.

// What DescribeDocument said about a control runbook; the engine maps it to a job state.
enum class RunbookState {
  kActive,        // Status "Active" and DocumentType "Automation" → go on
  kNotActive,     // exists, but another status or type → RUNBOOK_NOT_ACTIVE
  kNotFound,      // InvalidDocument → NO_RUNBOOK
  kAccessDenied,  // AccessDenied* (incl. a failed AssumeRole) → ASSUME_ROLE_FAILURE
};
// "ACTIVE", "NOTACTIVE", "NOTFOUND", "ACCESSDENIED" (the reference's DocState values).
std::string_view RunbookStateName(RunbookState state);

struct RunbookCheck {
  RunbookState state = RunbookState::kNotFound;
  std::string document_status;  // DescribeDocument's Document.Status, when it answered
  std::string document_type;    // Document.DocumentType, when it answered
  std::string message;          // "" for kActive; otherwise why, for the notification
};

// ssm:DescribeDocument(Name=document) in `region` (spec §b.2 step 6). The answers a job
// decides on are values: kActive, kNotActive, kNotFound, kAccessDenied. Deliberately not the
// reference's quirk 1 (which reports every existing document ACTIVE): a document whose Status
// is not "Active" or whose DocumentType is not "Automation" is kNotActive.
// Errors: InvalidArgument (bad region or document name, no call made); every other failure of
// the call as its Status — Throttled (retryable, the reference re-raises it for a retry),
// Unavailable, Internal, ... — which the engine treats as LAMBDA_ERROR or retries.
Result<RunbookCheck> CheckRunbook(aws::Client& member, std::string_view region,
                                  std::string_view document, const aws::CallOptions& call = {});

struct StartRequest {
  std::string region;               // where the resource is (the finding's resource region)
  std::string document;             // ControlRunbookName(...)
  nlohmann::json finding;           // the ASFF finding, passed as the Finding parameter
  std::string automation_role_arn;  // AutomationRoleArn(...), the AutomationAssumeRole parameter
  std::string client_token;         // ClientTokenFor(job id)
};

// ssm:StartAutomationExecution(DocumentName, Parameters={Finding:[<finding as compact JSON>],
// AutomationAssumeRole:[arn]}, ClientToken) (spec §b.3 step 4); returns the
// AutomationExecutionId. Idempotency: SSM answers a repeated call with the same ClientToken and
// the same parameters with the execution the first call started, and a repeated token with
// different parameters with IdempotentParameterMismatch — so the caller must pass the finding it
// stored with the job, not a fresher copy. (Per the botocore model documentation; moto does not
// implement automation executions, so this is not exercised against a live service here.)
// Errors: InvalidArgument (empty/invalid field or token not in UUID format; no call made);
// Conflict with aws code IdempotentParameterMismatch; NotFound for
// AutomationDefinitionNotFoundException; Unavailable, retryable, for
// AutomationExecutionLimitExceededException (too many automations running there); Internal when
// the answer has no valid execution id; otherwise the call's Status (e.g. Throttled, retryable;
// PermissionDenied for AccessDenied*).
Result<std::string> StartRunbook(aws::Client& member, const StartRequest& request,
                                 const aws::CallOptions& call = {});

// ---------------------------------------------------------------------------------------------
// Interpretation (spec §b.4 steps 2–3) and outcome.

// One look at an automation execution, as the reference's monitorSSMExecState reports it.
struct ExecutionResult {
  // SSM reached a final status (see InterpretExecution); keep polling while false.
  bool terminal = false;
  // terminal, SSM said Success (or CompletedWithSuccess) and the runbook's own status is not
  // "failed" (any case). Fixes quirk 3: the reference reports SSM Success + runbook status
  // "Failed" with State "Success" (a success); here that is a failure.
  bool succeeded = false;
  std::string ssm_status;              // AutomationExecutionStatus ("ERROR" when absent)
  std::string remediation_status;      // runbook status; SSM status when not Success; "running"
  std::string message;                 // Remediation.Message of the notification
  std::string affected_object;         // "<Type> <Id>", the plain value, "UNKNOWN"; "" when running
  std::string remediation_output;      // Python str() of the runbook response without its message
  std::vector<std::string> log_lines;  // ExecutionLog lines, then FailureMessage (the logdata)
};

// Interprets one AutomationExecutionMetadata item of DescribeAutomationExecutions, exactly as
// the reference's check_ssm_execution.py does, except where noted. Pure; never fails: any
// shape (missing members, wrong types, unparsable JSON) gives a result.
//   * Terminal statuses: Success, TimedOut, Cancelled, Cancelling, Failed (the reference's set),
//     plus SSM's other final statuses CompletedWithSuccess, CompletedWithFailure, Exited,
//     Rejected and ChangeCalendarOverrideRejected (the reference would poll those until its
//     23 h timeout). Anything else: terminal=false, remediation_status "running", message
//     "Waiting for completion", no output, object or log lines.
//   * affected_object from Outputs["ParseInput.AffectedObject"][0]: a JSON object with Type and
//     Id → "<Type> <Id>"; other JSON → Python str() of it; not JSON → the text; "UNKNOWN" when
//     absent or empty.
//   * The runbook response: Outputs["Remediation.Output"] (a lone "No output available yet
//     because the step is not successfully executed" becomes "See Automation Execution output
//     for details"), else Outputs["VerifyRemediation.Output"]; its first value parsed as JSON,
//     {"message": <text>} when that is not a JSON object (the reference crashes on non-object
//     JSON); {} for an empty list. With neither output the response is {"message":
//     json.dumps(Outputs)} (keys sorted, Python's separators).
//   * remediation_status, when SSM says Success: Payload.response.status ("UNKNOWN" if
//     Payload.response lacks it), else the response's status, else the SSM status. Otherwise
//     the SSM status.
//   * message: Payload.response.status if Payload.response exists, else the first key equal to
//     "message" ignoring case, else "Remediation status: <status> - please verify remediation".
//   * remediation_output: Python str() of the response after removing that message key (key
//     order as in the runbook's JSON). log_lines: the response's ExecutionLog split on '\n',
//     then FailureMessage when not empty.
// Non-string values are rendered with Python's str().
ExecutionResult InterpretExecution(const nlohmann::json& metadata);

// The job outcome and the RemediationOutcome metric's Outcome (spec §e.5): "SUCCESS" when
// succeeded; for other terminal results the SSM status upper-cased — "FAILED", "TIMEDOUT",
// "CANCELLED", "CANCELLING" — and "FAILED" for SSM Success with a failed runbook (quirk 3) and
// for the extra final statuses; "" while not terminal. The reference's Remediation Failed state
// uses the SSM status as given ("TimedOut") and send_notifications upper-cases it for metrics
// and the log; asr's state names are upper-case everywhere (DESIGN.md "Compatibility surface"),
// so the upper-case form is the state. Pure.
std::string OutcomeState(const ExecutionResult& result);

// ssm:DescribeAutomationExecutions(Filters=[{Key:"ExecutionId", Values:[execution_id]}]) in
// `region`, interpreting the first item (spec §b.4).
// Errors: InvalidArgument (bad region or execution id; no call made); NotFound when SSM lists
// no such execution; otherwise the call's Status.
Result<ExecutionResult> PollRunbook(aws::Client& member, std::string_view region,
                                    std::string_view execution_id,
                                    const aws::CallOptions& call = {});

// ---------------------------------------------------------------------------------------------
// Python formatting, exposed for tests and for callers that must match the reference's text.

// Python's str()/repr() of the value json.loads would produce: {'a': 1, 'b': [True, None]},
// strings in single quotes (double quotes when the text has ' but no "), printable non-ASCII
// kept, controls as \n \t \r \xNN, floats in Python's shortest repr (1.0, 1e+16, 1.5e-05).
// Objects keep the order of the given json (sorted for nlohmann::json). Pure.
std::string PythonRepr(const nlohmann::ordered_json& value);
std::string PythonRepr(const nlohmann::json& value);

// Python's json.dumps(value) with default arguments: separators ", " and ": ", ensure_ascii
// (\uXXXX, surrogate pairs above U+FFFF). Floats as PythonRepr. Pure.
std::string PythonJsonDumps(const nlohmann::json& value);

}  // namespace asr::backend
