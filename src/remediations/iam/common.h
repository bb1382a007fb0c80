#pragma once

// Code shared by the IAM remediations (STYLE.md "Remediations": per-service common.h): finding
// the IAM user a finding is about, reading its access keys, and time arithmetic on the
// timestamps IAM returns.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "remediation/context.h"
#include "remediation/remediation.h"

namespace asr::remediation {

// An example AwsIamUser resource id, for messages and specs.
inline constexpr std::string_view kIamUserExample = "arn:aws:iam::111111111111:user/alice";

// Resolve step of a remediation acting on one IAM user (pure: no AWS call). Accepts the user ARN
// "arn:<partition>:iam::<account>:user[/path/]<name>" in the finding's partition and account.
// Security Hub sometimes puts the user's unique id (AIDA...) where the name belongs
// ("arn:aws:iam::111111111111:user/AIDACKCEVSQ6C2EXAMPLE"); Resources[0].Details.AwsIamUser,
// when present, says which (UserName, UserId). Returns
//   {"UserArn": <resource id>, "UserName": <name>}          the name is known,
//   {"UserArn": <resource id>, "UserNameOrId": <segment>}   a user id or a name that looks like
//                                                           one (settled by IamLookUpUser),
// plus "UserId" when the details give it. InvalidArgument for anything else (an AwsAccount
// resource, another service, partition or account, details naming another user).
Result<nlohmann::json> IamResolveUser(const Target& target);

// The live user named by IamResolveUser's output: GetUser by name, or ListUsers to find a user
// by unique id. Returns the IAM User object (UserName, UserId, Arn, CreateDate, and
// PasswordLastUsed when IAM has it). NotFound when no such user exists; FailedPrecondition when
// the live user is not the one the finding describes (another unique id, i.e. deleted and
// recreated, or another path), or when a segment matches one user's id and another's name.
Result<nlohmann::json> IamLookUpUser(Context& ctx, const nlohmann::json& resource);

// The user's access keys (ListAccessKeys, all pages): AccessKeyMetadata objects (AccessKeyId,
// Status, CreateDate).
Result<nlohmann::json> IamListAccessKeys(Context& ctx, const std::string& user_name);

// The same, each with "LastUsedDate" (and
// "LastUsedService") added from GetAccessKeyLastUsed when the key has been used. Keys whose
// Status is not `only_status` are returned without the last-use lookup.
Result<nlohmann::json> IamListAccessKeysWithLastUse(Context& ctx, const std::string& user_name,
                                                    std::string_view only_status);

// Undo shared by the key-deactivating remediations: sets each key in `key_ids` (a JSON array of
// access key ids) back to Active. Keys already Active are left alone (a rerun changes nothing).
// FailedPrecondition naming them when some keys no longer exist (after re-activating the
// others).
Result<std::vector<Change>> IamReactivateAccessKeys(Context& ctx, const std::string& user_name,
                                                    const nlohmann::json& key_ids);

// A timestamp as the AWS client returns it, "2026-11-28T08:00:00Z" with optional fractional
// seconds ("...:00.123Z"). InvalidArgument naming `what` otherwise.
Result<std::chrono::system_clock::time_point> IamParseTimestamp(std::string_view what,
                                                                std::string_view text);

// The timestamp member `key` of `object` when present and a non-empty string, parsed; nullopt
// when absent (IAM omits LastUsedDate and PasswordLastUsed for credentials never used).
Result<std::optional<std::chrono::system_clock::time_point>> IamOptionalTimestamp(
    const nlohmann::json& object, const char* key);

// Whole days in `d`, rounded down (for messages: "812 days ago").
std::int64_t IamWholeDays(std::chrono::system_clock::duration d);

// N days as a duration.
std::chrono::system_clock::duration IamDays(std::int64_t n);

}  // namespace asr::remediation
