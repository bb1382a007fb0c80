#include "finding/internal/derive.h"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include "common/strings.h"

namespace asr::finding::internal {
namespace {

constexpr std::string_view kFindingMarker = "/finding/";
constexpr std::string_view kAccountResourcePrefix = "AWS::::Account:";

// Splits off the text before the first '/', advancing `rest` past it.
std::string_view TakeSegment(std::string_view& rest) {
  const size_t slash = rest.find('/');
  std::string_view segment = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  return segment;
}

bool IsVersion(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') {
    return false;
  }
  for (const char c : v) {
    if (c != '.' && (c < '0' || c > '9')) {
      return false;
    }
  }
  return true;
}

// "<std>/v/<ver>/<ctl>" where the control is the rest of the text.
std::optional<StandardRef> ParseStandardPath(std::string_view rest, StandardSource source) {
  const std::string_view name = TakeSegment(rest);
  if (name.empty() || TakeSegment(rest) != "v") {
    return std::nullopt;
  }
  const std::string_view version = TakeSegment(rest);
  if (!IsVersion(version) || rest.empty()) {
    return std::nullopt;
  }
  return StandardRef{.long_name = std::string(name),
                     .version = std::string(version),
                     .control = std::string(rest),
                     .source = source};
}

bool IsSecurityHubPartition(std::string_view p) {
  return p == "aws" || p == "aws-cn" || p == "aws-us-gov";
}

std::string KeepTypeChars(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
        c == '.' || c == '-') {
      out += c;
    }
  }
  return out;
}

// The account a resource id names: the ARN's account field, or the digits of an account
// resource "AWS::::Account:<12 digits>"; "" when it names none (e.g. S3 bucket ARNs).
std::string_view ResourceAccount(std::string_view id) {
  if (const std::optional<Arn> arn = ParseArn(id)) {
    return arn->account;
  }
  if (id.starts_with(kAccountResourcePrefix)) {
    const std::string_view account = id.substr(kAccountResourcePrefix.size());
    if (IsDigits(account, 12)) {
      return account;
    }
  }
  return {};
}

Status ResolveStandard(std::string_view path, Finding& f) {
  if (f.product_name != "Security Hub") {
    return Status::Ok();  // Routing reports other products as unsupported.
  }
  // A malformed StandardsControlArn or Id is not an error by itself: the next source may work.
  if (std::optional<StandardRef> ref = StandardFromControlArn(f.standards_control_arn)) {
    f.standard = *std::move(ref);
    return Status::Ok();
  }
  if (std::optional<StandardRef> ref = StandardFromFindingId(f.id)) {
    f.standard = *std::move(ref);
    return Status::Ok();
  }
  std::string_view control = f.security_control_id;
  if (control.empty()) {
    control = ControlFromConsolidatedId(f.id).value_or(std::string_view());
  }
  if (!control.empty()) {
    f.standard = StandardRef{.long_name = "security-control",
                             .version = "2.0.0",
                             .control = std::string(control),
                             .source = StandardSource::kSecurityControl};
    return Status::Ok();
  }
  std::string message(path);
  if (!message.empty()) {
    message += ": ";
  }
  if (f.format == FindingFormat::kOcsf) {
    message +=
        "cannot determine the control: finding_info.uid is not a Security Hub control finding id, "
        "and no compliance.control";
  } else {
    message +=
        "cannot determine the control: no ProductFields.StandardsControlArn, Id is not a "
        "Security Hub control finding id, and no Compliance.SecurityControlId";
  }
  return InvalidArgumentError(std::move(message));
}

void CheckAccounts(Finding& f) {
  const bool ocsf = f.format == FindingFormat::kOcsf;
  const std::string_view list = ocsf ? "resources" : "Resources";
  const std::string_view account_field = ocsf ? "cloud.account.uid" : "AwsAccountId";
  for (size_t i = 0; i < f.resources.size(); ++i) {
    const std::string& id = f.resources[i].id;
    const std::string_view account = ResourceAccount(id);
    if (account.empty() || account == f.aws_account_id) {
      continue;
    }
    f.account_mismatch = true;
    f.account_mismatch_detail = std::string(list) + "[" + std::to_string(i) + "] " + Quote(id) +
                                " names account " + std::string(account) + ", but " +
                                std::string(account_field) + " is " + f.aws_account_id;
    return;  // The first mismatch is enough to refuse the finding.
  }
}

}  // namespace

std::optional<StandardRef> StandardFromControlArn(std::string_view arn_text) {
  const std::optional<Arn> arn = ParseArn(arn_text);
  constexpr std::string_view kPrefix = "control/";
  if (!arn || arn->service != "securityhub" || !arn->resource.starts_with(kPrefix)) {
    return std::nullopt;
  }
  return ParseStandardPath(arn->resource.substr(kPrefix.size()),
                           StandardSource::kStandardsControlArn);
}

std::optional<StandardRef> StandardFromFindingId(std::string_view id) {
  const std::optional<Arn> arn = ParseArn(id);
  constexpr std::string_view kPrefix = "subscription/";
  if (!arn || arn->service != "securityhub" || !arn->resource.starts_with(kPrefix)) {
    return std::nullopt;
  }
  const std::string_view rest = arn->resource.substr(kPrefix.size());
  const size_t marker = rest.find(kFindingMarker);
  if (marker == std::string_view::npos || marker + kFindingMarker.size() == rest.size()) {
    return std::nullopt;
  }
  return ParseStandardPath(rest.substr(0, marker), StandardSource::kFindingId);
}

std::optional<std::string_view> ControlFromConsolidatedId(std::string_view id) {
  const std::optional<Arn> arn = ParseArn(id);
  constexpr std::string_view kPrefix = "security-control/";
  if (!arn || arn->service != "securityhub" || !arn->resource.starts_with(kPrefix)) {
    return std::nullopt;
  }
  const std::string_view rest = arn->resource.substr(kPrefix.size());
  const size_t marker = rest.find(kFindingMarker);
  if (marker == 0 || marker == std::string_view::npos ||
      marker + kFindingMarker.size() == rest.size()) {
    return std::nullopt;
  }
  return rest.substr(0, marker);
}

std::string FindingType(std::string_view id) {
  // Spec §c.2:
  // ^arn:(aws|aws-cn|aws-us-gov):securityhub:<region>:\d{12}:subscription/(.+)/finding/.+$ else
  // ^arn:...:\d{12}:(.+)/finding/.+$ (greedy groups, so the last "/finding/" counts).
  const std::optional<Arn> arn = ParseArn(id);
  if (!arn || !IsSecurityHubPartition(arn->partition) || arn->service != "securityhub" ||
      arn->region.empty() || !IsDigits(arn->account, 12)) {
    return {};
  }
  const std::string_view resource = arn->resource;
  const size_t marker = resource.rfind(kFindingMarker);
  if (marker == std::string_view::npos || marker == 0 ||
      marker + kFindingMarker.size() == resource.size()) {
    return {};
  }
  constexpr std::string_view kSubscription = "subscription/";
  std::string_view group = resource.substr(0, marker);
  if (group.starts_with(kSubscription) && group.size() > kSubscription.size()) {
    group.remove_prefix(kSubscription.size());
  }
  return KeepTypeChars(group);
}

Status Finalize(std::string_view path, Finding& f) {
  if (const size_t marker = f.id.find(kFindingMarker); marker != std::string::npos) {
    f.uuid = f.id.substr(marker + kFindingMarker.size());
  }
  f.finding_type = FindingType(f.id);
  if (f.region.empty() && !f.resources.empty()) {
    f.region = f.resources.front().region;
  }
  for (Resource& r : f.resources) {
    if (r.partition.empty()) {
      if (const std::optional<Arn> arn = ParseArn(r.id)) {
        r.partition = std::string(arn->partition);
      }
    }
  }
  ASR_RETURN_IF_ERROR(ResolveStandard(path, f));
  CheckAccounts(f);
  return Status::Ok();
}

}  // namespace asr::finding::internal
