// OCSF "Compliance Finding" (Security Hub v2) → Finding, following the reference pre-processor's
// normalizer (spec §b.7 step 2), with these differences: absent status_id / compliance.status
// stay kMissing instead of NEW / NOT_AVAILABLE, and an absent severity stays "".

#include <array>
#include <cstddef>
#include <cstdint>
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

constexpr int64_t kComplianceFindingClass = 2003;
constexpr int64_t kArchivedActivity = 3;
constexpr int64_t kArchivedStatus = 5;
constexpr std::string_view kSecurityHub = "Security Hub";
constexpr std::string_view kConfigRuleType = "AWS::Config::ConfigRule";

constexpr std::array<std::string_view, 9> kFindingKeys = {
    "class_uid",    "activity_id", "status_id", "severity", "cloud",
    "finding_info", "compliance",  "resources", "metadata"};
constexpr size_t kClassUid = 0;
constexpr size_t kActivityId = 1;
constexpr size_t kStatusId = 2;
constexpr size_t kSeverity = 3;
constexpr size_t kCloud = 4;
constexpr size_t kFindingInfo = 5;
constexpr size_t kCompliance = 6;
constexpr size_t kResources = 7;
constexpr size_t kMetadata = 8;

constexpr std::array<std::string_view, 5> kInfoKeys = {"uid", "title", "desc", "types", "analytic"};
constexpr size_t kInfoUid = 0;
constexpr size_t kInfoTitle = 1;
constexpr size_t kInfoDesc = 2;
constexpr size_t kInfoTypes = 3;
constexpr size_t kInfoAnalytic = 4;

constexpr std::array<std::string_view, 7> kResourceKeys = {
    "type", "uid", "uid_alt", "name", "region", "cloud_partition", "tags"};
constexpr size_t kResType = 0;
constexpr size_t kResUid = 1;
constexpr size_t kResUidAlt = 2;
constexpr size_t kResName = 3;
constexpr size_t kResRegion = 4;
constexpr size_t kResPartition = 5;
constexpr size_t kResTags = 6;

// A member object `key` of `parent` (absent parent or member: nullopt). `path` is the parent's.
Result<std::optional<object>> ChildObject(const std::optional<object>& parent,
                                          std::string_view path, std::string_view key) {
  if (!parent) {
    return std::optional<object>();
  }
  const auto slot = Pick(*parent, std::array<std::string_view, 1>{key});
  return OptionalObject(slot[0], path, key);
}

// A member string `key` of `parent`; "" when the parent or the member is absent.
Result<std::string_view> ChildString(const std::optional<object>& parent, std::string_view path,
                                     std::string_view key) {
  if (!parent) {
    return std::string_view();
  }
  const auto slot = Pick(*parent, std::array<std::string_view, 1>{key});
  return OptionalString(slot[0], path, key);
}

std::string SeverityLabel(std::string_view severity) {
  if (severity.empty()) {
    return {};
  }
  const std::string lower = AsciiLower(severity);
  if (lower == "low" || lower == "medium" || lower == "high" || lower == "critical") {
    return AsciiUpper(lower);
  }
  if (lower == "fatal") {
    return "CRITICAL";  // ASFF's highest label.
  }
  return "INFORMATIONAL";
}

ComplianceStatus MapCompliance(std::string_view status) {
  const std::string lower = AsciiLower(status);
  if (lower == "pass") {
    return ComplianceStatus::kPassed;
  }
  if (lower == "fail") {
    return ComplianceStatus::kFailed;
  }
  if (lower == "warning") {
    return ComplianceStatus::kWarning;
  }
  return ComplianceStatus::kNotAvailable;
}

WorkflowStatus MapWorkflow(int64_t status_id) {
  switch (status_id) {
    case 0:
    case 1:
      return WorkflowStatus::kNew;
    case 2:
      return WorkflowStatus::kNotified;
    case 3:
      return WorkflowStatus::kSuppressed;
    default:
      return WorkflowStatus::kResolved;
  }
}

// GeneratorId the way the reference derives it from finding_info.uid: "security-control/<ctl>"
// or "<std>/v/<ver>/<ctl>"; else, since the uid carries no control, from compliance.control.
std::string GeneratorId(std::string_view uid, std::string_view control) {
  if (const std::optional<std::string_view> ctl = ControlFromConsolidatedId(uid)) {
    return "security-control/" + std::string(*ctl);
  }
  if (const std::optional<StandardRef> ref = StandardFromFindingId(uid)) {
    return ref->long_name + "/v/" + ref->version + "/" + ref->control;
  }
  if (!control.empty()) {
    return "security-control/" + std::string(control);
  }
  return {};
}

Result<std::vector<Tag>> ParseTags(const Slot& slot, std::string_view path) {
  std::vector<Tag> tags;
  ASR_ASSIGN_OR_RETURN(const std::optional<array> list, OptionalArray(slot, path, "tags"));
  if (!list) {
    return tags;
  }
  const std::string tags_path = Member(path, "tags");
  size_t index = 0;
  for (const element value : *list) {
    const std::string tag_path = Element(tags_path, index);
    object tag;
    if (value.get_object().get(tag) != simdjson::SUCCESS) {
      return TypeError(tag_path, "an object", value);
    }
    const auto t = Pick(tag, std::array<std::string_view, 2>{"name", "value"});
    ASR_ASSIGN_OR_RETURN(const std::string_view name, RequiredString(t[0], tag_path, "name"));
    ASR_ASSIGN_OR_RETURN(const std::string_view tag_value, OptionalString(t[1], tag_path, "value"));
    tags.push_back(Tag{.key = std::string(name), .value = std::string(tag_value)});
    ++index;
  }
  return tags;
}

Result<Resource> ParseResource(element value, std::string_view path) {
  object fields;
  if (value.get_object().get(fields) != simdjson::SUCCESS) {
    return TypeError(path, "an object", value);
  }
  const auto slots = Pick(fields, kResourceKeys);
  std::array<std::string_view, kResourceKeys.size()> strings;
  for (size_t i = 0; i < strings.size(); ++i) {
    if (i != kResTags) {
      ASR_ASSIGN_OR_RETURN(strings[i], OptionalString(slots[i], path, kResourceKeys[i]));
    }
  }
  Resource r;
  // uid_alt is usually the ARN; some resources (e.g. CloudFormation.2) carry it in uid.
  if (strings[kResUidAlt].starts_with("arn:")) {
    r.id = strings[kResUidAlt];
  } else if (slots[kResUid].present) {
    r.id = strings[kResUid];
  } else if (slots[kResName].present) {
    r.id = strings[kResName];
  } else {
    return InvalidArgumentError(std::string(path) +
                                ": missing an identifier (one of uid_alt, uid or name)");
  }
  r.type = strings[kResType];
  r.region = strings[kResRegion];
  r.partition = strings[kResPartition];
  ASR_ASSIGN_OR_RETURN(r.tags, ParseTags(slots[kResTags], path));
  return r;
}

Status ParseResources(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<array> list, OptionalArray(slot, path, "resources"));
  if (!list) {
    return Status::Ok();
  }
  const std::string list_path = Member(path, "resources");
  f.resources.reserve(list->size());
  size_t index = 0;
  for (const element value : *list) {
    ASR_ASSIGN_OR_RETURN(Resource r, ParseResource(value, Element(list_path, index)));
    f.resources.push_back(std::move(r));
    ++index;
  }
  return Status::Ok();
}

// cloud.account.uid (required, 12 digits) and cloud.region.
Status ParseCloud(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> cloud, OptionalObject(slot, path, "cloud"));
  const std::string cloud_path = Member(path, "cloud");
  ASR_ASSIGN_OR_RETURN(const std::optional<object> account,
                       ChildObject(cloud, cloud_path, "account"));
  const std::string account_path = Member(cloud_path, "account");
  if (!account) {
    return MissingError(Member(account_path, "uid"));
  }
  const auto uid = Pick(*account, std::array<std::string_view, 1>{"uid"});
  ASR_ASSIGN_OR_RETURN(const std::string_view account_id,
                       RequiredString(uid[0], account_path, "uid"));
  if (!IsDigits(account_id, 12)) {
    return InvalidArgumentError(Member(account_path, "uid") +
                                ": must be a 12-digit account id, got " + Quote(account_id));
  }
  ASR_ASSIGN_OR_RETURN(const std::string_view region, ChildString(cloud, cloud_path, "region"));
  f.aws_account_id = account_id;
  f.region = region;
  return Status::Ok();
}

Status ParseFindingInfo(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> info,
                       OptionalObject(slot, path, "finding_info"));
  const std::string info_path = Member(path, "finding_info");
  if (!info) {
    return MissingError(Member(info_path, "uid"));
  }
  const auto i = Pick(*info, kInfoKeys);
  ASR_ASSIGN_OR_RETURN(const std::string_view uid, RequiredString(i[kInfoUid], info_path, "uid"));
  if (uid.empty()) {
    return InvalidArgumentError(Member(info_path, "uid") + ": must not be empty");
  }
  ASR_ASSIGN_OR_RETURN(const std::string_view title,
                       OptionalString(i[kInfoTitle], info_path, "title"));
  ASR_ASSIGN_OR_RETURN(const std::string_view desc,
                       OptionalString(i[kInfoDesc], info_path, "desc"));
  ASR_ASSIGN_OR_RETURN(f.types, OptionalStrings(i[kInfoTypes], info_path, "types"));
  ASR_ASSIGN_OR_RETURN(const std::optional<object> analytic,
                       OptionalObject(i[kInfoAnalytic], info_path, "analytic"));
  const std::string analytic_path = Member(info_path, "analytic");
  ASR_ASSIGN_OR_RETURN(const std::string_view analytic_name,
                       ChildString(analytic, analytic_path, "name"));
  ASR_ASSIGN_OR_RETURN(const std::string_view analytic_category,
                       ChildString(analytic, analytic_path, "category"));
  f.id = uid;
  f.title = title;
  f.description = desc;
  if (analytic_category == kConfigRuleType) {
    f.related_config_rule = analytic_name;
  }
  return Status::Ok();
}

Status ParseCompliance(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> compliance,
                       OptionalObject(slot, path, "compliance"));
  if (!compliance) {
    return Status::Ok();
  }
  const std::string c_path = Member(path, "compliance");
  const auto c = Pick(*compliance, std::array<std::string_view, 2>{"status", "control"});
  ASR_ASSIGN_OR_RETURN(const std::string_view status, OptionalString(c[0], c_path, "status"));
  ASR_ASSIGN_OR_RETURN(const std::string_view control, OptionalString(c[1], c_path, "control"));
  if (c[0].present) {
    f.compliance = MapCompliance(status);
  }
  f.security_control_id = control;
  return Status::Ok();
}

Status ParseProduct(const Slot& slot, std::string_view path, Finding& f) {
  ASR_ASSIGN_OR_RETURN(const std::optional<object> metadata,
                       OptionalObject(slot, path, "metadata"));
  const std::string metadata_path = Member(path, "metadata");
  ASR_ASSIGN_OR_RETURN(const std::optional<object> product,
                       ChildObject(metadata, metadata_path, "product"));
  const std::string product_path = Member(metadata_path, "product");
  ASR_ASSIGN_OR_RETURN(const std::string_view uid, ChildString(product, product_path, "uid"));
  ASR_ASSIGN_OR_RETURN(const std::string_view name, ChildString(product, product_path, "name"));
  f.product_arn = uid;
  f.product_name = name.empty() ? kSecurityHub : name;
  return Status::Ok();
}

}  // namespace

Result<Finding> ParseOcsfFinding(object finding, std::string_view path) {
  const auto slots = Pick(finding, kFindingKeys);
  ASR_ASSIGN_OR_RETURN(const std::optional<int64_t> class_uid,
                       OptionalInt(slots[kClassUid], path, "class_uid"));
  if (!class_uid) {
    return MissingError(Member(path, "class_uid"));
  }
  if (*class_uid != kComplianceFindingClass) {
    return InvalidArgumentError(Member(path, "class_uid") + ": unsupported OCSF class " +
                                std::to_string(*class_uid) +
                                "; accepted: 2003 (Compliance Finding)");
  }
  Finding f;
  f.format = FindingFormat::kOcsf;
  ASR_RETURN_IF_ERROR(ParseFindingInfo(slots[kFindingInfo], path, f));
  ASR_RETURN_IF_ERROR(ParseCloud(slots[kCloud], path, f));
  ASR_RETURN_IF_ERROR(ParseProduct(slots[kMetadata], path, f));
  ASR_RETURN_IF_ERROR(ParseCompliance(slots[kCompliance], path, f));

  ASR_ASSIGN_OR_RETURN(const std::optional<int64_t> activity_id,
                       OptionalInt(slots[kActivityId], path, "activity_id"));
  ASR_ASSIGN_OR_RETURN(const std::optional<int64_t> status_id,
                       OptionalInt(slots[kStatusId], path, "status_id"));
  f.record_state = (activity_id == kArchivedActivity || status_id == kArchivedStatus)
                       ? RecordState::kArchived
                       : RecordState::kActive;
  if (status_id) {
    f.workflow = MapWorkflow(*status_id);
  }
  ASR_ASSIGN_OR_RETURN(const std::string_view severity,
                       OptionalString(slots[kSeverity], path, "severity"));
  f.severity_label = SeverityLabel(severity);
  f.generator_id = GeneratorId(f.id, f.security_control_id);

  ASR_RETURN_IF_ERROR(ParseResources(slots[kResources], path, f));
  ASR_RETURN_IF_ERROR(Finalize(path, f));
  return f;
}

Result<Finding> ParseAnyFinding(element finding, std::string_view path) {
  object fields;
  if (finding.get_object().get(fields) != simdjson::SUCCESS) {
    return TypeError(path.empty() ? "finding" : path, "an object", finding);
  }
  // class_uid is OCSF-only; ASFF has no such key. (null counts as absent, as everywhere.)
  bool ocsf = false;
  for (const simdjson::dom::key_value_pair field : fields) {
    if (field.key == "class_uid" && !field.value.is_null()) {
      ocsf = true;
      break;
    }
  }
  return ocsf ? ParseOcsfFinding(fields, path) : ParseAsffFinding(fields, path);
}

}  // namespace asr::finding::internal
