#pragma once

// Mapping of one finding object onto asr::finding::Finding. Private to src/finding/.

#include <simdjson.h>

#include <string_view>

#include "common/status.h"
#include "finding/finding.h"

namespace asr::finding::internal {

// Maps an ASFF finding (spec §c.1). `path` prefixes field paths in errors ("" for a bare
// finding, "detail.findings[0]" in an event).
Result<Finding> ParseAsffFinding(simdjson::dom::object finding, std::string_view path);

// Maps an OCSF "Compliance Finding" (class_uid 2003) onto the ASFF fields (spec §b.7 step 2).
Result<Finding> ParseOcsfFinding(simdjson::dom::object finding, std::string_view path);

// Either of the above: OCSF when the object has "class_uid". `finding` must be an object, else
// InvalidArgument naming `path`.
Result<Finding> ParseAnyFinding(simdjson::dom::element finding, std::string_view path);

}  // namespace asr::finding::internal
