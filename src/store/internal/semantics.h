#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace asr::store::internal {

// What the SQLite and memory stores must agree on, in one place so that they cannot drift:
// the order in which Commit applies the parts of a Batch, the error messages, and how JSON
// values are stored.
//
// Commit applies, in this order: events, update_jobs, insert_jobs, journal, outbox_add,
// outbox_update, schedule, settings; the first failure aborts the whole batch. Updates come
// before inserts so that one batch can finish a job and start its successor for the same dedupe
// key.

// Conflict messages. Ids are asr's own; untrusted text (finding ids, keys) is quoted.
[[nodiscard]] std::string EventExistsMessage(const EventRow& event);
[[nodiscard]] std::string EventExternalIdMessage(const EventRow& event,
                                                 const std::string& existing_id);
[[nodiscard]] std::string JobExistsMessage(const JobRow& job);
[[nodiscard]] std::string DedupeClashMessage(const JobRow& job, const std::string& active_id);
[[nodiscard]] std::string JobNotFoundMessage(const JobRow& job);
[[nodiscard]] std::string VersionClashMessage(const JobRow& job, int64_t stored_version);
[[nodiscard]] std::string OutboxNotFoundMessage(const OutboxItem& item);

// Serialises a JSON value the way the store keeps it (compact text). `what` names the field for
// the error ("job j-1 data"). Errors: InvalidArgument when the value cannot be written as JSON
// text (strings that are not valid UTF-8).
[[nodiscard]] Result<std::string> EncodeJson(const nlohmann::json& value, std::string_view what);
// Parses stored JSON text. Errors: Internal (the stored text is damaged), naming `what`.
[[nodiscard]] Result<nlohmann::json> DecodeJson(const std::string& text, std::string_view what);
// Encode then decode: the value a reader gets back after storing `value`.
[[nodiscard]] Result<nlohmann::json> RoundTripJson(const nlohmann::json& value,
                                                   std::string_view what);

// A row limit as SQLite takes it (size_t values beyond int64 mean "no limit").
[[nodiscard]] int64_t ClampLimit(size_t limit);

}  // namespace asr::store::internal
