#pragma once

// Code shared by the S3 remediations: bucket resolution and the public access block logic used at
// bucket level (ConfigureS3BucketPublicAccessBlock, service "s3") and at account level
// (ConfigureS3PublicAccessBlock, service "s3control"). Names carry an S3 prefix because every
// remediation shares the asr::remediation namespace.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "remediation/context.h"
#include "remediation/params.h"
#include "remediation/remediation.h"
#include "remediation/spec.h"

namespace asr::remediation {

// The bucket an AwsS3Bucket finding names: "arn:<partition>:s3:::<bucket>" → "<bucket>". S3 bucket
// ARNs carry no region or account, so every S3 call also sends ExpectedBucketOwner = the finding's
// account (S3 then refuses to act on a same-named bucket of another account). InvalidArgument
// for anything else, including object ARNs ("bucket/key") and other partitions.
Result<std::string> S3BucketFromTarget(const Target& target, std::string_view example);

// object[key] when `object` is a JSON object and that member is a string, else "". For reading
// policies and records without nlohmann's value(), which throws on a member of another type.
std::string S3JsonString(const nlohmann::json& object, std::string_view key);
// object[key] when it is a boolean, else `otherwise`.
bool S3JsonBool(const nlohmann::json& object, std::string_view key, bool otherwise);

// True when `status` carries the AWS error code `code` (e.g. "NoSuchBucketPolicy", as opposed to
// "NoSuchBucket", which maps to the same StatusCode).
bool S3HasAwsError(const Status& status, std::string_view code);

// Where a public access block lives.
struct S3PabScope {
  std::string service;  // "s3" (bucket) or "s3control" (account)
  nlohmann::json id;    // {"Bucket": b, "ExpectedBucketOwner": acct} or {"AccountId": acct}
  std::string subject;  // for messages: "bucket \"b\"" or "account 111111111111"
};

// The four flags, each a bool parameter defaulting to true (reference defaults).
std::vector<ParamSpec> S3PabParameters();

// Plan: reads the block (NoSuchPublicAccessBlockConfiguration = every flag off) and plans one Put
// turning on every flag whose parameter is true and which is off. A false parameter means "not
// required": a flag that is on is never turned off (the reference would write false).
Result<Plan> S3PabPlan(Context& ctx, const S3PabScope& scope, const Params& params);

// Apply: re-reads, then puts the current flags OR the required ones. `before` records whether a
// configuration existed, the flags before, and which flags this run turned on.
Result<Applied> S3PabApply(Context& ctx, const S3PabScope& scope, const Params& params);

// Undo: turns off again exactly the flags this run turned on that are still on, leaving flags
// changed by others since alone; deletes the configuration when none existed before and every flag
// is off again.
Result<std::vector<Change>> S3PabUndo(Context& ctx, const S3PabScope& scope,
                                      const nlohmann::json& before);

}  // namespace asr::remediation
