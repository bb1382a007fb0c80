#include "report/finding_update.h"

#include "common/arn.h"
#include "report/internal/utf8.h"

namespace asr::report {

std::string_view WorkflowStatusFor(FindingUpdateKind kind) {
  return kind == FindingUpdateKind::kResolve ? "RESOLVED" : "NOTIFIED";
}

std::string TruncateNoteText(std::string_view text) {
  if (internal::Utf8Length(text) <= kNoteTextMaxChars) {
    return std::string(text);
  }
  std::string out(text.substr(0, internal::Utf8PrefixBytes(text, kNoteTextMaxChars - 3)));
  out += "...";
  return out;
}

std::string ResolvedNoteText(std::string_view message) {
  std::string text(kResolvedNotePrefix);
  text += message;
  return TruncateNoteText(text);
}

std::string FlagNoteText(std::string_view message) { return TruncateNoteText(message); }

std::string NoteText(FindingUpdateKind kind, std::string_view message) {
  return kind == FindingUpdateKind::kResolve ? ResolvedNoteText(message) : FlagNoteText(message);
}

std::string ProductArnV1(std::string_view product_arn) {
  const std::optional<Arn> arn = ParseArn(product_arn);
  if (!arn.has_value() || arn->service != "securityhub") {
    return std::string(product_arn);
  }
  std::string_view resource = arn->resource;
  std::string_view rest;
  if (resource.starts_with("productv2/")) {
    rest = resource.substr(std::string_view("productv2/").size());
  } else if (resource.starts_with("product/")) {
    rest = resource.substr(std::string_view("product/").size());
  } else {
    return std::string(product_arn);
  }
  const std::string_view account = rest.starts_with("aws/") ? std::string_view() : arn->account;
  return MakeArn(arn->partition, arn->service, arn->region, account,
                 std::string("product/") + std::string(rest));
}

nlohmann::json SecurityHubOutboxPayload(const FindingUpdate& update) {
  return {{"region", update.region},
          {"finding_id", update.finding_id},
          {"product_arn", ProductArnV1(update.product_arn)},
          {"note", NoteText(update.kind, update.message)},
          {"updated_by", std::string(kNoteUpdatedBy)},
          {"status", std::string(WorkflowStatusFor(update.kind))}};
}

}  // namespace asr::report
