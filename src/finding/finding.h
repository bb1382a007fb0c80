#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace asr::finding {

// Which schema the finding arrived in. OCSF findings (Security Hub v2, class_uid 2003
// "Compliance Finding") are mapped onto the ASFF field names below (spec §b.7 step 2).
enum class FindingFormat { kAsff, kOcsf };

// What kind of envelope carried the finding; decides the trigger (spec §a "Finding Workflow
// State NEW?").
enum class EventKind {
  kImported,      // "Security Hub Findings - Imported": automatic.
  kImportedV2,    // "Findings Imported V2" (OCSF): automatic.
  kCustomAction,  // "Security Hub Findings - Custom Action": a person asked.
  kApiAction,     // "Security Hub Findings - API Action": a person asked (web UI / API).
  kBareFinding,   // A finding without an EventBridge envelope (file, sweep).
};

// The detail-type of the kind ("Security Hub Findings - Imported", ...); "bare finding" for
// kBareFinding.
std::string_view EventKindName(EventKind kind);

enum class ComplianceStatus { kMissing, kPassed, kWarning, kFailed, kNotAvailable };
enum class WorkflowStatus { kMissing, kNew, kNotified, kResolved, kSuppressed };
enum class RecordState { kMissing, kActive, kArchived };

std::string_view ComplianceStatusName(ComplianceStatus s);  // "FAILED", "" for kMissing
std::string_view WorkflowStatusName(WorkflowStatus s);      // "NEW", "" for kMissing
std::string_view RecordStateName(RecordState s);            // "ACTIVE", "" for kMissing

// Where the (standard, version, control) triple was read from.
enum class StandardSource {
  kStandardsControlArn,  // ProductFields.StandardsControlArn (unconsolidated findings)
  kFindingId,            // Id ".../subscription/<std>/v/<ver>/<ctl>/finding/<uuid>"
  kSecurityControl,      // consolidated: ("security-control", "2.0.0", SecurityControlId), or
                         // when that is absent the control in a consolidated Id
                         // ".../security-control/<ctl>/finding/<uuid>"
};

struct StandardRef {
  std::string long_name;  // e.g. "cis-aws-foundations-benchmark", "security-control"
  std::string version;    // e.g. "1.2.0"
  std::string control;    // e.g. "1.6", "S3.2", "PCI.IAM.6"
  StandardSource source = StandardSource::kSecurityControl;
};

struct Tag {
  std::string key;
  std::string value;
};

struct Resource {
  std::string type;       // "AwsS3Bucket", "AwsAccount", or the OCSF type ("AWS::S3::Bucket")
  std::string id;         // usually an ARN; "AWS::::Account:111111111111" for accounts
  std::string region;     // Resources[].Region (may be empty)
  std::string partition;  // Resources[].Partition, else derived from the ARN, else ""
  std::vector<Tag> tags;
  std::string details_json;  // Resources[].Details as compact JSON, "" when absent
};

// A finding, reduced to what asr needs. Strings are empty when the field was absent.
struct Finding {
  FindingFormat format = FindingFormat::kAsff;
  std::string id;            // ASFF Id (OCSF finding_info.uid)
  std::string uuid;          // the part after "/finding/" in Id, "" if the Id has none
  std::string product_arn;   // ProductArn (OCSF metadata.product.uid)
  std::string product_name;  // ProductFields["aws/securityhub/ProductName"], else the top-level
                             // ProductName, else "Security Hub" (the reference's default)
  std::string generator_id;
  std::string aws_account_id;
  std::string region;  // finding Region, else Resources[0].Region
  std::string title;
  std::string description;
  std::string severity_label;  // "INFORMATIONAL" .. "CRITICAL"
  std::vector<std::string> types;
  ComplianceStatus compliance = ComplianceStatus::kMissing;
  std::string security_control_id;  // Compliance.SecurityControlId, else ProductFields.ControlId
  std::string standards_control_arn;
  // Empty (all fields "") when product_name is not "Security Hub": routing reports such findings
  // as unsupported products.
  StandardRef standard;
  WorkflowStatus workflow = WorkflowStatus::kMissing;  // Workflow.Status, else WorkflowState
  RecordState record_state = RecordState::kMissing;
  // In input order. May be empty (Resources absent or []): routing refuses such findings with
  // its own reason.
  std::vector<Resource> resources;
  // ProductFields["RelatedAWSResources:0/name"] when its type is AWS::Config::ConfigRule: the
  // Config rule whose InputParameters carry the Security Hub control parameters.
  std::string related_config_rule;
  // The finding "type" key (spec §c.2): "<std>/v/<ver>/<ctl>" or "security-control/<ctl>".
  std::string finding_type;
  // Set when a resource ARN (or account resource) names an account other than aws_account_id.
  // Such a finding must never be remediated in either account (confused deputy).
  bool account_mismatch = false;
  std::string account_mismatch_detail;
  // The finding object exactly as received (compact JSON), for forwarding and audit; "" when
  // parsed with RawFinding::kDrop.
  std::string raw_json;
};

// One parsed input: an EventBridge event with one or more findings, or a bare finding.
struct Event {
  EventKind kind = EventKind::kBareFinding;
  std::string detail_type;  // as received; "" for a bare finding
  std::string action_name;  // detail.actionName (custom/API action), "" otherwise
  std::string event_id;
  std::string account;  // envelope account (the Security Hub admin account)
  std::string region;   // envelope region
  std::vector<Finding> findings;
};

// How deep SQS bodies may nest (a body holding a message whose body holds an event is 2).
inline constexpr size_t kMaxBodyNesting = 2;

// Whether Finding::raw_json is filled. Re-serialising each finding is about a third of the parse
// cost; callers that only route (`asr explain`, the decision path) can skip it.
enum class RawFinding { kKeep, kDrop };

struct ParseOptions {
  size_t max_bytes = 1024 * 1024;  // larger input is refused (EventBridge caps events at 256 KiB)
  size_t max_depth = 64;           // more nested arrays/objects than this are refused
  size_t max_findings = 100;       // Security Hub batches hold at most 100
  RawFinding raw_finding = RawFinding::kKeep;
};

// Parses any of these inputs (detected by shape, in this order):
//   * an EventBridge event: "detail-type" or "detail" present; "detail.findings" is a non-empty
//     array of findings (ASFF or OCSF);
//   * an SQS message or record whose "body"/"Body" is such an event (parsed recursively, at most
//     kMaxBodyNesting levels), or {"Records":[...]} (every record's findings, in order; all
//     records must have the same kind);
//   * an ASR orchestrator state {"Finding": {...}, "EventType": "..."} (the EventType names the
//     trigger). Without EventType (control-runbook inputs, notification payloads) the finding is
//     a kBareFinding: nothing says a person asked, so the automatic trigger's gates apply;
//   * a bare OCSF finding ("class_uid") or ASFF finding ("SchemaVersion", "Id" or "GeneratorId").
// Accepted detail-type / EventType values: the four named in EventKind, plus "Imported Finding"
// (used by the reference pre-processor's tests) as kImported.
// Findings are validated per spec §c.1 (non-empty Id, GeneratorId and a 12-digit AwsAccountId
// required) and every field read is type-checked; JSON null counts as absent. When a key
// repeats, the last occurrence wins (as in Python and JavaScript, which the reference uses).
// Errors are InvalidArgument with a message that names the field path and the problem, e.g.
// `detail.findings[0].AwsAccountId: must be a 12-digit account id, got "1234"`; errors inside
// an SQS body are prefixed with the body's path ("Records[0].body: detail.findings[0]...").
// Never throws. Thread-safe (each thread reuses its own parsers; no shared state).
Result<Event> ParseEvent(std::string_view json, const ParseOptions& options = {});

// Parses one finding object (OCSF when it has "class_uid", else ASFF) given as JSON text; field
// paths in errors start at the field name ("AwsAccountId: ...").
Result<Finding> ParseFinding(std::string_view json, const ParseOptions& options = {});

}  // namespace asr::finding
