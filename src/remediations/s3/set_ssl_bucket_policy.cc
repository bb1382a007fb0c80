// SetSSLBucketPolicy (S3.5): makes the bucket policy deny every request that does not use TLS.
//
// Reference: ASR-SetSSLBucketPolicy appends the statement "AllowSSLRequestsOnly" (Deny s3:* on the
// bucket and its objects to everyone when aws:SecureTransport is false) on every run, so reruns
// pile up duplicates, and never reads the policy back. Here:
//   * the bucket is compliant when its policy already denies non-TLS requests to everyone for all
//     S3 actions on both the bucket and its objects, through any statement(s) and Sid;
//   * the statement is appended to the policy as it is (statement and key order kept), with a Sid
//     that does not collide with an existing one;
//   * undo removes exactly the statement it added: when the rest of the policy is as it was, the
//     previous policy text is restored exactly (or the policy deleted when there was none); when
//     others changed the policy since, only the added statement is removed and their changes stay.

#include <algorithm>
#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/s3/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kSid = "AllowSSLRequestsOnly";

// Glob match for policy resources, where `text` itself may contain '*' meaning "any key": '*' in
// the pattern matches any run, '?' matches one character other than '*'. So a pattern matches
// "arn:aws:s3:::b/*" only when it matches every object key of b.
bool ResourceMatches(std::string_view pattern, std::string_view text) {
  // Iterative matching with one backtrack point (the last '*'): O(len(pattern) * len(text)).
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' ? text[t] != '*' : pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

// Strings of a policy element that may be a string or an array of strings.
std::vector<std::string> Strings(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const json& item : v) {
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

// A condition value meaning false: false, "false" (any case), or a list holding one of them
// (condition values in a list match when any of them does).
bool IsFalse(const json& v) {
  const auto is_false = [](const json& item) {
    return (item.is_boolean() && !item.get<bool>()) ||
           (item.is_string() && EqualsIgnoreCase(item.get<std::string>(), "false"));
  };
  if (v.is_array()) {
    return std::any_of(v.begin(), v.end(), is_false);
  }
  return is_false(v);
}

bool EveryonePrincipal(const json& principal) {
  if (principal.is_string()) {
    return principal.get<std::string>() == "*";
  }
  if (principal.is_object() && principal.contains("AWS")) {
    for (const std::string& p : Strings(principal["AWS"])) {
      if (p == "*") {
        return true;
      }
    }
  }
  return false;
}

// Whether the condition is exactly "aws:SecureTransport is false" (any further condition would
// narrow the deny to some requests only).
bool OnlyNonTlsCondition(const json& condition) {
  if (!condition.is_object() || condition.size() != 1) {
    return false;
  }
  // Object iterators, not items(): a structured binding to *items().begin() would outlive the
  // temporary proxy it refers to.
  const auto op = condition.begin();
  const json& body = op.value();
  if ((op.key() != "Bool" && op.key() != "BoolIfExists") || !body.is_object() || body.size() != 1) {
    return false;
  }
  const auto key = body.begin();
  return EqualsIgnoreCase(key.key(), "aws:SecureTransport") && IsFalse(key.value());
}

struct Coverage {
  bool bucket = false;
  bool objects = false;
};

// What part of {bucket, objects} `statement` denies to everyone, for every S3 action, over
// plain HTTP.
Coverage DenyNonTlsCoverage(const json& statement, const std::string& bucket_arn) {
  Coverage c;
  if (!statement.is_object() || S3JsonString(statement, "Effect") != "Deny" ||
      statement.contains("NotPrincipal") || statement.contains("NotAction") ||
      statement.contains("NotResource") ||
      !EveryonePrincipal(statement.value("Principal", json())) ||
      !OnlyNonTlsCondition(statement.value("Condition", json()))) {
    return c;
  }
  bool all_actions = false;
  for (const std::string& a : Strings(statement.value("Action", json()))) {
    all_actions = all_actions || a == "*" || EqualsIgnoreCase(a, "s3:*");
  }
  if (!all_actions) {
    return c;
  }
  for (const std::string& r : Strings(statement.value("Resource", json()))) {
    c.bucket = c.bucket || ResourceMatches(r, bucket_arn);
    c.objects = c.objects || ResourceMatches(r, bucket_arn + "/*");
  }
  return c;
}

// The policy's statements as an array (the grammar allows a single statement object).
json StatementsOf(const json& policy) {
  const json s = policy.is_object() ? policy.value("Statement", json::array()) : json::array();
  return s.is_object() ? json::array({s}) : s;
}

Coverage PolicyCoverage(const json& policy, const std::string& bucket_arn) {
  Coverage total;
  for (const json& statement : StatementsOf(policy)) {
    const Coverage c = DenyNonTlsCoverage(statement, bucket_arn);
    total.bucket = total.bucket || c.bucket;
    total.objects = total.objects || c.objects;
  }
  return total;
}

// Policies compare equal when they differ only in JSON formatting, key order, or a single
// statement written as an object instead of a one-element array.
bool SamePolicy(const json& a, const json& b) {
  if (a.is_null() || b.is_null()) {
    return a.is_null() && b.is_null();
  }
  json na = a;
  json nb = b;
  na["Statement"] = StatementsOf(a);
  nb["Statement"] = StatementsOf(b);
  return na == nb;
}

ordered_json StatementToAdd(const std::string& sid, const std::string& bucket_arn) {
  return {{"Sid", sid},
          {"Effect", "Deny"},
          {"Principal", "*"},
          {"Action", "s3:*"},
          {"Resource", {bucket_arn, bucket_arn + "/*"}},
          {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}};
}

// A Sid not used by any statement of the policy: AllowSSLRequestsOnly, else ...2, ...3.
std::string FreeSid(const json& policy) {
  std::vector<std::string> used;
  for (const json& s : StatementsOf(policy)) {
    if (s.is_object() && s.contains("Sid") && s["Sid"].is_string()) {
      used.push_back(s["Sid"].get<std::string>());
    }
  }
  for (int n = 1;; ++n) {
    std::string sid = std::string(kSid) + (n == 1 ? "" : std::to_string(n));
    if (std::find(used.begin(), used.end(), sid) == used.end()) {
      return sid;
    }
  }
}

// The bucket policy: its text and parsed form (both null when the bucket has none). The ordered
// form keeps key order, so that a rewritten policy differs from the original only by what was
// added.
struct PolicyState {
  json text;  // string or null
  ordered_json ordered;
  json parsed;
};

Result<PolicyState> ReadPolicy(Context& ctx, const json& id, const std::string& bucket) {
  Result<json> out = ctx.Call("s3", "GetBucketPolicy", id);
  if (!out.ok()) {
    if (S3HasAwsError(out.status(), "NoSuchBucketPolicy")) {
      return PolicyState{};
    }
    return out.status().Annotate("read the policy of bucket " + Quote(bucket));
  }
  const std::string text = out->value("Policy", "");
  PolicyState state{.text = text,
                    .ordered = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false)};
  if (!state.ordered.is_object()) {
    return InternalError("bucket " + Quote(bucket) +
                         " returned a policy that is not a JSON object");
  }
  state.parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return state;
}

std::string Missing(const Coverage& c) {
  if (!c.bucket && !c.objects) {
    return "the bucket and its objects";
  }
  return c.bucket ? "its objects" : "the bucket itself";
}

class SetSSLBucketPolicy final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "SetSSLBucketPolicy",
        .title = "Deny requests to an S3 bucket that do not use TLS (bucket policy)",
        .controls = {{.control_id = "S3.5"}},
        .resource_type = "AwsS3Bucket",
        .permissions = {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo removes the added statement: the previous policy comes back exactly (or is "
            "deleted when there was none) unless others changed the policy since, whose changes "
            "are then kept",
        .example_resource_id = "arn:aws:s3:::my-bucket",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const std::string bucket,
                         S3BucketFromTarget(target, spec().example_resource_id));
    return json{{"Bucket", bucket},
                {"ExpectedBucketOwner", target.account_id},
                {"BucketArn", "arn:" + target.partition + ":s3:::" + bucket}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    const std::string bucket_arn = S3JsonString(inv.resource, "BucketArn");
    ASR_ASSIGN_OR_RETURN(const PolicyState state, ReadPolicy(ctx, Id(inv), bucket));
    Plan plan;
    plan.current = {{"Bucket", bucket}, {"Policy", state.parsed}};
    const Coverage c = PolicyCoverage(state.parsed, bucket_arn);
    if (c.bucket && c.objects) {
      return plan;
    }
    const ordered_json statement = StatementToAdd(FreeSid(state.parsed), bucket_arn);
    plan.changes.push_back(
        {.action = "s3:PutBucketPolicy",
         .summary = "add statement " + Quote(statement["Sid"].get<std::string>()) +
                    " denying s3:* over plain HTTP (aws:SecureTransport false) on bucket " +
                    Quote(bucket) + "; nothing denies it yet for " + Missing(c),
         .detail = {{"Bucket", bucket}, {"Statement", json::parse(statement.dump())}}});
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    const std::string bucket_arn = S3JsonString(inv.resource, "BucketArn");
    // Re-read: the policy must be extended as it is now, not as it was at plan time.
    ASR_ASSIGN_OR_RETURN(const PolicyState state, ReadPolicy(ctx, Id(inv), bucket));
    Applied applied;
    applied.before = {{"Policy", state.text}, {"Added", nullptr}};
    const Coverage c = PolicyCoverage(state.parsed, bucket_arn);
    if (c.bucket && c.objects) {
      return applied;
    }
    const ordered_json statement = StatementToAdd(FreeSid(state.parsed), bucket_arn);
    ordered_json policy = state.ordered;
    if (policy.is_null()) {
      policy = {{"Version", "2012-10-17"}, {"Statement", ordered_json::array()}};
    } else if (!policy.contains("Statement")) {
      policy["Statement"] = ordered_json::array();
    } else if (policy["Statement"].is_object()) {
      policy["Statement"] = ordered_json::array({policy["Statement"]});
    } else if (!policy["Statement"].is_array()) {
      return FailedPreconditionError("the policy of bucket " + Quote(bucket) +
                                     " has a Statement that is neither an object nor a list");
    }
    policy["Statement"].push_back(statement);
    json request = Id(inv);
    request["Policy"] = policy.dump();
    ASR_RETURN_IF_ERROR(
        ctx.Call("s3", "PutBucketPolicy", request)
            .status()
            .Annotate("add the TLS-only statement to the policy of bucket " + Quote(bucket)));
    applied.before["Added"] = json::parse(statement.dump());
    applied.changes.push_back(
        {.action = "s3:PutBucketPolicy",
         .summary = "added statement " + Quote(statement["Sid"].get<std::string>()) +
                    " denying s3:* over plain HTTP on bucket " + Quote(bucket),
         .detail = {{"Bucket", bucket}, {"Statement", applied.before["Added"]}}});
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    if (!before.is_object() || !before.contains("Added") || !before.contains("Policy") ||
        !(before["Policy"].is_null() || before["Policy"].is_string())) {
      return InvalidArgumentError("the record's before-state has no Policy/Added fields");
    }
    std::vector<Change> changes;
    const json& added = before["Added"];
    if (added.is_null()) {
      return changes;  // the run added nothing
    }
    const json previous = before["Policy"].is_string()
                              ? json::parse(before["Policy"].get<std::string>(), nullptr,
                                            /*allow_exceptions=*/false)
                              : json();
    ASR_ASSIGN_OR_RETURN(const PolicyState state, ReadPolicy(ctx, Id(inv), bucket));

    // Find the statement the run added (same content, same Sid).
    ordered_json remainder = state.ordered;
    bool found = false;
    if (remainder.is_object() && remainder.contains("Statement")) {
      ordered_json& statements = remainder["Statement"];
      if (statements.is_object()) {
        statements = ordered_json::array({statements});
      }
      if (statements.is_array()) {
        for (auto it = statements.begin(); it != statements.end(); ++it) {
          if (json::parse(it->dump()) == added) {
            statements.erase(it);
            found = true;
            break;
          }
        }
      }
    }
    if (!found) {
      if (SamePolicy(state.parsed, previous)) {
        return changes;  // already undone
      }
      return FailedPreconditionError(
          "the statement " + Quote(S3JsonString(added, "Sid")) +
          " added by the run is no longer in "
          "the policy of bucket " +
          Quote(bucket) +
          ", which others changed since; nothing to undo, the policy is left as it is");
    }

    const json rest = json::parse(remainder.dump());
    if (SamePolicy(rest, previous) || (previous.is_null() && StatementsOf(rest).empty())) {
      // Nothing else changed: put back the previous policy text exactly, or delete the policy.
      if (previous.is_null()) {
        Result<json> out = ctx.Call("s3", "DeleteBucketPolicy", Id(inv));
        if (!out.ok() && !S3HasAwsError(out.status(), "NoSuchBucketPolicy")) {
          return out.status().Annotate("delete the policy of bucket " + Quote(bucket));
        }
        changes.push_back(
            {.action = "s3:DeleteBucketPolicy",
             .summary = "deleted the policy of bucket " + Quote(bucket) + " (it had none before)",
             .detail = {{"Bucket", bucket}}});
        return changes;
      }
      json request = Id(inv);
      request["Policy"] = before["Policy"];
      ASR_RETURN_IF_ERROR(ctx.Call("s3", "PutBucketPolicy", request)
                              .status()
                              .Annotate("restore the policy of bucket " + Quote(bucket)));
      changes.push_back({.action = "s3:PutBucketPolicy",
                         .summary = "restored the previous policy of bucket " + Quote(bucket),
                         .detail = {{"Bucket", bucket}, {"Policy", previous}}});
      return changes;
    }

    // Others changed the policy since: remove only our statement and keep their changes.
    if (StatementsOf(rest).empty()) {
      Result<json> out = ctx.Call("s3", "DeleteBucketPolicy", Id(inv));
      if (!out.ok() && !S3HasAwsError(out.status(), "NoSuchBucketPolicy")) {
        return out.status().Annotate("delete the policy of bucket " + Quote(bucket));
      }
      changes.push_back({.action = "s3:DeleteBucketPolicy",
                         .summary = "deleted the policy of bucket " + Quote(bucket) +
                                    ", whose only statement was the added one",
                         .detail = {{"Bucket", bucket}}});
      return changes;
    }
    json request = Id(inv);
    request["Policy"] = remainder.dump();
    ASR_RETURN_IF_ERROR(
        ctx.Call("s3", "PutBucketPolicy", request)
            .status()
            .Annotate("remove the added statement from the policy of bucket " + Quote(bucket)));
    changes.push_back(
        {.action = "s3:PutBucketPolicy",
         .summary = "removed statement " + Quote(S3JsonString(added, "Sid")) + " from bucket " +
                    Quote(bucket) +
                    "; the rest of the policy was changed by others since and is kept as it is",
         .detail = {{"Bucket", bucket}, {"Policy", rest}}});
    return changes;
  }

 private:
  static json Id(const Invocation& inv) {
    return {{"Bucket", S3JsonString(inv.resource, "Bucket")},
            {"ExpectedBucketOwner", S3JsonString(inv.resource, "ExpectedBucketOwner")}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(SetSSLBucketPolicy);
