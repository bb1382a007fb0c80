#pragma once

// Fields derived from a mapped finding, the same for ASFF and OCSF input: the standard/control
// triple, uuid, finding type, region and partition fallbacks, and the cross-account check.
// Private to src/finding/.

#include <optional>
#include <string_view>

#include "common/arn.h"
#include "common/status.h"
#include "finding/finding.h"

namespace asr::finding::internal {

// ProductFields.StandardsControlArn "arn:<p>:securityhub:<r>:<acct>:control/<std>/v/<ver>/<ctl>"
// (the control is everything after the version). nullopt when malformed.
std::optional<StandardRef> StandardFromControlArn(std::string_view arn);
// Finding Id "arn:<p>:securityhub:<r>:<acct>:subscription/<std>/v/<x.y.z>/<ctl>/finding/<uuid>".
std::optional<StandardRef> StandardFromFindingId(std::string_view id);
// The control of a consolidated finding Id "arn:...:security-control/<ctl>/finding/<uuid>".
std::optional<std::string_view> ControlFromConsolidatedId(std::string_view id);

// Spec §c.2 findingType of an Id; "" when the Id is not a Security Hub finding ARN.
std::string FindingType(std::string_view id);

// Completes `finding` after mapping: uuid, finding_type, region and partition fallbacks, the
// standard (InvalidArgument when it cannot be determined for a Security Hub finding; `path` is
// the finding's path for the message) and account_mismatch.
Status Finalize(std::string_view path, Finding& finding);

}  // namespace asr::finding::internal
