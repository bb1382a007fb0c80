#include "store/internal/semantics.h"

#include <exception>
#include <limits>

#include "common/strings.h"

namespace asr::store::internal {

std::string EventExistsMessage(const EventRow& event) {
  return "event " + event.id + " already exists";
}

std::string EventExternalIdMessage(const EventRow& event, const std::string& existing_id) {
  return "event " + event.id + ": " + event.source + " event " + Quote(event.external_id) +
         " was already accepted as event " + existing_id;
}

std::string JobExistsMessage(const JobRow& job) { return "job " + job.id + " already exists"; }

std::string DedupeClashMessage(const JobRow& job, const std::string& active_id) {
  return "job " + job.id + ": finding " + Quote(job.finding_id) + " already has active job " +
         active_id + " (dedupe key " + Quote(job.dedupe_key) + ")";
}

std::string JobNotFoundMessage(const JobRow& job) { return "job " + job.id + " not found"; }

std::string VersionClashMessage(const JobRow& job, int64_t stored_version) {
  return "job " + job.id + " changed concurrently: version " + std::to_string(job.version) +
         " expected, " + std::to_string(stored_version) + " stored";
}

std::string OutboxNotFoundMessage(const OutboxItem& item) {
  return "outbox item " + std::to_string(item.id) + " not found";
}

Result<std::string> EncodeJson(const nlohmann::json& value, std::string_view what) {
  try {
    return value.dump();
  } catch (const std::exception& e) {
    return InvalidArgumentError(
        std::string(what) +
        " cannot be stored as JSON text (strings must be valid UTF-8): " + e.what());
  }
}

Result<nlohmann::json> DecodeJson(const std::string& text, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return InternalError(std::string(what) + ": stored JSON text is damaged");
  }
  return value;
}

Result<nlohmann::json> RoundTripJson(const nlohmann::json& value, std::string_view what) {
  ASR_ASSIGN_OR_RETURN(std::string text, EncodeJson(value, what));
  return DecodeJson(text, what);
}

int64_t ClampLimit(size_t limit) {
  constexpr auto kMax = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(limit > kMax ? kMax : limit);
}

}  // namespace asr::store::internal
