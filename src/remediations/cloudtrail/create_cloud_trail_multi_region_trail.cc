// CreateCloudTrailMultiRegionTrail (CloudTrail.1, CloudTrail.3): makes sure the account has a
// multi-region trail that is logging and records read and write management events.
//
// Reference: ASR-CreateCloudTrailMultiRegionTrail creates an access-logging bucket
// so0111-access-logs-<region>-<account>, the trail bucket so0111-aws-cloudtrail-<account>
// (encryption, public access block, access logging, a policy for CloudTrail plus a TLS-only
// deny), then creates (or updates) the trail "multi-region-cloud-trail" and starts logging. It
// never checks first (it runs even when a compliant trail exists), skips configuring a bucket that
// already exists (so a run interrupted after CreateBucket leaves it unconfigured for good), and
// never verifies. Here:
//   * compliant = some multi-region trail (the account's own or its organization's) is logging and
//     its event selectors include read and write management events (DescribeTrails with shadow
//     trails, GetTrailStatus and GetEventSelectors in each trail's home region); then nothing is
//     done;
//   * otherwise the same buckets and trail, each step planned from what exists (common.h
//     "Buckets"), so reruns converge; the bucket policy only lets this trail write
//     (aws:SourceArn);
//   * the access-logging bucket grants S3's logging service through its bucket policy (ACLs stay
//     disabled) instead of the reference's LogDelivery ACL grants, and is always SSE-S3: S3 server
//     access logs cannot be delivered into an SSE-KMS bucket, so the reference's KMS-encrypted
//     logging bucket never received any;
//   * KMSKeyArn is optional: empty means the ASR member key from SSM
//     /Solutions/SO0111/CMK_REMEDIATION_ARN when ASR's member stack deployed one, else no SSE-KMS
//     (the trail's files then get the bucket's SSE-S3; CloudTrail.2 will ask for a key);
//   * a trail named multi-region-cloud-trail whose custom event selectors leave out management
//     events is not rewritten: the plan fails and says so (someone chose those selectors).
// Undo deletes the trail if this run created it, or puts back the trail settings it changed and
// stops logging if it started it. The buckets are kept: they hold the delivered logs.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/cloudtrail/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kTrailName = "multi-region-cloud-trail";
constexpr std::string_view kTrailBucketLogPrefix = "cloudtrail-access-logs/";

// Which management events a trail's event selectors record.
struct Coverage {
  bool read = false;
  bool write = false;
};

void AddReadWrite(Coverage& c, std::string_view read_write_type) {
  if (read_write_type == "All") {
    c.read = c.write = true;
  } else if (read_write_type == "ReadOnly") {
    c.read = true;
  } else if (read_write_type == "WriteOnly") {
    c.write = true;
  }
}

// True when a field selector only excludes (NotEquals, NotStartsWith, NotEndsWith).
bool AllNegative(const json& field_selector) {
  return std::ranges::all_of(field_selector.items(), [](const auto& op) {
    return op.key() == "Field" || op.key().starts_with("Not");
  });
}

// Management-event coverage of GetEventSelectors' answer. Basic selectors: IncludeManagementEvents
// (default true) with ReadWriteType (default All). Advanced selectors: eventCategory = Management,
// optionally readOnly = true/false, optionally eventSource exclusions; a selector restricting
// management events any other way is not counted.
Coverage CoverageOf(const json& selectors) {
  Coverage c;
  for (const json& s : selectors.value("EventSelectors", json::array())) {
    if (s.value("IncludeManagementEvents", true)) {
      AddReadWrite(c, s.value("ReadWriteType", "All"));
    }
  }
  for (const json& s : selectors.value("AdvancedEventSelectors", json::array())) {
    bool management = false;
    bool restricted = false;
    std::string read_write = "All";
    for (const json& f : s.value("FieldSelectors", json::array())) {
      const std::string field = f.value("Field", "");
      const json equals = f.value("Equals", json::array());
      if (field == "eventCategory") {
        management = equals.is_array() && equals.size() == 1 && equals[0] == "Management";
        restricted = restricted || !management;
      } else if (field == "readOnly" && equals.is_array() && equals.size() == 1 && f.size() == 2) {
        read_write = equals[0] == "true" ? "ReadOnly" : "WriteOnly";
      } else if (field == "eventSource" && AllNegative(f)) {
        // exclusions of a few sources (e.g. KMS), like ExcludeManagementEventSources
      } else {
        restricted = true;
      }
    }
    if (management && !restricted) {
      AddReadWrite(c, read_write);
    }
  }
  return c;
}

// Everything the plan needs to know about the account's trails.
struct TrailsState {
  json trails = json::array();  // one summary per multi-region trail
  bool compliant = false;
  std::optional<json> ours;  // DescribeTrails' entry for kTrailName
  std::string ours_region;   // its home region
  bool ours_logging = false;
  bool ours_selectors_ok = true;  // false: custom selectors leave out management events
};

std::string HomeRegion(const json& trail) {
  std::string region = trail.value("HomeRegion", "");
  if (region.empty()) {
    const std::string trail_arn = trail.value("TrailARN", "");
    if (const std::optional<Arn> arn = ParseArn(trail_arn)) {
      region = std::string(arn->region);
    }
  }
  return region;
}

// One trail's logging status and management-event coverage, read in its home region. Errors that
// mean "cannot see this trail from here" (e.g. an organization trail's selectors) are recorded in
// the summary instead of failing the run; the trail then does not count as compliant.
Result<json> SummarizeTrail(Context& ctx, const json& trail) {
  const std::string arn = trail.value("TrailARN", "");
  const std::string region = HomeRegion(trail);
  json summary = {{"Name", trail.value("Name", "")},
                  {"TrailARN", arn},
                  {"HomeRegion", region},
                  {"IsOrganizationTrail", trail.value("IsOrganizationTrail", false)}};
  const auto unreadable = [&](const Status& s) -> Result<json> {
    if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kPermissionDenied) {
      summary["Unreadable"] = s.message();
      summary["Compliant"] = false;
      return summary;
    }
    return s.Annotate("read trail " + Quote(arn));
  };
  Result<json> status = ctx.Call("cloudtrail", "GetTrailStatus", {{"Name", arn}}, region);
  if (!status.ok()) {
    return unreadable(status.status());
  }
  summary["IsLogging"] = status->value("IsLogging", false);
  Coverage coverage{.read = true, .write = true};  // the default selectors: all management events
  if (trail.value("HasCustomEventSelectors", true)) {
    Result<json> selectors =
        ctx.Call("cloudtrail", "GetEventSelectors", {{"TrailName", arn}}, region);
    if (!selectors.ok()) {
      return unreadable(selectors.status());
    }
    coverage = CoverageOf(*selectors);
    summary["EventSelectors"] = selectors->value("EventSelectors", json::array());
    summary["AdvancedEventSelectors"] = selectors->value("AdvancedEventSelectors", json::array());
  }
  summary["ManagementEvents"] = {{"Read", coverage.read}, {"Write", coverage.write}};
  summary["Compliant"] = summary["IsLogging"].get<bool>() && coverage.read && coverage.write;
  return summary;
}

// `account`: the finding's; a trail of another account (an organization trail) is never "ours".
Result<TrailsState> ReadTrails(Context& ctx, const std::string& account) {
  ASR_ASSIGN_OR_RETURN(const json described,
                       ctx.Call("cloudtrail", "DescribeTrails", {{"includeShadowTrails", true}}));
  TrailsState state;
  for (const json& trail : described.value("trailList", json::array())) {
    const bool multi_region = trail.value("IsMultiRegionTrail", false);
    const std::string trail_arn = trail.value("TrailARN", "");
    const std::optional<Arn> arn = ParseArn(trail_arn);
    const bool ours = trail.value("Name", "") == kTrailName && arn && arn->account == account &&
                      (!state.ours || HomeRegion(trail) == ctx.region());
    if (!multi_region && !ours) {
      continue;
    }
    ASR_ASSIGN_OR_RETURN(json summary, SummarizeTrail(ctx, trail));
    summary["IsMultiRegionTrail"] = multi_region;
    if (multi_region) {
      state.compliant = state.compliant || summary["Compliant"].get<bool>();
    } else {
      summary["Compliant"] = false;  // a single-region trail does not satisfy CloudTrail.1
    }
    if (ours) {
      if (summary.contains("Unreadable")) {
        return FailedPreconditionError("cannot read trail " + Quote(kTrailName) + ": " +
                                       summary["Unreadable"].get<std::string>());
      }
      const json mgmt = summary.value("ManagementEvents", json::object());
      state.ours = trail;
      state.ours_region = HomeRegion(trail);
      state.ours_logging = summary.value("IsLogging", false);
      state.ours_selectors_ok = mgmt.value("Read", false) && mgmt.value("Write", false);
    }
    state.trails.push_back(summary);
  }
  return state;
}

// What the remediation builds, from the target and the trail's home region.
struct Layout {
  std::string region;  // the trail's home region (and its buckets')
  CtBucket log_bucket;
  CtBucket trail_bucket;
  json trail_settings;  // CreateTrail/UpdateTrail fields except Name
};

Layout MakeLayout(const Target& target, const std::string& region, const std::string& kms_key,
                  const std::string& key_prefix) {
  const std::string& p = target.partition;
  const std::string& account = target.account_id;
  Layout l;
  l.region = region;
  // The reference's name (its code, so0111-access-logs-<region>-<account>, not its docs').
  const std::string log_name = "so0111-access-logs-" + region + "-" + account;
  l.log_bucket = {.name = log_name,
                  .account = account,
                  .partition = p,
                  .region = region,
                  .statements = json::array({CtAllowAccessLogDelivery(p, log_name, account),
                                             CtDenyInsecureTransport(p, log_name)})};
  const std::string name = "so0111-aws-cloudtrail-" + account;
  const std::string logs_key =
      (key_prefix.empty() ? std::string() : key_prefix + "/") + "AWSLogs/" + account + "/*";
  // CloudTrail names the trail writing in aws:SourceArn: only our trail may use the bucket.
  const json source = {{"aws:SourceArn", "arn:" + p + ":cloudtrail:" + region + ":" + account +
                                             ":trail/" + std::string(kTrailName)}};
  l.trail_bucket = {
      .name = name,
      .account = account,
      .partition = p,
      .region = region,
      .kms_key = kms_key,
      .statements = json::array({{{"Sid", "AWSCloudTrailAclCheck20150319"},
                                  {"Effect", "Allow"},
                                  {"Principal", {{"Service", "cloudtrail.amazonaws.com"}}},
                                  {"Action", "s3:GetBucketAcl"},
                                  {"Resource", CtS3Arn(p, name)},
                                  {"Condition", {{"StringEquals", source}}}},
                                 {{"Sid", "AWSCloudTrailWrite20150319"},
                                  {"Effect", "Allow"},
                                  {"Principal", {{"Service", "cloudtrail.amazonaws.com"}}},
                                  {"Action", "s3:PutObject"},
                                  {"Resource", CtS3Arn(p, name, logs_key)},
                                  {"Condition",
                                   {{"StringEquals",
                                     {{"s3:x-amz-acl", "bucket-owner-full-control"},
                                      {"aws:SourceArn", source["aws:SourceArn"]}}}}}},
                                 CtDenyInsecureTransport(p, name)}),
      .log_bucket = log_name,
      .log_prefix = std::string(kTrailBucketLogPrefix)};
  l.trail_settings = {{"S3BucketName", name},
                      {"IsMultiRegionTrail", true},
                      {"IncludeGlobalServiceEvents", true},
                      {"EnableLogFileValidation", true}};
  if (!kms_key.empty()) {
    l.trail_settings["KmsKeyId"] = kms_key;
  }
  return l;
}

// The UpdateTrail fields (besides Name) on which `trail` differs from `settings`, and the trail's
// values of those fields (for undo). A key already set is never removed or replaced.
std::pair<json, json> TrailDiff(const json& trail, const json& settings) {
  json update = json::object();
  json previous = json::object();
  const auto differs = [&](const char* setting, const char* field, const json& fallback) {
    const json have = trail.value(field, fallback);
    if (have != settings[setting]) {
      update[setting] = settings[setting];
      previous[setting] = have;
    }
  };
  differs("S3BucketName", "S3BucketName", "");
  differs("IsMultiRegionTrail", "IsMultiRegionTrail", false);
  differs("IncludeGlobalServiceEvents", "IncludeGlobalServiceEvents", false);
  differs("EnableLogFileValidation", "LogFileValidationEnabled", false);
  if (settings.contains("KmsKeyId") && CtTrailKmsKey(trail).empty()) {
    update["KmsKeyId"] = settings["KmsKeyId"];
    previous["KmsKeyId"] = "";
  }
  return {update, previous};
}

class CreateCloudTrailMultiRegionTrail final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec = [] {
      RemediationSpec s{
          .id = "CreateCloudTrailMultiRegionTrail",
          .title = "Create a multi-region CloudTrail trail that logs management events",
          .controls = {{.control_id = "CloudTrail.1"}, {.control_id = "CloudTrail.3"}},
          .resource_type = "AwsAccount",
          .permissions = {"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
                          "cloudtrail:GetEventSelectors", "cloudtrail:CreateTrail",
                          "cloudtrail:UpdateTrail", "cloudtrail:StartLogging",
                          "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "ssm:GetParameter"},
          .parameters = {CtKmsKeyParameter(
              "KMS key (key or alias ARN) for the trail's log files and the trail bucket's default "
              "encryption; its key policy must let cloudtrail.amazonaws.com use "
              "kms:GenerateDataKey*. Empty: the ASR member key from SSM parameter "
              "/Solutions/SO0111/CMK_REMEDIATION_ARN if it exists, else SSE-S3 only")},
          .risk = Risk::kSafe,
          .reversible = Reversible::kYes,
          .reversibility_note =
              "undo deletes the trail multi-region-cloud-trail if this run created it, or restores "
              "the trail settings it changed and stops logging if it started it; the S3 buckets "
              "are kept because they hold the delivered logs",
          .example_resource_id = "AWS::::Account:111111111111",
      };
      for (std::string& action : CtBucketPermissions()) {
        s.permissions.push_back(std::move(action));
      }
      return s;
    }();
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_RETURN_IF_ERROR(CtCheckAccountTarget(target));
    return json{{"AccountId", target.account_id}, {"Region", target.region}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    ASR_ASSIGN_OR_RETURN(const TrailsState state, ReadTrails(ctx, inv.target.account_id));
    Plan plan;
    plan.current = {{"Trails", state.trails}, {"Compliant", state.compliant}};
    if (state.compliant) {
      return plan;
    }
    if (state.ours && !state.ours_selectors_ok) {
      return FailedPreconditionError(
          "trail " + Quote(kTrailName) +
          " exists but its custom event selectors leave out read or write management events; "
          "fix its event selectors or delete it, then run again");
    }
    const std::string region = state.ours ? state.ours_region : inv.target.region;
    ASR_ASSIGN_OR_RETURN(const CtKmsKey key, CtResolveKmsKey(ctx, inv.params.String("KMSKeyArn"),
                                                             inv.target.partition, region));
    plan.current["KmsKeyId"] = key.arn;
    plan.current["KmsKeySource"] = key.source;
    const Layout layout = MakeLayout(inv.target, region, key.arn,
                                     state.ours ? state.ours->value("S3KeyPrefix", "") : "");
    for (const CtBucket* bucket : {&layout.log_bucket, &layout.trail_bucket}) {
      ASR_ASSIGN_OR_RETURN(const Plan b, CtPlanBucket(ctx, *bucket));
      plan.current["Buckets"].push_back(b.current);
      plan.changes.insert(plan.changes.end(), b.changes.begin(), b.changes.end());
    }
    const std::string trail_name(kTrailName);
    if (!state.ours) {
      json request = layout.trail_settings;
      request["Name"] = trail_name;
      plan.changes.push_back(
          {.action = "cloudtrail:CreateTrail",
           .summary = "create the multi-region trail " + Quote(trail_name) + " in " + region +
                      " delivering to bucket " + Quote(layout.trail_bucket.name) +
                      " with log file validation" +
                      (key.arn.empty() ? std::string() : " and KMS key " + Quote(key.arn)),
           .detail = request});
    } else if (auto [update, previous] = TrailDiff(*state.ours, layout.trail_settings);
               !update.empty()) {
      update["Name"] = trail_name;
      plan.changes.push_back({.action = "cloudtrail:UpdateTrail",
                              .summary = "update trail " + Quote(trail_name) + ": " + update.dump(),
                              .detail = update});
    }
    if (!state.ours || !state.ours_logging) {
      plan.changes.push_back({.action = "cloudtrail:StartLogging",
                              .summary = "start logging on trail " + Quote(trail_name),
                              .detail = {{"Name", trail_name}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    ASR_ASSIGN_OR_RETURN(const TrailsState state, ReadTrails(ctx, inv.target.account_id));
    Applied applied;
    if (state.compliant) {
      applied.before = json::object();
      return applied;  // compliant since the plan
    }
    if (state.ours && !state.ours_selectors_ok) {
      return FailedPreconditionError("trail " + Quote(kTrailName) +
                                     " has custom event selectors without management events");
    }
    const std::string region = state.ours ? state.ours_region : inv.target.region;
    // The key shown in the plan, not one read again: apply what was planned (and approved).
    const std::string key = plan.current.value("KmsKeyId", "");
    const Layout layout =
        MakeLayout(inv.target, region, key, state.ours ? state.ours->value("S3KeyPrefix", "") : "");
    for (const CtBucket* bucket : {&layout.log_bucket, &layout.trail_bucket}) {
      ASR_ASSIGN_OR_RETURN(std::vector<Change> done, CtApplyBucket(ctx, *bucket));
      applied.changes.insert(applied.changes.end(), done.begin(), done.end());
    }

    const std::string trail_name(kTrailName);
    json trail_before = {{"Name", trail_name},
                         {"HomeRegion", region},
                         {"Created", false},
                         {"Previous", json::object()},
                         {"WasLogging", state.ours_logging}};
    if (!state.ours) {
      json request = layout.trail_settings;
      request["Name"] = trail_name;
      Result<json> out = ctx.Call("cloudtrail", "CreateTrail", request, region);
      if (out.ok()) {
        trail_before["Created"] = true;
        applied.changes.push_back({.action = "cloudtrail:CreateTrail",
                                   .summary = "create trail " + Quote(trail_name),
                                   .detail = request});
      } else if (CtHasAwsError(out.status(), "TrailAlreadyExistsException")) {
        // Created between our read and now (e.g. a concurrent run): bring it to our settings.
        request["Name"] = trail_name;
        ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "UpdateTrail", request, region)
                                .status()
                                .Annotate("update the existing trail " + Quote(trail_name)));
        applied.changes.push_back({.action = "cloudtrail:UpdateTrail",
                                   .summary = "update trail " + Quote(trail_name),
                                   .detail = request});
      } else {
        return out.status().Annotate("create trail " + Quote(trail_name));
      }
    } else if (auto [update, previous] = TrailDiff(*state.ours, layout.trail_settings);
               !update.empty()) {
      update["Name"] = trail_name;
      ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "UpdateTrail", update, region)
                              .status()
                              .Annotate("update trail " + Quote(trail_name)));
      trail_before["Previous"] = previous;
      applied.changes.push_back({.action = "cloudtrail:UpdateTrail",
                                 .summary = "update trail " + Quote(trail_name),
                                 .detail = update});
    }
    if (!state.ours_logging) {
      ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "StartLogging", {{"Name", trail_name}}, region)
                              .status()
                              .Annotate("start logging on trail " + Quote(trail_name)));
      applied.changes.push_back({.action = "cloudtrail:StartLogging",
                                 .summary = "start logging on trail " + Quote(trail_name),
                                 .detail = {{"Name", trail_name}}});
    }
    applied.before = {{"Trail", trail_before},
                      {"Buckets", {layout.log_bucket.name, layout.trail_bucket.name}}};
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    std::vector<Change> changes;
    if (!before.contains("Trail")) {
      return changes;  // the run found the account compliant and changed nothing
    }
    const json& t = before["Trail"];
    const std::string name = t.value("Name", "");
    const std::string region = t.value("HomeRegion", "");
    if (t.value("Created", false)) {
      Result<json> out = ctx.Call("cloudtrail", "DeleteTrail", {{"Name", name}}, region);
      if (!out.ok() && out.status().code() != StatusCode::kNotFound) {
        return out.status().Annotate("delete trail " + Quote(name));
      }
      if (out.ok()) {
        changes.push_back({.action = "cloudtrail:DeleteTrail",
                           .summary = "delete trail " + Quote(name) +
                                      " (the buckets and the logs in them are kept)",
                           .detail = {{"Name", name}}});
      }
      return changes;
    }
    if (!t.value("WasLogging", true)) {
      ASR_ASSIGN_OR_RETURN(const json status,
                           ctx.Call("cloudtrail", "GetTrailStatus", {{"Name", name}}, region));
      if (status.value("IsLogging", false)) {
        ASR_RETURN_IF_ERROR(
            ctx.Call("cloudtrail", "StopLogging", {{"Name", name}}, region).status());
        changes.push_back({.action = "cloudtrail:StopLogging",
                           .summary = "stop logging on trail " + Quote(name) + " again",
                           .detail = {{"Name", name}}});
      }
    }
    if (json previous = t.value("Previous", json::object()); !previous.empty()) {
      previous["Name"] = name;
      ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "UpdateTrail", previous, region).status());
      changes.push_back({.action = "cloudtrail:UpdateTrail",
                         .summary = "restore the earlier settings of trail " + Quote(name),
                         .detail = previous});
    }
    return changes;
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(CreateCloudTrailMultiRegionTrail);
