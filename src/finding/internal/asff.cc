// ASFF → Finding (spec §c.1, §c.2).

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "finding/internal/derive.h"
#include "finding/internal/json.h"
#include "finding/internal/mappers.h"

namespace asr::finding::internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Top-level ASFF keys read, in Pick() order.
constexpr std::array<std::string_view, 16> kFindingKeys = {
    "Id",           "AwsAccountId", "GeneratorId",   "ProductArn",  "ProductName",
    "Region",       "Title",        "Description",   "Severity",    "Types",
    "Compliance",   "Workflow",     "WorkflowState", "RecordState", "Resources",
    "ProductFields"};
constexpr size_t kId = 0;
constexpr size_t kAwsAccountId = 1;
constexpr size_t kGeneratorId = 2;
constexpr size_t kProductArn = 3;
constexpr size_t kProductName = 4;
constexpr size_t kRegion = 5;
constexpr size_t kTitle = 6;
constexpr size_t kDescription = 7;
constexpr size_t kSeverity = 8;
constexpr size_t kTypes = 9;
constexpr size_t kCompliance = 10;
constexpr size_t kWorkflow = 11;
constexpr size_t kWorkflowState = 12;
constexpr size_t kRecordState = 13;
constexpr size_t kResources = 14;
constexpr size_t kProductFields = 15;

constexpr std::array<std::string_view, 5> kProductFieldKeys = {
    "aws/securityhub/ProductName", "ControlId", "StandardsControlArn", "RelatedAWSResources:0/name",
    "RelatedAWSResources:0/type"};
constexpr size_t kPfProductName = 0;
constexpr size_t kPfControlId = 1;
constexpr size_t kPfStandardsControlArn = 2;
constexpr size_t kPfRelatedName = 3;
constexpr size_t kPfRelatedType = 4;

constexpr std::array<std::string_view, 6> kResourceKeys = {"Type",      "Id",   "Region",
                                                           "Partition", "Tags", "Details"};
constexpr size_t kResType = 0;
constexpr size_t kResId = 1;
constexpr size_t kResRegion = 2;
constexpr size_t kResPartition = 3;
constexpr size_t kResTags = 4;
constexpr size_t kResDetails = 5;

constexpr std::string_view kSecurityHub = "Security Hub";
constexpr std::string_view kConfigRuleType = "AWS::Config::ConfigRule";

// One accepted value of an enumerated ASFF field.
template <typename E>
struct EnumValue {
  std::string_view name;
  E value;
};

template <typename E, size_t N>
Result<E> ParseEnum(const Slot& slot, std::string_view path, std::string_view key,
                    const std::array<EnumValue<E>, N>& values, E absent) {
  ASR_ASSIGN_OR_RETURN(const std::string_view text, OptionalString(slot, path, key));
  if (!slot.present) {
    return absent;
  }
  for (const EnumValue<E>& v : values) {
    if (v.name == text) {
      return v.value;
    }
  }
  std::string message = Member(path, key) + ": unknown value " + Quote(text) + "; accepted: ";
  for (size_t i = 0; i < N; ++i) {
    message += i == 0 ? "" : ", ";
    message += values[i].name;
  }
  return InvalidArgumentError(std::move(message));
}

constexpr std::array<EnumValue<ComplianceStatus>, 4> kComplianceValues = {{
    {"PASSED", ComplianceStatus::kPassed},
    {"WARNING", ComplianceStatus::kWarning},
    {"FAILED", ComplianceStatus::kFailed},
    {"NOT_AVAILABLE", ComplianceStatus::kNotAvailable},
}};
constexpr std::array<EnumValue<WorkflowStatus>, 4> kWorkflowValues = {{
    {"NEW", WorkflowStatus::kNew},
    {"NOTIFIED", WorkflowStatus::kNotified},
    {"RESOLVED", WorkflowStatus::kResolved},
    {"SUPPRESSED", WorkflowStatus::kSuppressed},
}};
// The legacy WorkflowState values, mapped the way Security Hub maps them onto Workflow.Status.
constexpr std::array<EnumValue<WorkflowStatus>, 7> kWorkflowStateValues = {{
    {"NEW", WorkflowStatus::kNew},
    {"ASSIGNED", WorkflowStatus::kNotified},
    {"IN_PROGRESS", WorkflowStatus::kNotified},
    {"DEFERRED", WorkflowStatus::kSuppressed},
    {"RESOLVED", WorkflowStatus::kResolved},
    {"NOTIFIED", WorkflowStatus::kNotified},
    {"SUPPRESSED", WorkflowStatus::kSuppressed},
}};
constexpr std::array<EnumValue<RecordState>, 2> kRecordStateValues = {{
    {"ACTIVE", RecordState::kActive},
    {"ARCHIVED", RecordState::kArchived},
}};

bool IsSeverityLabel(std::string_view s) {
  return s == "INFORMATIONAL" || s == "LOW" || s == "MEDIUM" || s == "HIGH" || s == "CRITICAL";
}

Result<std::vector<Tag>> ParseTags(const Slot& slot, std::string_view path) {
  std::vector<Tag> tags;
  ASR_ASSIGN_OR_RETURN(const std::optional<object> map, OptionalObject(slot, path, "Tags"));
  if (!map) {
    return tags;
  }
  for (const simdjson::dom::key_value_pair field : *map) {
    std::string_view value;
    if (field.value.get_string().get(value) != simdjson::SUCCESS) {
      return TypeError(Member(Member(path, "Tags"), field.key), "a string", field.value);
    }
    tags.push_back(Tag{.key = std::string(field.key), .value = std::string(value)});
  }
  return tags;
}

Result<Resource> ParseResource(element value, std::string_view path) {
  object fields;
  if (value.get_object().get(fields) != simdjson::SUCCESS) {
    return TypeError(path, "an object", value);
  }
  const auto slots = Pick(fields, kResourceKeys);
  Resource r;
  ASR_ASSIGN_OR_RETURN(const std::string_view id, RequiredString(slots[kResId], path, "Id"));
  ASR_ASSIGN_OR_RETURN(const std::string_view type, OptionalString(slots[kResType], path, "Type"));
  ASR_ASSIGN_OR_RETURN(const std::string_view region,
                       OptionalString(slots[kResRegion], path, "Region"));
  ASR_ASSIGN_OR_RETURN(const std::string_view partition,
                       OptionalString(slots[kResPartition], path, "Partition"));
  r.id = id;
  r.type = type;
  r.region = region;
  r.partition = partition;
  ASR_ASSIGN_OR_RETURN(r.tags, ParseTags(slots[kResTags], path));
  ASR_ASSIGN_OR_RETURN(const std::optional<object> details,
                       OptionalObject(slots[kResDetails], path, "Details"));
  if (details) {
    r.details_json = Minify(*details);
  }
  return r;
}

Status ParseResources(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<array> list, OptionalArray(slot, path, "Resources"));
  if (!list) {
    return Status::Ok();
  }
  f.resources.reserve(list->size());
  size_t index = 0;
  for (const element value : *list) {
    ASR_ASSIGN_OR_RETURN(Resource r,
                         ParseResource(value, Element(Member(path, "Resources"), index)));
    f.resources.push_back(std::move(r));
    ++index;
  }
  return Status::Ok();
}

Status ParseProductFields(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> map,
                       OptionalObject(slot, path, "ProductFields"));
  if (!map) {
    return Status::Ok();
  }
  const std::string pf_path = Member(path, "ProductFields");
  const auto pf = Pick(*map, kProductFieldKeys);
  std::array<std::string_view, kProductFieldKeys.size()> values;
  for (size_t i = 0; i < values.size(); ++i) {
    ASR_ASSIGN_OR_RETURN(values[i], OptionalString(pf[i], pf_path, kProductFieldKeys[i]));
  }
  if (pf[kPfProductName].present) {
    f.product_name = values[kPfProductName];
  }
  if (f.security_control_id.empty()) {
    f.security_control_id = values[kPfControlId];
  }
  f.standards_control_arn = values[kPfStandardsControlArn];
  if (values[kPfRelatedType] == kConfigRuleType) {
    f.related_config_rule = values[kPfRelatedName];
  }
  return Status::Ok();
}

Status ParseSeverity(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> severity,
                       OptionalObject(slot, path, "Severity"));
  if (!severity) {
    return Status::Ok();
  }
  const std::string s_path = Member(path, "Severity");
  const auto s = Pick(*severity, std::array<std::string_view, 2>{"Label", "Original"});
  ASR_ASSIGN_OR_RETURN(const std::string_view label, OptionalString(s[0], s_path, "Label"));
  ASR_ASSIGN_OR_RETURN(const std::string_view original, OptionalString(s[1], s_path, "Original"));
  if (!label.empty()) {
    f.severity_label = label;
  } else if (IsSeverityLabel(original)) {
    f.severity_label = original;
  }
  return Status::Ok();
}

Status ParseCompliance(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> compliance,
                       OptionalObject(slot, path, "Compliance"));
  if (!compliance) {
    return Status::Ok();
  }
  const std::string c_path = Member(path, "Compliance");
  const auto c = Pick(*compliance, std::array<std::string_view, 2>{"Status", "SecurityControlId"});
  ASR_ASSIGN_OR_RETURN(f.compliance, ParseEnum(c[0], c_path, "Status", kComplianceValues,
                                               ComplianceStatus::kMissing));
  ASR_ASSIGN_OR_RETURN(const std::string_view control,
                       OptionalString(c[1], c_path, "SecurityControlId"));
  f.security_control_id = control;
  return Status::Ok();
}

Status ParseWorkflow(const Slot& workflow_slot, const Slot& state_slot, std::string_view path,
                     Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> workflow,
                       OptionalObject(workflow_slot, path, "Workflow"));
  if (workflow) {
    const auto w = Pick(*workflow, std::array<std::string_view, 1>{"Status"});
    ASR_ASSIGN_OR_RETURN(f.workflow, ParseEnum(w[0], Member(path, "Workflow"), "Status",
                                               kWorkflowValues, WorkflowStatus::kMissing));
  }
  if (f.workflow == WorkflowStatus::kMissing) {
    ASR_ASSIGN_OR_RETURN(f.workflow, ParseEnum(state_slot, path, "WorkflowState",
                                               kWorkflowStateValues, WorkflowStatus::kMissing));
  }
  return Status::Ok();
}

}  // namespace

Result<Finding> ParseAsffFinding(object finding, std::string_view path) {
  const auto slots = Pick(finding, kFindingKeys);
  Finding f;
  f.format = FindingFormat::kAsff;

  // Spec §c.1 step 1: a finding is valid iff Id, GeneratorId and AwsAccountId are present.
  ASR_ASSIGN_OR_RETURN(const std::string_view id, RequiredString(slots[kId], path, "Id"));
  if (id.empty()) {
    return InvalidArgumentError(Member(path, "Id") + ": must not be empty");
  }
  ASR_ASSIGN_OR_RETURN(const std::string_view account,
                       RequiredString(slots[kAwsAccountId], path, "AwsAccountId"));
  if (!IsDigits(account, 12)) {
    return InvalidArgumentError(Member(path, "AwsAccountId") +
                                ": must be a 12-digit account id, got " + Quote(account));
  }
  ASR_ASSIGN_OR_RETURN(const std::string_view generator,
                       RequiredString(slots[kGeneratorId], path, "GeneratorId"));
  f.id = id;
  f.aws_account_id = account;
  f.generator_id = generator;

  ASR_ASSIGN_OR_RETURN(const std::string_view product_arn,
                       OptionalString(slots[kProductArn], path, "ProductArn"));
  ASR_ASSIGN_OR_RETURN(const std::string_view product_name,
                       OptionalString(slots[kProductName], path, "ProductName"));
  ASR_ASSIGN_OR_RETURN(const std::string_view region,
                       OptionalString(slots[kRegion], path, "Region"));
  ASR_ASSIGN_OR_RETURN(const std::string_view title, OptionalString(slots[kTitle], path, "Title"));
  ASR_ASSIGN_OR_RETURN(const std::string_view description,
                       OptionalString(slots[kDescription], path, "Description"));
  f.product_arn = product_arn;
  f.product_name = slots[kProductName].present ? product_name : kSecurityHub;
  f.region = region;
  f.title = title;
  f.description = description;

  ASR_RETURN_IF_ERROR(ParseSeverity(slots[kSeverity], path, f));
  ASR_ASSIGN_OR_RETURN(f.types, OptionalStrings(slots[kTypes], path, "Types"));
  ASR_RETURN_IF_ERROR(ParseCompliance(slots[kCompliance], path, f));
  ASR_RETURN_IF_ERROR(ParseWorkflow(slots[kWorkflow], slots[kWorkflowState], path, f));
  ASR_ASSIGN_OR_RETURN(f.record_state, ParseEnum(slots[kRecordState], path, "RecordState",
                                                 kRecordStateValues, RecordState::kMissing));
  ASR_RETURN_IF_ERROR(ParseProductFields(slots[kProductFields], path, f));
  ASR_RETURN_IF_ERROR(ParseResources(slots[kResources], path, f));

  ASR_RETURN_IF_ERROR(Finalize(path, f));
  return f;
}

}  // namespace asr::finding::internal
