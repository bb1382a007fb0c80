#include "routing/routing.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace asr::routing {
namespace {

using finding::ComplianceStatus;
using finding::Finding;
using finding::RecordState;
using finding::StandardSource;
using finding::WorkflowStatus;

// A consolidated S3.2 finding that every default gate lets through.
Finding S3Finding() {
  Finding f;
  f.id =
      "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.2/finding/"
      "0f1c9e5e-7d43-4a4b-9f6a-2b7e3c1d9a10";
  f.product_arn = "arn:aws:securityhub:us-east-1::product/aws/securityhub";
  f.product_name = "Security Hub";
  f.generator_id = "security-control/S3.2";
  f.aws_account_id = "111111111111";
  f.region = "us-east-1";
  f.compliance = ComplianceStatus::kFailed;
  f.workflow = WorkflowStatus::kNew;
  f.record_state = RecordState::kActive;
  f.security_control_id = "S3.2";
  f.standard = {.long_name = "security-control",
                .version = "2.0.0",
                .control = "S3.2",
                .source = StandardSource::kSecurityControl};
  f.resources.push_back({.type = "AwsS3Bucket",
                         .id = "arn:aws:s3:::prod-data",
                         .region = "us-east-1",
                         .partition = "aws",
                         .tags = {{"env", "prod"}, {"team", "data"}}});
  return f;
}

// A CIS 1.2.0 1.6 finding (remapped to 1.5) on the account resource.
Finding Cis16Finding() {
  Finding f = S3Finding();
  f.id =
      "arn:aws:securityhub:us-east-1:111111111111:subscription/cis-aws-foundations-benchmark/"
      "v/1.2.0/1.6/finding/524d1058-d8af-4549-80e6-e85872ea571e";
  f.security_control_id = "";
  f.standard = {.long_name = "cis-aws-foundations-benchmark",
                .version = "1.2.0",
                .control = "1.6",
                .source = StandardSource::kStandardsControlArn};
  f.resources = {{.type = "AwsAccount",
                  .id = "AWS::::Account:111111111111",
                  .region = "us-east-1",
                  .partition = "aws"}};
  return f;
}

RoutingConfig AutoConfig() {
  RoutingConfig c;
  c.playbooks = {"SC", "CIS120", "AFSBP"};
  c.default_mode = ControlMode::kAuto;
  return c;
}

struct Case {
  std::string name;
  std::function<void(Finding&)> edit_finding;
  std::function<void(RoutingConfig&)> edit_config;
  Trigger trigger;
  // Either a skip reason, or nullopt for "routed".
  std::optional<SkipReason> want_skip;
  std::string want_message_part;
};

void Nothing(Finding& /*f*/) {}
void Defaults(RoutingConfig& /*c*/) {}

std::vector<Case> Cases() {
  return {
      {"routes a failed new finding automatically", Nothing, Defaults, Trigger::kAutomatic,
       std::nullopt, ""},
      {"account mismatch is refused on every trigger",
       [](Finding& f) {
         f.account_mismatch = true;
         f.account_mismatch_detail = "Resources[0] belongs to 222222222222";
       },
       Defaults, Trigger::kCustomAction, SkipReason::kAccountMismatch, "222222222222"},
      {"non security hub product",
       [](Finding& f) {
         f.product_name = "Config";
         f.product_arn = "arn:aws:securityhub:us-east-1::product/aws/config";
       },
       Defaults, Trigger::kCustomAction, SkipReason::kUnsupportedProduct, "Config"},
      {"security hub name but foreign product arn",
       [](Finding& f) { f.product_arn = "arn:aws:securityhub:us-east-1::product/acme/scanner"; },
       Defaults, Trigger::kAutomatic, SkipReason::kUnsupportedProduct, "acme"},
      {"no resources", [](Finding& f) { f.resources.clear(); }, Defaults, Trigger::kApiAction,
       SkipReason::kNoResource, "no resource"},
      {"archived", [](Finding& f) { f.record_state = RecordState::kArchived; }, Defaults,
       Trigger::kCustomAction, SkipReason::kArchived, "ARCHIVED"},
      {"passed is not remediated", [](Finding& f) { f.compliance = ComplianceStatus::kPassed; },
       Defaults, Trigger::kCustomAction, SkipReason::kComplianceNotFailed, "PASSED"},
      {"missing compliance is not remediated",
       [](Finding& f) { f.compliance = ComplianceStatus::kMissing; }, Defaults, Trigger::kAutomatic,
       SkipReason::kComplianceNotFailed, "missing"},
      {"warning is not remediated automatically",
       [](Finding& f) { f.compliance = ComplianceStatus::kWarning; }, Defaults, Trigger::kAutomatic,
       SkipReason::kComplianceNotFailed, "WARNING"},
      {"warning is remediated on request",
       [](Finding& f) { f.compliance = ComplianceStatus::kWarning; }, Defaults,
       Trigger::kCustomAction, std::nullopt, ""},
      {"suppressed skipped automatically",
       [](Finding& f) { f.workflow = WorkflowStatus::kSuppressed; }, Defaults, Trigger::kAutomatic,
       SkipReason::kSuppressed, "SUPPRESSED"},
      {"suppressed allowed on request",
       [](Finding& f) { f.workflow = WorkflowStatus::kSuppressed; }, Defaults, Trigger::kApiAction,
       std::nullopt, ""},
      {"notified is not new automatically",
       [](Finding& f) { f.workflow = WorkflowStatus::kNotified; }, Defaults, Trigger::kAutomatic,
       SkipReason::kNotNew, "not NEW (NOTIFIED)"},
      {"missing workflow is not new", [](Finding& f) { f.workflow = WorkflowStatus::kMissing; },
       Defaults, Trigger::kAutomatic, SkipReason::kNotNew, "missing"},
      {"notified is fine for a custom action",
       [](Finding& f) { f.workflow = WorkflowStatus::kNotified; }, Defaults, Trigger::kCustomAction,
       std::nullopt, ""},
      {"unknown standard version",
       [](Finding& f) {
         f.standard.long_name = "cis-aws-foundations-benchmark";
         f.standard.version = "1.7.0";
         f.standard.control = "1.6";
       },
       Defaults, Trigger::kCustomAction, SkipReason::kPlaybookNotEnabled, "1.2.0"},
      {"playbook disabled", Nothing, [](RoutingConfig& c) { c.playbooks = {"AFSBP"}; },
       Trigger::kCustomAction, SkipReason::kPlaybookNotEnabled, "(SC) v2.0.0 is not enabled"},
      {"control without remediation",
       [](Finding& f) {
         f.standard.control = "S3.99";
         f.security_control_id = "S3.99";
       },
       Defaults, Trigger::kCustomAction, SkipReason::kNoRunbook, "S3.99"},
      {"control off blocks a person too", Nothing,
       [](RoutingConfig& c) { c.control_modes["s3.2"] = ControlMode::kOff; },
       Trigger::kCustomAction, SkipReason::kControlOff, "S3.2 is off"},
      {"manual control skips automatic trigger", Nothing,
       [](RoutingConfig& c) { c.default_mode = ControlMode::kManual; }, Trigger::kAutomatic,
       SkipReason::kControlManual, "manual mode"},
      {"manual control runs on custom action", Nothing,
       [](RoutingConfig& c) { c.default_mode = ControlMode::kManual; }, Trigger::kCustomAction,
       std::nullopt, ""},
      {"manual control runs on api action", Nothing,
       [](RoutingConfig& c) { c.default_mode = ControlMode::kManual; }, Trigger::kApiAction,
       std::nullopt, ""},
      {"account exclude", Nothing,
       [](RoutingConfig& c) { c.filters.accounts.exclude = {"111111111111"}; },
       Trigger::kCustomAction, SkipReason::kFiltered, "filters.accounts.exclude"},
      {"account include miss", Nothing,
       [](RoutingConfig& c) { c.filters.accounts.include = {"333333333333"}; }, Trigger::kAutomatic,
       SkipReason::kFiltered, "filters.accounts.include"},
      {"account include hit", Nothing,
       [](RoutingConfig& c) {
         c.filters.accounts.include = {"333333333333", "111111111111"};
       },
       Trigger::kAutomatic, std::nullopt, ""},
      {"region exclude", Nothing,
       [](RoutingConfig& c) { c.filters.regions.exclude = {"us-east-1"}; }, Trigger::kAutomatic,
       SkipReason::kFiltered, "filters.regions.exclude"},
      {"region include miss", Nothing,
       [](RoutingConfig& c) { c.filters.regions.include = {"eu-west-1"}; }, Trigger::kAutomatic,
       SkipReason::kFiltered, "filters.regions.include"},
      {"region unknown fails closed",
       [](Finding& f) {
         f.region.clear();
         f.resources[0].region.clear();
       },
       [](RoutingConfig& c) { c.filters.regions.include = {"us-east-1"}; }, Trigger::kAutomatic,
       SkipReason::kFilterError, "no region"},
      {"tag exclude by key", Nothing,
       [](RoutingConfig& c) { c.filters.tags.exclude = {{.key = "env", .value = std::nullopt}}; },
       Trigger::kAutomatic, SkipReason::kFiltered, "tag env"},
      {"tag exclude by key and value miss", Nothing,
       [](RoutingConfig& c) { c.filters.tags.exclude = {{.key = "env", .value = "dev"}}; },
       Trigger::kAutomatic, std::nullopt, ""},
      {"tag include miss", Nothing,
       [](RoutingConfig& c) { c.filters.tags.include = {{.key = "asr", .value = "on"}}; },
       Trigger::kAutomatic, SkipReason::kFiltered, "filters.tags.include"},
      {"tag include hit", Nothing,
       [](RoutingConfig& c) { c.filters.tags.include = {{.key = "team", .value = "data"}}; },
       Trigger::kAutomatic, std::nullopt, ""},
      {"resource exclude glob", Nothing,
       [](RoutingConfig& c) { c.filters.resources.exclude = {"arn:aws:s3:::prod-*"}; },
       Trigger::kApiAction, SkipReason::kFiltered, "filters.resources.exclude"},
      {"resource include glob miss", Nothing,
       [](RoutingConfig& c) { c.filters.resources.include = {"arn:aws:s3:::dev-*"}; },
       Trigger::kAutomatic, SkipReason::kFiltered, "filters.resources.include"},
      {"resource without id fails closed", [](Finding& f) { f.resources[0].id.clear(); },
       [](RoutingConfig& c) { c.filters.resources.exclude = {"*secret*"}; }, Trigger::kAutomatic,
       SkipReason::kFilterError, "fail closed"},
  };
}

TEST(RoutingTest, DecidesEveryCase) {
  const catalog::Catalog& catalog = catalog::Catalog::Builtin();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    Finding f = S3Finding();
    c.edit_finding(f);
    RoutingConfig config = AutoConfig();
    c.edit_config(config);
    const Decision d = Decide(f, config, c.trigger, catalog);
    if (!c.want_skip.has_value()) {
      ASSERT_TRUE(d.routed()) << SkipReasonCode(d.skip().reason) << ": " << d.skip().message;
      EXPECT_EQ(d.route().remediation_id, "ConfigureS3BucketPublicAccessBlock");
      continue;
    }
    ASSERT_FALSE(d.routed()) << "unexpectedly routed";
    EXPECT_EQ(SkipReasonCode(d.skip().reason), SkipReasonCode(*c.want_skip));
    EXPECT_NE(d.skip().message.find(c.want_message_part), std::string::npos)
        << "message: " << d.skip().message;
  }
}

TEST(RoutingTest, RouteCarriesEverythingTheEngineNeeds) {
  const Decision d =
      Decide(S3Finding(), AutoConfig(), Trigger::kAutomatic, catalog::Catalog::Builtin());
  ASSERT_TRUE(d.routed());
  const Route& r = d.route();
  EXPECT_EQ(r.playbook_id, "SC");
  EXPECT_EQ(r.short_name, "SC");
  EXPECT_EQ(r.standard_long_name, "security-control");
  EXPECT_EQ(r.version, "2.0.0");
  EXPECT_EQ(r.control_id, "S3.2");
  EXPECT_EQ(r.executes, "S3.2");
  EXPECT_EQ(r.security_control_id, "S3.2");
  EXPECT_EQ(r.control_runbook, "ASR-SC_2.0.0_S3.2");
  EXPECT_EQ(r.account_id, "111111111111");
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.partition, "aws");
  EXPECT_EQ(r.resource_id, "arn:aws:s3:::prod-data");
  EXPECT_EQ(r.mode, ControlMode::kAuto);
  EXPECT_EQ(r.approval, ApprovalGate::kNone);
}

TEST(RoutingTest, RemappedStandardControlRunsTheTargetRemediation) {
  const Decision d =
      Decide(Cis16Finding(), AutoConfig(), Trigger::kCustomAction, catalog::Catalog::Builtin());
  ASSERT_TRUE(d.routed()) << d.skip().message;
  EXPECT_EQ(d.route().playbook_id, "CIS120");
  EXPECT_EQ(d.route().control_id, "1.6");
  EXPECT_EQ(d.route().executes, "1.5");
  EXPECT_EQ(d.route().remediation_id, "SetIAMPasswordPolicy");
  EXPECT_EQ(d.route().control_runbook, "ASR-CIS_1.2.0_1.5");
  // CIS 1.2.0 1.6 maps to several security controls, and the finding carries none.
  EXPECT_EQ(d.route().security_control_id, "");
}

TEST(RoutingTest, ControlModeKeyedByPlaybookControlWinsOverSecurityControl) {
  RoutingConfig config = AutoConfig();
  config.control_modes["S3.2"] = ControlMode::kOff;
  config.control_modes["sc:s3.2"] = ControlMode::kAuto;
  EXPECT_TRUE(
      Decide(S3Finding(), config, Trigger::kAutomatic, catalog::Catalog::Builtin()).routed());
  config.control_modes.erase("sc:s3.2");
  EXPECT_FALSE(
      Decide(S3Finding(), config, Trigger::kAutomatic, catalog::Catalog::Builtin()).routed());
}

TEST(RoutingTest, BackendIsChosenByPlaybookControlThenControlThenPlaybook) {
  RoutingConfig config = AutoConfig();
  const catalog::Catalog& catalog = catalog::Catalog::Builtin();
  const auto backend = [&] {
    const Decision d = Decide(S3Finding(), config, Trigger::kAutomatic, catalog);
    EXPECT_TRUE(d.routed());
    return d.routed() ? d.route().backend : Backend::kNative;
  };
  EXPECT_EQ(backend(), Backend::kNative);  // the default
  config.default_backend = Backend::kSsm;
  EXPECT_EQ(backend(), Backend::kSsm);
  config.backends["SC"] = Backend::kNative;  // the playbook wins over the default
  EXPECT_EQ(backend(), Backend::kNative);
  config.backends["s3.2"] = Backend::kSsm;  // the control wins over the playbook
  EXPECT_EQ(backend(), Backend::kSsm);
  config.backends["sc:S3.2"] = Backend::kNative;  // playbook:control wins over everything
  EXPECT_EQ(backend(), Backend::kNative);
}

TEST(RoutingTest, AmbiguousControlIsKeyedByPlaybookAndControl) {
  RoutingConfig config = AutoConfig();
  config.default_mode = ControlMode::kManual;
  config.control_modes["CIS120:1.6"] = ControlMode::kAuto;
  const Decision d =
      Decide(Cis16Finding(), config, Trigger::kAutomatic, catalog::Catalog::Builtin());
  ASSERT_TRUE(d.routed()) << d.skip().message;
  EXPECT_EQ(d.route().mode, ControlMode::kAuto);
}

TEST(RoutingTest, ApproveModeGatesAutomaticTriggersOnly) {
  RoutingConfig config = AutoConfig();
  config.control_modes["S3.2"] = ControlMode::kApprove;
  const catalog::Catalog& catalog = catalog::Catalog::Builtin();
  const Decision automatic = Decide(S3Finding(), config, Trigger::kAutomatic, catalog);
  ASSERT_TRUE(automatic.routed());
  EXPECT_EQ(automatic.route().approval, ApprovalGate::kRequired);
  const Decision manual = Decide(S3Finding(), config, Trigger::kCustomAction, catalog);
  ASSERT_TRUE(manual.routed());
  EXPECT_EQ(manual.route().approval, ApprovalGate::kNone);
}

TEST(RoutingTest, DisabledPlaybookStillExplainsWhatWouldRun) {
  RoutingConfig config = AutoConfig();
  config.playbooks = {"SC"};
  const Decision d =
      Decide(Cis16Finding(), config, Trigger::kCustomAction, catalog::Catalog::Builtin());
  ASSERT_FALSE(d.routed());
  EXPECT_EQ(d.skip().reason, SkipReason::kPlaybookNotEnabled);
  ASSERT_TRUE(d.skip().would_route.has_value());
  EXPECT_EQ(d.skip().would_route->remediation_id, "SetIAMPasswordPolicy");
}

TEST(RoutingTest, RegionComesFromTheResourceArnFirst) {
  Finding f = S3Finding();
  f.resources[0] = {.type = "AwsLambdaFunction",
                    .id = "arn:aws-us-gov:lambda:us-gov-west-1:111111111111:function:fn",
                    .region = "us-gov-east-1"};
  f.standard.control = "Lambda.1";
  f.security_control_id = "Lambda.1";
  const Decision d = Decide(f, AutoConfig(), Trigger::kAutomatic, catalog::Catalog::Builtin());
  ASSERT_TRUE(d.routed()) << d.skip().message;
  EXPECT_EQ(d.route().region, "us-gov-west-1");
  EXPECT_EQ(d.route().partition, "aws-us-gov");
  EXPECT_EQ(d.route().remediation_id, "RemoveLambdaPublicAccess");
}

TEST(RoutingTest, TriggerFollowsTheEventKind) {
  EXPECT_EQ(TriggerFor(finding::EventKind::kImported), Trigger::kAutomatic);
  EXPECT_EQ(TriggerFor(finding::EventKind::kImportedV2), Trigger::kAutomatic);
  EXPECT_EQ(TriggerFor(finding::EventKind::kBareFinding), Trigger::kAutomatic);
  EXPECT_EQ(TriggerFor(finding::EventKind::kCustomAction), Trigger::kCustomAction);
  EXPECT_EQ(TriggerFor(finding::EventKind::kApiAction), Trigger::kApiAction);
}

TEST(RoutingTest, EveryReasonCodeIsDistinct) {
  std::vector<std::string_view> codes;
  for (int i = 0; i <= static_cast<int>(SkipReason::kNoResource); ++i) {
    codes.push_back(SkipReasonCode(static_cast<SkipReason>(i)));
  }
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(std::adjacent_find(codes.begin(), codes.end()), codes.end());
  EXPECT_EQ(std::find(codes.begin(), codes.end(), "UNKNOWN"), codes.end());
}

}  // namespace
}  // namespace asr::routing
