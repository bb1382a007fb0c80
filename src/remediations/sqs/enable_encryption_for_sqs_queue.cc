// EnableEncryptionForSQSQueue (SQS.1): turns on server-side encryption of a queue.
//
// Reference: ASR-EnableEncryptionForSQSQueue sets KmsMasterKeyId = KmsKeyArn (default: the ASR
// CMK from SSM /Solutions/SO0111/CMK_REMEDIATION_ARN) and waits for the attribute, on every run.
//
// Here:
//   * compliant = the queue is encrypted at all: KmsMasterKeyId set (SSE-KMS) or
//     SqsManagedSseEnabled true (SSE-SQS). SQS.1 asks for encryption at rest, which both are; a
//     key chosen by the queue's owner is never replaced.
//   * KmsKeyArn defaults to "" = SSE-SQS (SqsManagedSseEnabled=true). asr deploys no CMK, and
//     SSE-SQS needs no key policy: producers such as SNS, EventBridge or S3 notifications keep
//     working. The AWS managed key alias/aws/sqs would break them (its key policy cannot grant
//     those service principals kms:GenerateDataKey). With a key given, it is checked first with
//     kms:DescribeKey (exists, enabled, symmetric): SQS accepts any key id in SetQueueAttributes
//     and only fails later, on SendMessage.
//   * undo sets back the previous state (SSE-SQS off, or KmsMasterKeyId "") while the queue still
//     has the encryption this run set; if someone changed it since, undo refuses.

#include <optional>
#include <regex>
#include <string>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

// object[key] when it is a string, else "" (nlohmann's value() throws on other types; records
// are read back from files).
std::string Str(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return "";
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The encryption attributes of a queue ("" / "false" when absent).
struct Encryption {
  std::string kms_key;      // KmsMasterKeyId
  std::string sqs_managed;  // SqsManagedSseEnabled: "true" / "false"
  [[nodiscard]] bool Encrypted() const { return !kms_key.empty() || sqs_managed == "true"; }
  [[nodiscard]] json ToJson() const {
    return {{"KmsMasterKeyId", kms_key}, {"SqsManagedSseEnabled", sqs_managed}};
  }
  [[nodiscard]] std::string Describe() const {
    if (!kms_key.empty()) {
      return "SSE-KMS with key " + kms_key;
    }
    return sqs_managed == "true" ? "SSE-SQS" : "no encryption";
  }
};

// Checks the KmsKeyArn parameter: "" or a KMS key or alias (ARN in the queue's region, alias/...,
// key id).
Status CheckKeyParameter(const std::string& value, const Target& target) {
  if (value.empty()) {
    return Status::Ok();
  }
  const auto reject = [&](std::string_view why) {
    return InvalidArgumentError("parameter KmsKeyArn " + Quote(value) + " " + std::string(why) +
                                "; expected \"\" (SSE-SQS), a KMS key or alias ARN in the "
                                "queue's region, \"alias/<name>\" or a key id");
  };
  if (value.starts_with("arn:")) {
    const std::optional<Arn> arn = ParseArn(value);
    if (!arn || arn->service != "kms" ||
        !(arn->resource.starts_with("key/") || arn->resource.starts_with("alias/"))) {
      return reject("is not a KMS key or alias ARN");
    }
    if (!target.partition.empty() && arn->partition != target.partition) {
      return reject("is in another partition than the queue");
    }
    if (!target.region.empty() && arn->region != target.region) {
      return reject("is in region " + Quote(arn->region) + ", not the queue's " +
                    Quote(target.region));
    }
    return Status::Ok();
  }
  static const std::regex kLocal(
      "alias/[A-Za-z0-9/_-]{1,250}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{12}|mrk-[0-9a-f]{32}");
  if (!std::regex_match(value, kLocal)) {
    return reject("is not a key ARN, alias or key id");
  }
  return Status::Ok();
}

Status CheckKey(Context& ctx, const std::string& key_id) {
  Result<json> out = ctx.Call("kms", "DescribeKey", {{"KeyId", key_id}});
  if (!out.ok()) {
    if (out.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError("KMS key " + Quote(key_id) + " does not exist in region " +
                                     ctx.region() +
                                     "; a queue encrypted with it would refuse every message");
    }
    return out.status().Annotate("check KMS key " + Quote(key_id));
  }
  const json meta = out->value("KeyMetadata", json::object());
  const std::string state = meta.value("KeyState", "");
  if (state != "Enabled") {
    return FailedPreconditionError("KMS key " + Quote(key_id) + " is " + Quote(state) +
                                   ", not Enabled; the queue would refuse every message");
  }
  const std::string spec = meta.value("KeySpec", meta.value("CustomerMasterKeySpec", ""));
  if (meta.value("KeyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT" ||
      (!spec.empty() && spec != "SYMMETRIC_DEFAULT")) {
    return FailedPreconditionError("KMS key " + Quote(key_id) +
                                   " is not a symmetric encryption "
                                   "key (KeySpec " +
                                   Quote(spec) + "); SQS needs one");
  }
  return Status::Ok();
}

class EnableEncryptionForSQSQueue final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "EnableEncryptionForSQSQueue",
        .title = "Turn on server-side encryption of an SQS queue",
        .controls = {{.control_id = "SQS.1"}},
        .resource_type = "AwsSqsQueue",
        .permissions = {"sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes",
                        "kms:DescribeKey"},
        .parameters = {{.name = "KmsKeyArn",
                        .type = ParamType::kString,
                        .default_json = "\"\"",
                        .description =
                            "\"\" for SQS-managed encryption (SSE-SQS, no key policy needed); "
                            "otherwise the KMS key for SSE-KMS (ARN, alias/... or key id), whose "
                            "key policy must let the queue's producers and consumers use it"}},
        .risk = Risk::kSafe,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo turns the encryption set by the run off again while the queue still has it; "
            "messages sent in between stay encrypted",
        .example_resource_id = "arn:aws:sqs:us-east-1:111111111111:my-queue",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const std::string name,
                         ArnResourceAfter(target, "sqs", "", spec().example_resource_id));
    const std::optional<Arn> arn = ParseArn(target.resource_id);
    if (arn && !target.region.empty() && arn->region != target.region) {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) + " names region " +
                                  Quote(arn->region) + ", not the finding's " +
                                  Quote(target.region));
    }
    ASR_RETURN_IF_ERROR(
        CheckPattern("queue name", name, "[A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\\.fifo")
            .Annotate("resource id " + Quote(target.resource_id)));
    return json{{"QueueName", name}, {"QueueOwnerAWSAccountId", target.account_id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string key = inv.params.String("KmsKeyArn");
    ASR_RETURN_IF_ERROR(CheckKeyParameter(key, inv.target));
    ASR_ASSIGN_OR_RETURN(const std::string url, QueueUrl(ctx, inv));
    ASR_ASSIGN_OR_RETURN(const Encryption current, Read(ctx, url));
    Plan plan;
    plan.current = {{"QueueUrl", url}, {"Attributes", current.ToJson()}};
    if (current.Encrypted()) {
      return plan;
    }
    if (!key.empty()) {
      ASR_RETURN_IF_ERROR(CheckKey(ctx, key));
    }
    plan.changes.push_back(SetChange(url, Wanted(key)));
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    const std::string key = inv.params.String("KmsKeyArn");
    ASR_RETURN_IF_ERROR(CheckKeyParameter(key, inv.target));
    ASR_ASSIGN_OR_RETURN(const std::string url, QueueUrl(ctx, inv));
    ASR_ASSIGN_OR_RETURN(const Encryption current, Read(ctx, url));
    Applied applied;
    applied.before = {{"QueueUrl", url}, {"Attributes", current.ToJson()}, {"Set", nullptr}};
    if (current.Encrypted()) {
      return applied;
    }
    const json attributes = Wanted(key);
    ASR_RETURN_IF_ERROR(
        ctx.Call("sqs", "SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", attributes}})
            .status()
            .Annotate("turn on encryption of queue " + Quote(url)));
    applied.before["Set"] = attributes;
    applied.changes.push_back(SetChange(url, attributes));
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    if (!before.is_object() || !before.contains("Set") || !before.contains("Attributes")) {
      return InvalidArgumentError("the record's before-state has no Attributes/Set fields");
    }
    std::vector<Change> changes;
    const json& set = before["Set"];
    if (!set.is_object()) {
      return changes;  // the run changed nothing
    }
    ASR_ASSIGN_OR_RETURN(const std::string url, QueueUrl(ctx, inv));
    ASR_ASSIGN_OR_RETURN(const Encryption current, Read(ctx, url));
    const json& previous = before["Attributes"];
    const std::string was_managed = Str(previous, "SqsManagedSseEnabled");
    const Encryption was{.kms_key = Str(previous, "KmsMasterKeyId"),
                         .sqs_managed = was_managed.empty() ? "false" : was_managed};
    if (!current.Encrypted() || current.ToJson() == was.ToJson()) {
      return changes;  // already undone
    }
    // Still what the run set? (SSE-SQS on, or the key it set.)
    const bool still_ours = set.contains("KmsMasterKeyId")
                                ? current.kms_key == Str(set, "KmsMasterKeyId")
                                : current.kms_key.empty() && current.sqs_managed == "true";
    if (!still_ours) {
      return FailedPreconditionError("the encryption of queue " + Quote(url) +
                                     " was changed since the run (now " + current.Describe() +
                                     "); not turning it off");
    }
    const json attributes = set.contains("KmsMasterKeyId")
                                ? json{{"KmsMasterKeyId", ""}}
                                : json{{"SqsManagedSseEnabled", "false"}};
    ASR_RETURN_IF_ERROR(
        ctx.Call("sqs", "SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", attributes}})
            .status()
            .Annotate("turn off encryption of queue " + Quote(url)));
    changes.push_back(
        {.action = "sqs:SetQueueAttributes",
         .summary = "turned " + current.Describe() + " off again on queue " + Quote(url),
         .detail = {{"QueueUrl", url}, {"Attributes", attributes}}});
    return changes;
  }

 private:
  static json Wanted(const std::string& key) {
    return key.empty() ? json{{"SqsManagedSseEnabled", "true"}} : json{{"KmsMasterKeyId", key}};
  }

  static Change SetChange(const std::string& url, const json& attributes) {
    const std::string what =
        attributes.contains("KmsMasterKeyId")
            ? "SSE-KMS with key " + attributes["KmsMasterKeyId"].get<std::string>()
            : std::string("SSE-SQS (SQS-managed keys)");
    return {.action = "sqs:SetQueueAttributes",
            .summary = "turn on " + what + " for queue " + Quote(url) + " (now unencrypted)",
            .detail = {{"QueueUrl", url}, {"Attributes", attributes}}};
  }

  static Result<std::string> QueueUrl(Context& ctx, const Invocation& inv) {
    const std::string name = Str(inv.resource, "QueueName");
    Result<json> out =
        ctx.Call("sqs", "GetQueueUrl",
                 {{"QueueName", name},
                  {"QueueOwnerAWSAccountId", Str(inv.resource, "QueueOwnerAWSAccountId")}});
    if (!out.ok()) {
      const Status& st = out.status();
      // SQS reports a missing queue as a client error (HTTP 400), which maps to InvalidArgument;
      // it is a NotFound.
      if (st.aws_error_code() == "AWS.SimpleQueueService.NonExistentQueue" ||
          st.aws_error_code() == "QueueDoesNotExist") {
        return NotFoundError("queue " + Quote(name) + " does not exist in account " +
                             Str(inv.resource, "QueueOwnerAWSAccountId") + " region " +
                             ctx.region() + ": " + st.message())
            .WithAwsError(st.aws_error_code(), st.request_id());
      }
      return st.Annotate("find queue " + Quote(name));
    }
    const std::string url = out->value("QueueUrl", "");
    if (url.empty()) {
      return InternalError("GetQueueUrl returned no QueueUrl for queue " + Quote(name));
    }
    return url;
  }

  static Result<Encryption> Read(Context& ctx, const std::string& url) {
    ASR_ASSIGN_OR_RETURN(
        const json out, ctx.Call("sqs", "GetQueueAttributes",
                                 {{"QueueUrl", url},
                                  {"AttributeNames", {"KmsMasterKeyId", "SqsManagedSseEnabled"}}}));
    const json attributes = out.value("Attributes", json::object());
    return Encryption{.kms_key = attributes.value("KmsMasterKeyId", ""),
                      .sqs_managed = AsciiLower(attributes.value("SqsManagedSseEnabled", "false"))};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableEncryptionForSQSQueue);
