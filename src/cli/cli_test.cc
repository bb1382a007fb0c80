#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/commands.h"

namespace asr::cli {
namespace {

// A consolidated S3.2 finding inside an Imported event.
std::string ImportedEvent(const std::string& workflow) {
  return R"({"version":"0","id":"e-1","detail-type":"Security Hub Findings - Imported",
  "source":"aws.securityhub","account":"111111111111","region":"us-east-1","resources":[],
  "detail":{"findings":[{"SchemaVersion":"2018-10-08",
  "Id":"arn:aws:securityhub:us-east-1:111111111111:security-control/S3.2/finding/0f1c9e5e-7d43-4a4b-9f6a-2b7e3c1d9a10",
  "ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub",
  "GeneratorId":"security-control/S3.2","AwsAccountId":"111111111111",
  "Compliance":{"Status":"FAILED","SecurityControlId":"S3.2"},
  "Workflow":{"Status":")" +
         workflow + R"("},"RecordState":"ACTIVE",
  "Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::my-bucket","Region":"us-east-1","Partition":"aws"}]}]}})";
}

struct Output {
  ExitCode code;
  std::string out;
  std::string err;
};

Output Explain(const std::string& input, OutputFormat format, const routing::RoutingConfig& config,
               std::optional<routing::Trigger> trigger = std::nullopt) {
  ExplainRequest request{.input = input,
                         .input_name = "test.json",
                         .format = format,
                         .trigger = trigger,
                         .config_source = "test"};
  std::ostringstream out;
  std::ostringstream err;
  const ExitCode code = RunExplain(request, config, catalog::Catalog::Builtin(), out, err);
  return {code, out.str(), err.str()};
}

TEST(ExplainTest, DefaultConfigExplainsManualMode) {
  const Output o = Explain(ImportedEvent("NEW"), OutputFormat::kText, routing::RoutingConfig{});
  EXPECT_EQ(o.code, ExitCode::kOk);
  EXPECT_NE(o.out.find("decision:    SKIP CONTROL_MANUAL"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("ConfigureS3BucketPublicAccessBlock"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("trigger:     automatic"), std::string::npos) << o.out;
}

TEST(ExplainTest, JsonCarriesRouteAndReason) {
  routing::RoutingConfig config;
  config.default_mode = routing::ControlMode::kAuto;
  const Output routed = Explain(ImportedEvent("NEW"), OutputFormat::kJson, config);
  ASSERT_EQ(routed.code, ExitCode::kOk);
  const auto j = nlohmann::json::parse(routed.out);
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["decision"], "remediate");
  EXPECT_EQ(j["findings"][0]["route"]["remediation"], "ConfigureS3BucketPublicAccessBlock");
  EXPECT_EQ(j["findings"][0]["route"]["control_runbook"], "ASR-SC_2.0.0_S3.2");
  EXPECT_EQ(j["event"]["kind"], "Security Hub Findings - Imported");

  const Output skipped = Explain(ImportedEvent("NOTIFIED"), OutputFormat::kJson, config);
  const auto k = nlohmann::json::parse(skipped.out);
  EXPECT_EQ(k["findings"][0]["decision"], "skip");
  EXPECT_EQ(k["findings"][0]["reason"], "NOT_NEW");
}

TEST(ExplainTest, TriggerOverrideChangesTheGate) {
  const Output o = Explain(ImportedEvent("NOTIFIED"), OutputFormat::kJson, routing::RoutingConfig{},
                           routing::Trigger::kCustomAction);
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["trigger"], "custom-action");
  EXPECT_EQ(j["findings"][0]["decision"], "remediate");
}

TEST(ExplainTest, GarbageIsRejectedWithAReason) {
  const Output o = Explain("{not json", OutputFormat::kText, routing::RoutingConfig{});
  EXPECT_EQ(o.code, ExitCode::kInputRejected);
  EXPECT_NE(o.err.find("test.json"), std::string::npos);
  EXPECT_TRUE(o.out.empty());
  const Output j = Explain("[1,2]", OutputFormat::kJson, routing::RoutingConfig{});
  EXPECT_EQ(j.code, ExitCode::kInputRejected);
  EXPECT_TRUE(nlohmann::json::parse(j.out).contains("error"));
}

TEST(ControlsTest, ListsOnePlaybookAsTableOrJson) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunControls({.playbook = "cis120", .format = OutputFormat::kText},
                        catalog::Catalog::Builtin(), out, err),
            ExitCode::kOk);
  EXPECT_NE(out.str().find("CIS120"), std::string::npos);
  EXPECT_NE(out.str().find("SetIAMPasswordPolicy (runs 1.5)"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("AFSBP"), std::string::npos);

  std::ostringstream json_out;
  EXPECT_EQ(RunControls({.playbook = "SC", .format = OutputFormat::kJson},
                        catalog::Catalog::Builtin(), json_out, err),
            ExitCode::kOk);
  const auto rows = nlohmann::json::parse(json_out.str());
  EXPECT_EQ(rows.size(), 106u);
}

TEST(ControlsTest, UnknownPlaybookIsAUsageError) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunControls({.playbook = "XYZ", .format = OutputFormat::kText},
                        catalog::Catalog::Builtin(), out, err),
            ExitCode::kUsage);
  EXPECT_NE(err.str().find("known playbooks"), std::string::npos);
}

}  // namespace
}  // namespace asr::cli
