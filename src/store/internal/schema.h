#pragma once

#include <span>
#include <string_view>

#include "common/status.h"
#include "store/internal/sqlite.h"

namespace asr::store::internal {

// The schema version this build writes and reads (`PRAGMA user_version`).
inline constexpr int kSchemaVersion = 1;

// The migration steps of the store: step i (0-based) takes the schema from version i to i + 1.
// Steps are append-only: never edit a released step, add a new one.
[[nodiscard]] std::span<const std::string_view> Migrations();

// Brings the database from its `user_version` to `steps.size()`, running the missing steps and
// the version bump in one IMMEDIATE transaction (a failing step leaves the file as it was).
// Errors: FailedPrecondition (naming the file and both versions) when the file's version is newer
// than `steps.size()`; SqliteError codes otherwise.
[[nodiscard]] Status Migrate(Connection& conn, std::span<const std::string_view> steps);

// For read-only opens, which never migrate: OK when the file's version is exactly `version`.
// Errors: FailedPrecondition naming the file, the versions and the command that creates or
// migrates the schema (`asr serve`).
[[nodiscard]] Status CheckSchemaVersion(Connection& conn, int version);

}  // namespace asr::store::internal
