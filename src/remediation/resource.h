#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "remediation/remediation.h"

namespace asr::remediation {

// Resource extraction shared by remediations (the reference's resourceIdRegex/parse_id_pattern).
// Every error is InvalidArgument and names the resource id, what was expected and an example.

// The part of the target's resource ARN after `prefix` (e.g. service "lambda", prefix
// "function:" → "my-function" for "arn:aws:lambda:us-east-1:111111111111:function:my-function").
// The ARN's partition must equal the target's, and its account (when the ARN has one) the
// target's account. Empty names are rejected.
Result<std::string> ArnResourceAfter(const Target& target, std::string_view service,
                                     std::string_view prefix, std::string_view example);

// Checks that `value` matches the ECMAScript regex `pattern` entirely; `what` names the value in
// the message ("bucket name").
Status CheckPattern(std::string_view what, const std::string& value, const std::string& pattern);

// For account-level remediations: the target account must be 12 digits (the resource may be
// "AWS::::Account:<id>" or anything naming the account).
Status CheckAccountTarget(const Target& target);

}  // namespace asr::remediation
