#pragma once

// Code shared by the CloudTrail remediations, and by EnableAWSConfig (config/), which creates its
// S3 buckets the same way as CreateCloudTrailMultiRegionTrail. Names carry a Ct prefix because
// every remediation shares the asr::remediation namespace.
//
// Buckets (CtBucket) are ASR's own, named so0111-...: the plan reads what exists and plans only
// what is missing, so a rerun after a crash converges and a bucket that is already right is left
// alone. A bucket's policy is merged by statement Sid (statements with other Sids are kept), the
// public access block is only ever tightened, an existing default encryption is kept unless a
// KMS key was asked for and the bucket uses another one, and existing access logging is kept.
// Every S3 call after CreateBucket sends ExpectedBucketOwner, so a same-named bucket of another
// account is never configured or written to.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "remediation/context.h"
#include "remediation/remediation.h"
#include "remediation/spec.h"

namespace asr::remediation {

// ---------------------------------------------------------------------------------------------
// Trails

// A trail named by an AwsCloudTrailTrail finding. Every call about the trail is made in its home
// region (UpdateTrail elsewhere fails with InvalidHomeRegionException).
struct CtTrail {
  std::string arn;
  std::string name;
  std::string region;  // home region: the ARN's region
};

// From "arn:<partition>:cloudtrail:<region>:<account>:trail/<name>": the ARN's partition and
// account must be the finding's, the region a region name and the name 3-128 characters of
// [A-Za-z0-9._-] (the reference's pattern). InvalidArgument naming the problem otherwise.
Result<CtTrail> CtTrailFromTarget(const Target& target, std::string_view example);

// {"TrailArn", "TrailName", "TrailRegion"} (Invocation::resource) and back.
nlohmann::json CtTrailToJson(const CtTrail& trail);
CtTrail CtTrailFromJson(const nlohmann::json& resource);

// GetTrail's "Trail" member. NotFound (TrailNotFoundException) when the trail does not exist.
Result<nlohmann::json> CtGetTrail(Context& ctx, const CtTrail& trail);

// The trail's KMS key id, "" when it has none (moto reports "" after UpdateTrail KmsKeyId "").
std::string CtTrailKmsKey(const nlohmann::json& trail);

// ---------------------------------------------------------------------------------------------
// KMS keys

// The SSM parameter in which the reference's member stack keeps the ARN of its remediation key
// (the default of the reference runbooks' KMSKeyArn).
inline constexpr std::string_view kCtAsrKeyParameter = "/Solutions/SO0111/CMK_REMEDIATION_ARN";

// The KMSKeyArn parameter spec: empty default, `description` says what happens when empty.
ParamSpec CtKmsKeyParameter(std::string description);

// Checks a KMS key ARN ("arn:<p>:kms:<region>:<account>:key/<id>", id a UUID or "mrk-" followed
// by 32 hex digits) or alias ARN (":alias/<name>") in `partition`. InvalidArgument naming `what`
// and the accepted forms otherwise.
Status CtCheckKmsKeyArn(std::string_view what, const std::string& value,
                        std::string_view partition);

// The key a remediation uses and where it came from.
struct CtKmsKey {
  std::string arn;     // "" when none is configured
  std::string source;  // "parameter KMSKeyArn", "SSM parameter /Solutions/...", or ""
};

// `configured` (the KMSKeyArn parameter) when not empty; else the value of kCtAsrKeyParameter in
// `region` (the reference's default, present where ASR's member stack is deployed); else an empty
// key. Both are checked with CtCheckKmsKeyArn. Read-only (ssm:GetParameter); errors other than
// ParameterNotFound propagate.
Result<CtKmsKey> CtResolveKmsKey(Context& ctx, const std::string& configured,
                                 std::string_view partition, std::string_view region);

// ---------------------------------------------------------------------------------------------
// Buckets

// What one of ASR's buckets must look like.
struct CtBucket {
  std::string name;
  std::string account;    // owner; sent as ExpectedBucketOwner
  std::string partition;  // for ARNs in policy statements
  std::string region;     // where it is created and where its calls go
  std::string kms_key;    // default encryption: SSE-KMS with this key, or SSE-S3 when ""
  // Statements the bucket policy must contain, each with a unique "Sid".
  nlohmann::json statements = nlohmann::json::array();
  std::string log_bucket;  // server access logging target ("" = no logging required)
  std::string log_prefix;
};

// Policy statements.
// Denies every request not made over TLS (Sid "AllowSSLRequestsOnly", as the reference).
nlohmann::json CtDenyInsecureTransport(std::string_view partition, std::string_view bucket);
// Lets S3 server access logging write into `bucket` for sources in `account` (the
// bucket-policy alternative to the reference's LogDelivery ACL grants; works with ACLs disabled).
nlohmann::json CtAllowAccessLogDelivery(std::string_view partition, std::string_view bucket,
                                        std::string_view account);

// The ARN "arn:<partition>:s3:::<bucket>[/<key>]".
std::string CtS3Arn(std::string_view partition, std::string_view bucket, std::string_view key = {});

// Read-only: whether the bucket exists (HeadBucket with ExpectedBucketOwner) and, when it does, its
// public access block, default encryption, policy and logging; `current` gets what was read and
// `changes` the calls that would make it match `want`, in order (CreateBucket,
// PutPublicAccessBlock, PutBucketEncryption, PutBucketPolicy, PutBucketLogging), each Change's
// detail being {"operation", "request"}. PermissionDenied when the bucket is another account's
// (or asr lacks s3:ListBucket); FailedPrecondition when it exists in another region.
Result<Plan> CtPlanBucket(Context& ctx, const CtBucket& want);

// Re-plans and makes the planned calls; returns the changes made (empty when the bucket already
// matched). CreateBucket answering BucketAlreadyOwnedByYou counts as done; BucketAlreadyExists
// (another account took the name) is a FailedPrecondition.
Result<std::vector<Change>> CtApplyBucket(Context& ctx, const CtBucket& want);

// The IAM actions CtPlanBucket and CtApplyBucket need.
std::vector<std::string> CtBucketPermissions();

// ---------------------------------------------------------------------------------------------
// Account-level targets

// CheckAccountTarget, a valid region, and when the resource id has the Security Hub form
// "AWS::::Account:<id>", that id must be the finding's account.
Status CtCheckAccountTarget(const Target& target);

// Whether two policy statements mean the same (one-element arrays equal their element, array
// order does not matter).
bool CtSameStatement(const nlohmann::json& a, const nlohmann::json& b);

// True when `status` carries the AWS error code `code`.
bool CtHasAwsError(const Status& status, std::string_view code);

}  // namespace asr::remediation
