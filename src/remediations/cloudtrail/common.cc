#include "remediations/cloudtrail/common.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/resource.h"

namespace asr::remediation {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Trails

Result<CtTrail> CtTrailFromTarget(const Target& target, std::string_view example) {
  ASR_ASSIGN_OR_RETURN(std::string name, ArnResourceAfter(target, "cloudtrail", "trail/", example));
  ASR_RETURN_IF_ERROR(CheckPattern("trail name", name, "[A-Za-z0-9._-]{3,128}"));
  const std::optional<Arn> arn = ParseArn(target.resource_id);
  const std::string region = arn ? std::string(arn->region) : "";
  if (!IsAwsRegionName(region)) {
    return InvalidArgumentError("resource id " + Quote(target.resource_id) +
                                " has no valid region; expected an ARN like " + Quote(example));
  }
  return CtTrail{.arn = target.resource_id, .name = name, .region = region};
}

json CtTrailToJson(const CtTrail& trail) {
  return {{"TrailArn", trail.arn}, {"TrailName", trail.name}, {"TrailRegion", trail.region}};
}

CtTrail CtTrailFromJson(const json& resource) {
  return {.arn = resource.value("TrailArn", ""),
          .name = resource.value("TrailName", ""),
          .region = resource.value("TrailRegion", "")};
}

Result<json> CtGetTrail(Context& ctx, const CtTrail& trail) {
  Result<json> out = ctx.Call("cloudtrail", "GetTrail", {{"Name", trail.arn}}, trail.region);
  if (!out.ok()) {
    return out.status().Annotate("read trail " + Quote(trail.arn));
  }
  const json t = out->value("Trail", json());
  if (!t.is_object()) {
    return InternalError("GetTrail returned no trail for " + Quote(trail.arn));
  }
  return t;
}

std::string CtTrailKmsKey(const json& trail) {
  const auto it = trail.find("KmsKeyId");
  return it != trail.end() && it->is_string() ? it->get<std::string>() : "";
}

// ---------------------------------------------------------------------------------------------
// KMS keys

ParamSpec CtKmsKeyParameter(std::string description) {
  return {.name = "KMSKeyArn",
          .type = ParamType::kString,
          .default_json = "\"\"",
          .description = std::move(description)};
}

Status CtCheckKmsKeyArn(std::string_view what, const std::string& value,
                        std::string_view partition) {
  static const std::string kPattern =
      R"(arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-gov)?-[a-z]+-\d+:\d{12}:)"
      R"((key/([0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})|)"
      R"(alias/[A-Za-z0-9/_-]{1,250}))";
  if (Status s = CheckPattern(what, value, kPattern); !s.ok()) {
    return InvalidArgumentError(
        s.message() +
        "; expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>) or alias ARN "
        "(arn:aws:kms:<region>:<account>:alias/<name>)");
  }
  const std::optional<Arn> arn = ParseArn(value);
  if (!partition.empty() && arn && arn->partition != partition) {
    return InvalidArgumentError(std::string(what) + " " + Quote(value) + " is in partition " +
                                Quote(arn->partition) + ", not the finding's " + Quote(partition));
  }
  return Status::Ok();
}

Result<CtKmsKey> CtResolveKmsKey(Context& ctx, const std::string& configured,
                                 std::string_view partition, std::string_view region) {
  if (!configured.empty()) {
    ASR_RETURN_IF_ERROR(CtCheckKmsKeyArn("parameter KMSKeyArn", configured, partition));
    return CtKmsKey{.arn = configured, .source = "parameter KMSKeyArn"};
  }
  Result<json> out =
      ctx.Call("ssm", "GetParameter", {{"Name", std::string(kCtAsrKeyParameter)}}, region);
  if (!out.ok()) {
    if (out.status().code() == StatusCode::kNotFound) {
      return CtKmsKey{};
    }
    return out.status().Annotate("read SSM parameter " + std::string(kCtAsrKeyParameter) +
                                 " (the default of KMSKeyArn)");
  }
  const std::string value = out->value("Parameter", json::object()).value("Value", "");
  const std::string source = "SSM parameter " + std::string(kCtAsrKeyParameter);
  ASR_RETURN_IF_ERROR(CtCheckKmsKeyArn(source, value, partition));
  return CtKmsKey{.arn = value, .source = source};
}

// ---------------------------------------------------------------------------------------------
// Buckets

namespace {

constexpr std::string_view kBucketPolicyVersion = "2012-10-17";

// A policy value in a form where equal meanings compare equal: one-element arrays become their
// element and arrays are sorted (IAM treats them as sets).
// NOLINTNEXTLINE(misc-no-recursion): bounded by the nesting of a policy document.
json Canonical(const json& v) {
  if (v.is_array()) {
    if (v.size() == 1) {
      return Canonical(v[0]);
    }
    std::vector<json> items;
    items.reserve(v.size());
    for (const json& item : v) {
      items.push_back(Canonical(item));
    }
    std::sort(items.begin(), items.end(),
              [](const json& a, const json& b) { return a.dump() < b.dump(); });
    json out(items);
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, item] : v.items()) {
      out[k] = Canonical(item);
    }
    return out;
  }
  return v;
}

json Owned(const CtBucket& want, json request) {
  request["Bucket"] = want.name;
  request["ExpectedBucketOwner"] = want.account;
  return request;
}

Change BucketChange(std::string_view operation, std::string summary, json request) {
  return {.action = IamActionsFor("s3", operation).front(),
          .summary = std::move(summary),
          .detail = {{"operation", operation}, {"request", std::move(request)}}};
}

std::string BucketSubject(const CtBucket& want) { return "bucket " + Quote(want.name); }

// Whether the bucket exists; FailedPrecondition when S3 says it lives in another region.
Result<bool> BucketExists(Context& ctx, const CtBucket& want) {
  Result<json> out =
      ctx.Call("s3", "HeadBucket", {{"Bucket", want.name}, {"ExpectedBucketOwner", want.account}},
               want.region);
  if (out.ok()) {
    const std::string region = out->value("BucketRegion", "");
    if (!region.empty() && region != want.region) {
      return FailedPreconditionError(BucketSubject(want) + " already exists in region " +
                                     Quote(region) + ", not " + Quote(want.region) +
                                     "; run the remediation for a finding in " + region);
    }
    return true;
  }
  const Status& s = out.status();
  if (s.code() == StatusCode::kNotFound) {
    return false;
  }
  if (s.code() == StatusCode::kPermissionDenied) {
    return s.Annotate(BucketSubject(want) + " exists but is not owned by account " + want.account +
                      ", or asr may not read it (s3:ListBucket); refusing to use it");
  }
  // A HEAD answer has no body, so a redirect to the bucket's region arrives as a bare 301.
  if (CtHasAwsError(s, "301") || CtHasAwsError(s, "HTTP301") ||
      CtHasAwsError(s, "PermanentRedirect") || CtHasAwsError(s, "AuthorizationHeaderMalformed")) {
    return FailedPreconditionError(
        BucketSubject(want) + " already exists in a region other than " + Quote(want.region) +
        "; run the remediation for a finding in the bucket's region (" + s.message() + ")");
  }
  return s.Annotate("check whether " + BucketSubject(want) + " exists");
}

// Reads one bucket setting; `absent_code` is the AWS error code meaning "not configured" (null).
Result<json> ReadSetting(Context& ctx, const CtBucket& want, std::string_view operation,
                         std::string_view absent_code) {
  Result<json> out = ctx.Call("s3", operation, Owned(want, json::object()), want.region);
  if (!out.ok()) {
    if (!absent_code.empty() && CtHasAwsError(out.status(), absent_code)) {
      return json();
    }
    return out.status().Annotate("read " + BucketSubject(want));
  }
  return *out;
}

json PublicAccessBlockAllOn() {
  return {{"BlockPublicAcls", true},
          {"IgnorePublicAcls", true},
          {"BlockPublicPolicy", true},
          {"RestrictPublicBuckets", true}};
}

bool PublicAccessBlockIsAllOn(const json& config) {
  if (!config.is_object()) {
    return false;
  }
  const json all_on = PublicAccessBlockAllOn();
  return std::ranges::all_of(all_on.items(), [&](const auto& flag) {
    const auto it = config.find(flag.key());
    return it != config.end() && it->is_boolean() && it->template get<bool>();
  });
}

json EncryptionFor(const CtBucket& want) {
  json by_default = {{"SSEAlgorithm", "AES256"}};
  json rule = json::object();
  if (!want.kms_key.empty()) {
    by_default = {{"SSEAlgorithm", "aws:kms"}, {"KMSMasterKeyID", want.kms_key}};
    rule["BucketKeyEnabled"] = true;  // fewer KMS requests (and less KMS cost) per object
  }
  rule["ApplyServerSideEncryptionByDefault"] = by_default;
  return {{"Rules", json::array({rule})}};
}

// Whether the bucket's default encryption satisfies `want`: any default encryption when no key
// is asked for; SSE-KMS with that key otherwise (the reference wrote the bare key id, which
// names the same key as the ARN).
bool EncryptionSatisfies(const json& config, const CtBucket& want) {
  if (!config.is_object()) {
    return false;
  }
  const json rules = config.value("Rules", json::array());
  return rules.is_array() && std::ranges::any_of(rules, [&](const json& rule) {
           if (!rule.is_object()) {
             return false;
           }
           const json d = rule.value("ApplyServerSideEncryptionByDefault", json::object());
           const std::string algorithm = d.value("SSEAlgorithm", "");
           if (algorithm.empty()) {
             return false;
           }
           if (want.kms_key.empty()) {
             return true;
           }
           const std::string key = d.value("KMSMasterKeyID", "");
           return algorithm.starts_with("aws:kms") && !key.empty() &&
                  (key == want.kms_key || want.kms_key.ends_with(":key/" + key));
         });
}

// The Sids of `want.statements` the policy lacks or has with different content.
std::vector<std::string> MissingStatements(const json& policy, const CtBucket& want) {
  std::vector<std::string> missing;
  const json existing =
      policy.is_object() ? policy.value("Statement", json::array()) : json::array();
  for (const json& statement : want.statements) {
    const std::string sid = statement.value("Sid", "");
    const bool present =
        existing.is_array() && std::any_of(existing.begin(), existing.end(), [&](const json& s) {
          return s.is_object() && s.value("Sid", "") == sid && Canonical(s) == Canonical(statement);
        });
    if (!present) {
      missing.push_back(sid);
    }
  }
  return missing;
}

// `policy` with the statements of `want` added, replacing statements with the same Sid; other
// statements and the policy's Id are kept.
json MergedPolicy(const json& policy, const CtBucket& want) {
  json out = {{"Version", kBucketPolicyVersion}};
  if (policy.is_object() && policy.contains("Id")) {
    out["Id"] = policy["Id"];
  }
  json statements = json::array();
  const json existing =
      policy.is_object() ? policy.value("Statement", json::array()) : json::array();
  if (existing.is_array()) {
    for (const json& s : existing) {
      const std::string sid = s.is_object() ? s.value("Sid", "") : "";
      const bool replaced =
          !sid.empty() && std::any_of(want.statements.begin(), want.statements.end(),
                                      [&](const json& w) { return w.value("Sid", "") == sid; });
      if (!replaced) {
        statements.push_back(s);
      }
    }
  } else if (existing.is_object()) {
    statements.push_back(existing);  // a single statement not wrapped in an array
  }
  for (const json& s : want.statements) {
    statements.push_back(s);
  }
  out["Statement"] = statements;
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

}  // namespace

json CtDenyInsecureTransport(std::string_view partition, std::string_view bucket) {
  return {{"Sid", "AllowSSLRequestsOnly"},
          {"Effect", "Deny"},
          {"Principal", "*"},
          {"Action", "s3:*"},
          {"Resource", {CtS3Arn(partition, bucket), CtS3Arn(partition, bucket, "*")}},
          {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}};
}

json CtAllowAccessLogDelivery(std::string_view partition, std::string_view bucket,
                              std::string_view account) {
  return {{"Sid", "S3ServerAccessLogsPolicy"},
          {"Effect", "Allow"},
          {"Principal", {{"Service", "logging.s3.amazonaws.com"}}},
          {"Action", "s3:PutObject"},
          {"Resource", CtS3Arn(partition, bucket, "*")},
          {"Condition", {{"StringEquals", {{"aws:SourceAccount", account}}}}}};
}

std::string CtS3Arn(std::string_view partition, std::string_view bucket, std::string_view key) {
  std::string arn = "arn:" + std::string(partition) + ":s3:::" + std::string(bucket);
  if (!key.empty()) {
    arn += "/" + std::string(key);
  }
  return arn;
}

Result<Plan> CtPlanBucket(Context& ctx, const CtBucket& want) {
  ASR_ASSIGN_OR_RETURN(const bool exists, BucketExists(ctx, want));
  Plan plan;
  plan.current = {{"Bucket", want.name}, {"Exists", exists}};
  json pab;
  json encryption;
  json policy;
  json logging;
  if (exists) {
    ASR_ASSIGN_OR_RETURN(const json p, ReadSetting(ctx, want, "GetPublicAccessBlock",
                                                   "NoSuchPublicAccessBlockConfiguration"));
    pab = p.is_object() ? p.value("PublicAccessBlockConfiguration", json()) : json();
    ASR_ASSIGN_OR_RETURN(const json e,
                         ReadSetting(ctx, want, "GetBucketEncryption",
                                     "ServerSideEncryptionConfigurationNotFoundError"));
    encryption = e.is_object() ? e.value("ServerSideEncryptionConfiguration", json()) : json();
    ASR_ASSIGN_OR_RETURN(const json b,
                         ReadSetting(ctx, want, "GetBucketPolicy", "NoSuchBucketPolicy"));
    if (b.is_object() && b.contains("Policy")) {
      policy = json::parse(b.value("Policy", std::string("{}")), nullptr,
                           /*allow_exceptions=*/false);
      if (policy.is_discarded() || !policy.is_object()) {
        return InternalError(BucketSubject(want) + " returned a policy that is not a JSON object");
      }
    }
    if (!want.log_bucket.empty()) {
      ASR_ASSIGN_OR_RETURN(const json l, ReadSetting(ctx, want, "GetBucketLogging", ""));
      logging = l.value("LoggingEnabled", json());
    }
    plan.current["PublicAccessBlockConfiguration"] = pab;
    plan.current["ServerSideEncryptionConfiguration"] = encryption;
    plan.current["Policy"] = policy;
    if (!want.log_bucket.empty()) {
      plan.current["LoggingEnabled"] = logging;
    }
  } else {
    json request = {{"Bucket", want.name}};
    // us-east-1 is the one region CreateBucket must not be told about.
    if (want.region != "us-east-1") {
      request["CreateBucketConfiguration"] = {{"LocationConstraint", want.region}};
    }
    plan.changes.push_back(BucketChange("CreateBucket",
                                        "create " + BucketSubject(want) + " in " + want.region +
                                            " (new buckets have ACLs disabled)",
                                        request));
  }
  if (!PublicAccessBlockIsAllOn(pab)) {
    plan.changes.push_back(
        BucketChange("PutPublicAccessBlock",
                     "turn on all four public access block settings of " + BucketSubject(want),
                     Owned(want, {{"PublicAccessBlockConfiguration", PublicAccessBlockAllOn()}})));
  }
  if (!EncryptionSatisfies(encryption, want)) {
    plan.changes.push_back(
        BucketChange("PutBucketEncryption",
                     "set the default encryption of " + BucketSubject(want) + " to " +
                         (want.kms_key.empty() ? std::string("SSE-S3 (AES256)")
                                               : "SSE-KMS with key " + Quote(want.kms_key)),
                     Owned(want, {{"ServerSideEncryptionConfiguration", EncryptionFor(want)}})));
  }
  if (const std::vector<std::string> missing = MissingStatements(policy, want); !missing.empty()) {
    plan.changes.push_back(
        BucketChange("PutBucketPolicy",
                     "put statements " + JoinNames(missing) + " into the policy of " +
                         BucketSubject(want) + " (other statements are kept)",
                     Owned(want, {{"Policy", MergedPolicy(policy, want).dump()}})));
  }
  if (!want.log_bucket.empty() && !logging.is_object()) {
    plan.changes.push_back(BucketChange(
        "PutBucketLogging",
        "log requests to " + BucketSubject(want) + " into bucket " + Quote(want.log_bucket) +
            " under " + Quote(want.log_prefix),
        Owned(want,
              {{"BucketLoggingStatus",
                {{"LoggingEnabled",
                  {{"TargetBucket", want.log_bucket}, {"TargetPrefix", want.log_prefix}}}}}})));
  }
  return plan;
}

Result<std::vector<Change>> CtApplyBucket(Context& ctx, const CtBucket& want) {
  ASR_ASSIGN_OR_RETURN(const Plan plan, CtPlanBucket(ctx, want));
  std::vector<Change> done;
  for (const Change& change : plan.changes) {
    const std::string operation = change.detail["operation"];
    Result<json> out = ctx.Call("s3", operation, change.detail["request"], want.region);
    if (!out.ok()) {
      if (operation == "CreateBucket" && CtHasAwsError(out.status(), "BucketAlreadyOwnedByYou")) {
        continue;  // created by an earlier, interrupted run
      }
      if (operation == "CreateBucket" && CtHasAwsError(out.status(), "BucketAlreadyExists")) {
        return FailedPreconditionError("the name of " + BucketSubject(want) +
                                       " is taken by another AWS account; refusing to continue");
      }
      return out.status().Annotate(change.summary);
    }
    done.push_back(change);
  }
  return done;
}

std::vector<std::string> CtBucketPermissions() {
  std::vector<std::string> out;
  for (std::string_view op :
       {"HeadBucket", "CreateBucket", "GetPublicAccessBlock", "PutPublicAccessBlock",
        "GetBucketEncryption", "PutBucketEncryption", "GetBucketPolicy", "PutBucketPolicy",
        "GetBucketLogging", "PutBucketLogging"}) {
    for (std::string& action : IamActionsFor("s3", op)) {
      out.push_back(std::move(action));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Account-level targets

Status CtCheckAccountTarget(const Target& target) {
  ASR_RETURN_IF_ERROR(CheckAccountTarget(target));
  if (!target.resource_type.empty() && target.resource_type != "AwsAccount") {
    return InvalidArgumentError(
        "resource type " + Quote(target.resource_type) +
        " is not AwsAccount; this remediation acts on an account and region");
  }
  if (!IsAwsRegionName(target.region)) {
    return InvalidArgumentError("region " + Quote(target.region) + " is not a region name");
  }
  constexpr std::string_view kPrefix = "AWS::::Account:";
  if (std::string_view id = target.resource_id; id.starts_with(kPrefix)) {
    id.remove_prefix(kPrefix.size());
    if (id != target.account_id) {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) + " names account " +
                                  Quote(id) + ", not the finding's " + target.account_id);
    }
  }
  return Status::Ok();
}

bool CtSameStatement(const json& a, const json& b) { return Canonical(a) == Canonical(b); }

bool CtHasAwsError(const Status& status, std::string_view code) {
  return !status.ok() && status.aws_error_code() == code;
}

}  // namespace asr::remediation
