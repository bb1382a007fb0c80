// EnableDefaultEncryptionS3 (S3.4): gives a bucket a default server-side encryption rule.
//
// Reference: ASR-EnableDefaultEncryptionS3 always puts SSE-S3 (AES256, BucketKeyEnabled) when
// KmsKeyAlias is "default-s3-encryption", else SSE-KMS with KMSMasterKeyID = KmsKeyAlias; it
// never reads the bucket first (so it would replace a customer's KMS key with SSE-S3) and never
// verifies.
//
// What "compliant" means here. Since January 2023 S3 encrypts every bucket with SSE-S3 by default,
// and GetBucketEncryption reports that as an AES256 rule; S3.4 asks for server-side encryption,
// which SSE-S3 is. So:
//   * KmsKeyAlias = "default-s3-encryption" (no key preference): compliant when the bucket has
//     any default encryption rule (AES256, aws:kms, aws:kms:dsse). Only a bucket without one
//     (older partitions and emulators) gets SSE-S3. A KMS-encrypted bucket is never downgraded.
//   * KmsKeyAlias names a KMS key: compliant when the bucket already uses SSE-KMS or DSSE-KMS,
//     with any key (a key chosen by the bucket's owner is not replaced); a bucket with SSE-S3 or
//     nothing gets SSE-KMS with that key. Before planning that change the key is checked with
//     kms:DescribeKey (exists, enabled, symmetric encryption key): S3 does not check the key when
//     the rule is put, and a rule naming a missing or disabled key makes every upload fail.
// Undo puts the previous rule back (or deletes the configuration when there was none), but only
// while the bucket still has the rule this run put; if someone changed it since, undo refuses.

#include <regex>
#include <string>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/s3/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultAlias = "default-s3-encryption";

// The rules of a ServerSideEncryptionConfiguration reduced to what matters for comparison:
// algorithm, key (absent = ""), and BucketKeyEnabled for KMS rules (meaningless for AES256, and
// S3 may report it either way there).
json Comparable(const json& configuration) {
  json out = json::array();
  if (!configuration.is_object()) {
    return out;
  }
  const auto rules = configuration.find("Rules");
  if (rules == configuration.end() || !rules->is_array()) {
    return out;
  }
  for (const json& rule : *rules) {
    const json by_default =
        rule.is_object() ? rule.value("ApplyServerSideEncryptionByDefault", json()) : json();
    const std::string algorithm = S3JsonString(by_default, "SSEAlgorithm");
    const bool kms = algorithm.starts_with("aws:kms");
    out.push_back({{"SSEAlgorithm", algorithm},
                   {"KMSMasterKeyID", S3JsonString(by_default, "KMSMasterKeyID")},
                   {"BucketKeyEnabled", kms && S3JsonBool(rule, "BucketKeyEnabled", false)}});
  }
  return out;
}

std::string Algorithm(const json& configuration) {
  const json rules = Comparable(configuration);
  return rules.empty() ? "" : rules[0]["SSEAlgorithm"].get<std::string>();
}

std::string Describe(const json& configuration) {
  const json rules = Comparable(configuration);
  if (rules.empty()) {
    return "no default encryption";
  }
  const std::string algorithm = rules[0]["SSEAlgorithm"];
  const std::string key = rules[0]["KMSMasterKeyID"];
  if (algorithm == "AES256") {
    return "SSE-S3 (AES256)";
  }
  return algorithm + (key.empty() ? " with the AWS managed key" : " with key " + key);
}

// What the parameter asks for: an empty key id means SSE-S3.
struct Wanted {
  std::string key_id;  // "" = SSE-S3, else the KMSMasterKeyID to put
};

Result<Wanted> ParseKmsKeyAlias(const std::string& value, const Target& target) {
  if (value == kDefaultAlias) {
    return Wanted{};
  }
  const auto reject = [&](std::string_view why) {
    return InvalidArgumentError(
        "parameter KmsKeyAlias " + Quote(value) + " " + std::string(why) + "; expected \"" +
        std::string(kDefaultAlias) +
        "\" (SSE-S3), an alias name (\"my-key\" or \"alias/my-key\"), a key id, or a key or alias "
        "ARN in the bucket's region");
  };
  if (value.starts_with("arn:")) {
    const std::optional<Arn> arn = ParseArn(value);
    if (!arn || arn->service != "kms" ||
        !(arn->resource.starts_with("key/") || arn->resource.starts_with("alias/"))) {
      return reject("is not a KMS key or alias ARN");
    }
    if (!target.partition.empty() && arn->partition != target.partition) {
      return reject("is in another partition than the bucket");
    }
    if (!target.region.empty() && arn->region != target.region) {
      return reject("is in region " + Quote(arn->region) +
                    "; S3 needs a key in the bucket's "
                    "region " +
                    Quote(target.region));
    }
    return Wanted{.key_id = value};
  }
  static const std::regex kAlias("alias/[A-Za-z0-9/_-]{1,250}");
  static const std::regex kKeyId(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{"
      "32}");
  static const std::regex kAliasName("[A-Za-z0-9/_-]{1,250}");
  if (std::regex_match(value, kAlias) || std::regex_match(value, kKeyId)) {
    return Wanted{.key_id = value};
  }
  if (std::regex_match(value, kAliasName)) {
    return Wanted{.key_id = "alias/" + value};  // the reference's form: a bare alias name
  }
  return reject(value.empty() ? "is empty" : "is not an alias name, key id or ARN");
}

// Checks that the key can encrypt S3 objects; FailedPrecondition naming the problem otherwise.
Status CheckKey(Context& ctx, const std::string& key_id) {
  Result<json> out = ctx.Call("kms", "DescribeKey", {{"KeyId", key_id}});
  if (!out.ok()) {
    if (out.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError("KMS key " + Quote(key_id) + " does not exist in region " +
                                     ctx.region() +
                                     "; a default encryption rule naming it would make every "
                                     "upload to the bucket fail");
    }
    return out.status().Annotate("check KMS key " + Quote(key_id));
  }
  const json meta = out->value("KeyMetadata", json::object());
  const std::string state = meta.value("KeyState", "");
  if (state != "Enabled") {
    return FailedPreconditionError("KMS key " + Quote(key_id) + " is " + Quote(state) +
                                   ", not Enabled; uploads encrypted with it would fail");
  }
  const std::string spec = meta.value("KeySpec", meta.value("CustomerMasterKeySpec", ""));
  if (meta.value("KeyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT" ||
      (!spec.empty() && spec != "SYMMETRIC_DEFAULT")) {
    return FailedPreconditionError("KMS key " + Quote(key_id) +
                                   " is not a symmetric encryption "
                                   "key (KeySpec " +
                                   Quote(spec) + "); S3 needs one");
  }
  return Status::Ok();
}

class EnableDefaultEncryptionS3 final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "EnableDefaultEncryptionS3",
        .title = "Give an S3 bucket a default server-side encryption rule",
        .controls = {{.control_id = "S3.4"}},
        .resource_type = "AwsS3Bucket",
        .permissions = {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
                        "kms:DescribeKey"},
        .parameters = {{.name = "KmsKeyAlias",
                        .type = ParamType::kString,
                        .default_json = "\"default-s3-encryption\"",
                        .description =
                            "\"default-s3-encryption\": SSE-S3 (AES256) for buckets without "
                            "default encryption; otherwise the KMS key for SSE-KMS (alias name, "
                            "alias/..., key id or ARN) for buckets without SSE-KMS — readers then "
                            "need kms:Decrypt on it"}},
        .risk = Risk::kSafe,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo puts back the previous encryption rule (or deletes the configuration when there "
            "was none; S3 then falls back to its SSE-S3 default) while the bucket still has the "
            "rule the run put; objects written in between keep their encryption",
        .example_resource_id = "arn:aws:s3:::my-bucket",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const std::string bucket,
                         S3BucketFromTarget(target, spec().example_resource_id));
    return json{{"Bucket", bucket}, {"ExpectedBucketOwner", target.account_id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    ASR_ASSIGN_OR_RETURN(const Wanted wanted,
                         ParseKmsKeyAlias(inv.params.String("KmsKeyAlias"), inv.target));
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    ASR_ASSIGN_OR_RETURN(const json current, ReadConfiguration(ctx, inv));
    Plan plan;
    plan.current = {{"Bucket", bucket}, {"ServerSideEncryptionConfiguration", current}};
    if (Compliant(current, wanted)) {
      return plan;
    }
    if (!wanted.key_id.empty()) {
      ASR_RETURN_IF_ERROR(CheckKey(ctx, wanted.key_id));
    }
    plan.changes.push_back(PutChange(bucket, current, wanted, "set"));
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    ASR_ASSIGN_OR_RETURN(const Wanted wanted,
                         ParseKmsKeyAlias(inv.params.String("KmsKeyAlias"), inv.target));
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    ASR_ASSIGN_OR_RETURN(const json current, ReadConfiguration(ctx, inv));
    Applied applied;
    applied.before = {{"ServerSideEncryptionConfiguration", current}, {"Applied", nullptr}};
    if (Compliant(current, wanted)) {
      return applied;
    }
    const json desired = Desired(wanted);
    json request = Id(inv);
    request["ServerSideEncryptionConfiguration"] = desired;
    ASR_RETURN_IF_ERROR(ctx.Call("s3", "PutBucketEncryption", request)
                            .status()
                            .Annotate("set the default encryption of bucket " + Quote(bucket)));
    applied.before["Applied"] = desired;
    applied.changes.push_back(PutChange(bucket, current, wanted, "set"));
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    if (!before.is_object() || !before.contains("Applied") ||
        !before.contains("ServerSideEncryptionConfiguration")) {
      return InvalidArgumentError(
          "the record's before-state has no ServerSideEncryptionConfiguration/Applied fields");
    }
    std::vector<Change> changes;
    if (before["Applied"].is_null()) {
      return changes;  // the run changed nothing
    }
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    const json& previous = before["ServerSideEncryptionConfiguration"];
    ASR_ASSIGN_OR_RETURN(const json current, ReadConfiguration(ctx, inv));
    if (Comparable(current) == Comparable(previous)) {
      return changes;  // already undone
    }
    if (Comparable(current) != Comparable(before["Applied"])) {
      return FailedPreconditionError(
          "the default encryption of bucket " + Quote(bucket) + " was changed since the run (now " +
          Describe(current) + "); not overwriting it with the earlier " + Describe(previous));
    }
    if (previous.is_null()) {
      Result<json> out = ctx.Call("s3", "DeleteBucketEncryption", Id(inv));
      if (!out.ok() &&
          !S3HasAwsError(out.status(), "ServerSideEncryptionConfigurationNotFoundError")) {
        return out.status().Annotate("delete the default encryption of bucket " + Quote(bucket));
      }
      changes.push_back({.action = "s3:PutEncryptionConfiguration",
                         .summary = "deleted the default encryption configuration of bucket " +
                                    Quote(bucket) + " (it had none before)",
                         .detail = {{"Bucket", bucket}}});
      return changes;
    }
    json request = Id(inv);
    request["ServerSideEncryptionConfiguration"] = previous;
    ASR_RETURN_IF_ERROR(ctx.Call("s3", "PutBucketEncryption", request)
                            .status()
                            .Annotate("restore the default encryption of bucket " + Quote(bucket)));
    changes.push_back(
        {.action = "s3:PutEncryptionConfiguration",
         .summary = "restored " + Describe(previous) +
                    " as the default encryption "
                    "of bucket " +
                    Quote(bucket),
         .detail = {{"Bucket", bucket}, {"ServerSideEncryptionConfiguration", previous}}});
    return changes;
  }

 private:
  static json Id(const Invocation& inv) {
    return {{"Bucket", S3JsonString(inv.resource, "Bucket")},
            {"ExpectedBucketOwner", S3JsonString(inv.resource, "ExpectedBucketOwner")}};
  }

  // The bucket's ServerSideEncryptionConfiguration, or null when it has none.
  static Result<json> ReadConfiguration(Context& ctx, const Invocation& inv) {
    Result<json> out = ctx.Call("s3", "GetBucketEncryption", Id(inv));
    if (!out.ok()) {
      if (S3HasAwsError(out.status(), "ServerSideEncryptionConfigurationNotFoundError")) {
        return json();
      }
      return out.status().Annotate("read the default encryption of bucket " +
                                   Quote(S3JsonString(inv.resource, "Bucket")));
    }
    const json configuration = out->value("ServerSideEncryptionConfiguration", json());
    return Comparable(configuration).empty() ? json() : configuration;
  }

  static bool Compliant(const json& current, const Wanted& wanted) {
    const std::string algorithm = Algorithm(current);
    return wanted.key_id.empty() ? !algorithm.empty() : algorithm.starts_with("aws:kms");
  }

  static json Desired(const Wanted& wanted) {
    json by_default = {{"SSEAlgorithm", wanted.key_id.empty() ? "AES256" : "aws:kms"}};
    if (!wanted.key_id.empty()) {
      by_default["KMSMasterKeyID"] = wanted.key_id;
    }
    return {{"Rules", json::array({{{"ApplyServerSideEncryptionByDefault", by_default},
                                    {"BucketKeyEnabled", true}}})}};
  }

  static Change PutChange(const std::string& bucket, const json& current, const Wanted& wanted,
                          std::string_view verb) {
    const json desired = Desired(wanted);
    return {.action = "s3:PutEncryptionConfiguration",
            .summary = std::string(verb) + " the default encryption of bucket " + Quote(bucket) +
                       " to " + Describe(desired) + " (now " + Describe(current) + ")",
            .detail = {{"Bucket", bucket}, {"ServerSideEncryptionConfiguration", desired}}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableDefaultEncryptionS3);
