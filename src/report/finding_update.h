#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace asr::report {

// Security Hub caps Note.Text (and the v2 Comment) at 512 characters.
inline constexpr size_t kNoteTextMaxChars = 512;
// Note.UpdatedBy of the reference's admin-side updates (the Python method's name).
inline constexpr std::string_view kNoteUpdatedBy = "update_text_and_status";
// Prefixed to the note of a resolved finding.
inline constexpr std::string_view kResolvedNotePrefix = "[automated-security-response-on-aws] ";

// What a notification does to the finding (spec §e.3): SUCCESS resolves it, every other
// non-QUEUED outcome flags it for a person.
enum class FindingUpdateKind {
  kResolve,  // Workflow.Status RESOLVED, note kResolvedNotePrefix + message
  kFlag,     // Workflow.Status NOTIFIED, note = message
};

// "RESOLVED" or "NOTIFIED".
std::string_view WorkflowStatusFor(FindingUpdateKind kind);

// `text` cut to Security Hub's limit the way the reference does it: when it has more than
// kNoteTextMaxChars characters, its first kNoteTextMaxChars - 3 characters followed by "...".
// Characters are Unicode code points of the UTF-8 text, so a sequence is never split.
std::string TruncateNoteText(std::string_view text);

// The note of a resolved finding: TruncateNoteText(kResolvedNotePrefix + message).
std::string ResolvedNoteText(std::string_view message);
// The note of a flagged finding: TruncateNoteText(message).
std::string FlagNoteText(std::string_view message);
// The note for `kind`.
std::string NoteText(FindingUpdateKind kind, std::string_view message);

// The ProductArn BatchUpdateFindings wants: the Security Hub v2 form "::productv2/" becomes
// "::product/", and an AWS-owned product ("product/aws/...") loses any account id
// ("arn:aws:securityhub:us-east-1:111111111111:product/aws/securityhub" →
// "arn:aws:securityhub:us-east-1::product/aws/securityhub"). Partner and custom products
// ("product/<account>/default") keep their account, which is part of their identity. Text that
// is not such an ARN is returned unchanged.
std::string ProductArnV1(std::string_view product_arn);

// One Security Hub update to perform through the outbox.
struct FindingUpdate {
  std::string region;       // where to call BatchUpdateFindings (the aggregation region)
  std::string finding_id;   // ASFF Id
  std::string product_arn;  // as in the finding; normalised with ProductArnV1
  std::string message;      // the notification message; the note is derived from it
  FindingUpdateKind kind = FindingUpdateKind::kFlag;
};

// The payload of an outbox item of kind "securityhub" that OutboxDispatcher delivers:
// {"region", "finding_id", "product_arn", "note", "updated_by": "update_text_and_status",
//  "status": "RESOLVED" | "NOTIFIED"}.
nlohmann::json SecurityHubOutboxPayload(const FindingUpdate& update);

}  // namespace asr::report
