#pragma once

#include <chrono>
#include <string_view>

#include "common/status.h"

namespace asr::aws::internal {

// Parses an ISO 8601 / RFC 3339 timestamp as AWS returns them: "2026-11-28T09:00:00Z", with
// optional fractional seconds ("...:00.123456Z") and either "Z" or a numeric offset ("+02:00").
// A lower-case 't'/'z' and a space between date and time are accepted too.
// InvalidArgument for anything else.
[[nodiscard]] Result<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);

}  // namespace asr::aws::internal
