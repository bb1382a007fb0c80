#include "finding/finding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace asr::finding {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCorpus = fs::path(ASR_SHARED_DIR) / "testdata" / "asr-findings";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Fixture(std::string_view relative) { return ReadFile(kCorpus / relative); }

// A valid AFSBP S3.2 finding the inline tests mutate.
json BaseFinding() {
  return json::parse(R"({
    "SchemaVersion": "2018-10-08",
    "Id": "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.2/finding/ef33c951-94b7-4d92-acd2-99c2a3e3a78a",
    "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
    "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/S3.2",
    "AwsAccountId": "111111111111",
    "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.2"},
    "Workflow": {"Status": "NEW"},
    "RecordState": "ACTIVE",
    "ProductFields": {
      "ControlId": "S3.2",
      "StandardsControlArn": "arn:aws:securityhub:us-east-1:111111111111:control/aws-foundational-security-best-practices/v/1.0.0/S3.2"
    },
    "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::my-bucket", "Partition": "aws",
                   "Region": "us-east-1", "Tags": {"env": "prod"}}]
  })");
}

json ImportedEvent(const json& finding) {
  return json{{"version", "0"},
              {"id", "event-1"},
              {"detail-type", "Security Hub Findings - Imported"},
              {"source", "aws.securityhub"},
              {"account", "999999999999"},
              {"region", "us-east-1"},
              {"detail", {{"findings", json::array({finding})}}}};
}

// ---------------------------------------------------------------------------------------------
// The reference's fixtures: every file parses, except the deliberately bad ones below.

// Independent reading of a fixture with nlohmann: the findings it carries.
std::vector<json> OracleFindings(const json& doc) {
  if (doc.contains("detail")) {
    return doc["detail"]["findings"].get<std::vector<json>>();
  }
  if (doc.contains("Records")) {
    std::vector<json> all;
    for (const json& record : doc["Records"]) {
      for (json& f : OracleFindings(json::parse(record["body"].get<std::string>()))) {
        all.push_back(std::move(f));
      }
    }
    return all;
  }
  if (doc.contains("body")) {
    return OracleFindings(json::parse(doc["body"].get<std::string>()));
  }
  if (doc.contains("Finding")) {
    return {doc["Finding"]};
  }
  return {doc};
}

std::string OracleId(const json& f) {
  return f.contains("class_uid") ? f["finding_info"]["uid"].get<std::string>()
                                 : f["Id"].get<std::string>();
}

std::string OracleAccount(const json& f) {
  return f.contains("class_uid") ? f["cloud"]["account"]["uid"].get<std::string>()
                                 : f["AwsAccountId"].get<std::string>();
}

// Files that must be refused, with the expected message (a substring of it).
const std::map<std::string, std::string>& BadFixtures() {
  static const auto* const kBad = new std::map<std::string, std::string>{
      {"layer_test_json_data/CIS-bad.json", "detail.findings[0].GeneratorId: missing (required)"},
      // Without EventType the finding is taken as bare, and this one lacks GeneratorId.
      {"extracted_inline/test_check_ssm_doc_state__test_missing_event_type__test_input__L733.json",
       "Finding.GeneratorId: missing (required)"},
      {"extracted_inline/"
       "test_get_approval_requirement__test_missing_event_type__test_input__L260.json",
       "Finding.GeneratorId: missing (required)"},
      {"extracted_inline/synchronizationHandler.test__unknownEvent__L639.json",
       "detail-type: unsupported value \"Unknown Event\"; accepted: \"Security Hub Findings - "
       "Imported\""},
      {"extracted_inline/"
       "test_send_notifications__test_lambda_handler_with_stepfunctions_failure_event__raw_event__"
       "L1022.json",
       "detail-type: unsupported value \"Step Functions Execution Status Change\""},
      {"extracted_inline/"
       "test_stepfunctions_event_transformation__test_transform_with_invalid_input__"
       "stepfunctions_event__L117.json",
       "detail-type: unsupported value \"Step Functions Execution Status Change\""},
      {"extracted_inline/test_schedule_remediation__module__event__L24.json",
       "Records[0].body: not a Security Hub event or finding"},
      {"extracted_inline/"
       "test_check_ssm_doc_state__test_non_security_hub_product__test_input__L741.json",
       "Finding.GeneratorId: missing (required)"},
      {"extracted_inline/"
       "test_check_ssm_doc_state__test_non_security_hub_product_default_role__test_input__L768."
       "json",
       "Finding.GeneratorId: missing (required)"},
      {"extracted_inline/"
       "test_document_validation__test_notification_formatting_unchanged__test_event__L261.json",
       "Finding.AwsAccountId: missing (required)"},
  };
  return *kBad;
}

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(kCorpus)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(FindingCorpusTest, EveryFixtureParsesOrFailsAsListed) {
  const std::vector<fs::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 150u) << "fixtures not found under " << kCorpus;
  std::set<std::string> seen_bad;
  for (const fs::path& path : files) {
    const std::string relative = fs::relative(path, kCorpus).generic_string();
    SCOPED_TRACE(path.string());
    const std::string text = ReadFile(path);
    const Result<Event> event = ParseEvent(text);
    if (const auto bad = BadFixtures().find(relative); bad != BadFixtures().end()) {
      seen_bad.insert(relative);
      ASSERT_FALSE(event.ok()) << "expected an error containing: " << bad->second;
      EXPECT_EQ(event.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(event.status().message().find(bad->second), std::string::npos)
          << event.status().message();
      continue;
    }
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    const std::vector<json> want = OracleFindings(json::parse(text));
    ASSERT_EQ(event->findings.size(), want.size());
    EXPECT_EQ(event->findings[0].id, OracleId(want[0]));
    EXPECT_EQ(event->findings[0].aws_account_id, OracleAccount(want[0]));
    for (const Finding& f : event->findings) {
      EXPECT_FALSE(f.raw_json.empty());
      EXPECT_FALSE(f.account_mismatch) << f.account_mismatch_detail;
      if (f.product_name == "Security Hub") {
        EXPECT_FALSE(f.standard.control.empty());
      }
    }
  }
  // A renamed or deleted bad fixture must not leave a dead table entry.
  for (const auto& [name, message] : BadFixtures()) {
    EXPECT_TRUE(seen_bad.contains(name)) << "listed but not found: " << name;
  }
}

// ---------------------------------------------------------------------------------------------
// Spot checks with exact values.

TEST(FindingFixtureTest, Cis120ControlFromStandardsControlArn) {
  const Result<Event> event = ParseEvent(Fixture("simtest_simdata/cis-16.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kBareFinding);
  ASSERT_EQ(event->findings.size(), 1u);
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.format, FindingFormat::kAsff);
  EXPECT_EQ(f.standard.long_name, "cis-aws-foundations-benchmark");
  EXPECT_EQ(f.standard.version, "1.2.0");
  EXPECT_EQ(f.standard.control, "1.6");
  EXPECT_EQ(f.standard.source, StandardSource::kStandardsControlArn);
  EXPECT_EQ(f.uuid, "b58a6dfd-2241-4065-b702-bc6cdd05d57d");
  EXPECT_EQ(f.finding_type, "cis-aws-foundations-benchmark/v/1.2.0/1.6");
  EXPECT_EQ(f.aws_account_id, "111111111111");
  EXPECT_EQ(f.region, "us-east-1");
  EXPECT_EQ(f.product_name, "Security Hub");
  EXPECT_EQ(f.compliance, ComplianceStatus::kFailed);
  EXPECT_EQ(f.workflow, WorkflowStatus::kNew);
  EXPECT_EQ(f.record_state, RecordState::kActive);
  EXPECT_EQ(f.severity_label, "MEDIUM");
  EXPECT_EQ(f.security_control_id, "");
  EXPECT_EQ(f.related_config_rule,
            "securityhub-iam-password-policy-lowercase-letter-check-084fcdb5");
  ASSERT_EQ(f.resources.size(), 1u);
  EXPECT_EQ(f.resources[0].type, "AwsAccount");
  EXPECT_EQ(f.resources[0].id, "AWS::::Account:111111111111");
  EXPECT_EQ(f.resources[0].partition, "aws");
  EXPECT_FALSE(f.account_mismatch);
}

TEST(FindingFixtureTest, AfsbpFinding) {
  const Result<Event> event = ParseEvent(Fixture("simtest_simdata/afsbp-s3.2.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  ASSERT_EQ(event->findings.size(), 1u);
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.id,
            "arn:aws:securityhub:us-east-1:111111111111:subscription/"
            "aws-foundational-security-best-practices/v/1.0.0/S3.2/finding/"
            "ef33c951-94b7-4d92-acd2-99c2a3e3a78a");
  EXPECT_EQ(f.generator_id, "aws-foundational-security-best-practices/v/1.0.0/S3.2");
  EXPECT_EQ(f.standard.long_name, "aws-foundational-security-best-practices");
  EXPECT_EQ(f.standard.version, "1.0.0");
  EXPECT_EQ(f.standard.control, "S3.2");
  EXPECT_EQ(f.standard.source, StandardSource::kStandardsControlArn);
  EXPECT_EQ(f.security_control_id, "S3.2");  // from ProductFields.ControlId
  EXPECT_EQ(f.finding_type, "aws-foundational-security-best-practices/v/1.0.0/S3.2");
  EXPECT_EQ(f.compliance, ComplianceStatus::kPassed);
  EXPECT_EQ(f.workflow, WorkflowStatus::kResolved);
  EXPECT_EQ(f.severity_label, "INFORMATIONAL");
  EXPECT_EQ(f.related_config_rule, "securityhub-s3-bucket-public-read-prohibited-86a20c57");
  ASSERT_EQ(f.resources.size(), 1u);
  EXPECT_EQ(f.resources[0].id, "arn:aws:s3:::so0111-aws-cloudtrail-111111111111");
  EXPECT_EQ(f.resources[0].type, "AwsS3Bucket");
  EXPECT_EQ(f.resources[0].region, "us-east-1");
  EXPECT_EQ(f.resources[0].details_json, "");  // this fixture has no Details
}

TEST(FindingFixtureTest, SqsRecordWrappingAnEvent) {
  const Result<Event> event =
      ParseEvent(Fixture("extracted_inline/preProcessor.test__createSQSRecord__defaults.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kImported);
  EXPECT_EQ(event->detail_type, "Imported Finding");
  EXPECT_EQ(event->account, "123456789012");
  ASSERT_EQ(event->findings.size(), 1u);
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.uuid, "asff-finding-id");
  EXPECT_EQ(f.aws_account_id, "123456789012");
  EXPECT_EQ(f.standard.long_name, "aws-foundational-security-best-practices");
  EXPECT_EQ(f.standard.control, "S3.1");
  EXPECT_EQ(f.standard.source, StandardSource::kFindingId);
  EXPECT_EQ(f.security_control_id, "S3.1");
  EXPECT_EQ(f.compliance, ComplianceStatus::kFailed);
  EXPECT_EQ(f.workflow, WorkflowStatus::kNew);  // legacy WorkflowState
  EXPECT_EQ(f.severity_label, "HIGH");
  ASSERT_EQ(f.resources.size(), 1u);
  EXPECT_EQ(f.resources[0].id, "arn:aws:s3:::test-bucket");
}

TEST(FindingFixtureTest, OcsfFindingFromNormalizerTest) {
  const Result<Event> event = ParseEvent(
      Fixture("extracted_inline/findingEventNormalizer.test__mockOCSFFinding__L30.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kBareFinding);
  ASSERT_EQ(event->findings.size(), 1u);
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.format, FindingFormat::kOcsf);
  EXPECT_EQ(f.id,
            "arn:aws:securityhub:us-east-1:123456789012:subscription/"
            "aws-foundational-security-best-practices/v/1.0.0/S3.1/finding/test");
  EXPECT_EQ(f.uuid, "test");
  EXPECT_EQ(f.product_arn, "arn:aws:securityhub:us-east-1::product/aws/securityhub");
  EXPECT_EQ(f.product_name, "Security Hub");
  EXPECT_EQ(f.aws_account_id, "123456789012");
  EXPECT_EQ(f.region, "us-east-1");
  EXPECT_EQ(f.title, "Test Finding");
  EXPECT_EQ(f.description, "Test description");
  EXPECT_EQ(f.generator_id, "aws-foundational-security-best-practices/v/1.0.0/S3.1");
  EXPECT_EQ(f.standard.long_name, "aws-foundational-security-best-practices");
  EXPECT_EQ(f.standard.version, "1.0.0");
  EXPECT_EQ(f.standard.control, "S3.1");
  EXPECT_EQ(f.standard.source, StandardSource::kFindingId);
  EXPECT_EQ(f.security_control_id, "S3.1");
  EXPECT_EQ(f.compliance, ComplianceStatus::kFailed);
  EXPECT_EQ(f.workflow, WorkflowStatus::kNew);
  EXPECT_EQ(f.record_state, RecordState::kActive);
  EXPECT_EQ(f.severity_label, "HIGH");
  EXPECT_EQ(f.related_config_rule, "test-rule");
  EXPECT_EQ(f.types, std::vector<std::string>{"test-type"});
  ASSERT_EQ(f.resources.size(), 1u);
  EXPECT_EQ(f.resources[0].id, "arn:aws:s3:::test-bucket");
  EXPECT_EQ(f.resources[0].type, "AWS::S3::Bucket");
  EXPECT_EQ(f.resources[0].region, "us-east-1");
  EXPECT_EQ(f.resources[0].partition, "aws");
  ASSERT_EQ(f.resources[0].tags.size(), 1u);
  EXPECT_EQ(f.resources[0].tags[0].key, "Environment");
  EXPECT_EQ(f.resources[0].tags[0].value, "test");
}

TEST(FindingFixtureTest, OcsfFindingWithoutStatusOrControlInUid) {
  const Result<Event> event =
      ParseEvent(Fixture("extracted_inline/metricsUtils.test__ocsfFinding__L65.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.id, "test-uid");
  EXPECT_EQ(f.uuid, "");
  EXPECT_EQ(f.finding_type, "");
  EXPECT_EQ(f.region, "us-west-2");
  EXPECT_EQ(f.compliance, ComplianceStatus::kMissing);
  EXPECT_EQ(f.workflow, WorkflowStatus::kMissing);
  EXPECT_EQ(f.record_state, RecordState::kActive);
  EXPECT_EQ(f.severity_label, "");
  EXPECT_EQ(f.generator_id, "security-control/EC2.1");
  EXPECT_EQ(f.standard.long_name, "security-control");
  EXPECT_EQ(f.standard.version, "2.0.0");
  EXPECT_EQ(f.standard.control, "EC2.1");
  EXPECT_EQ(f.standard.source, StandardSource::kSecurityControl);
  EXPECT_TRUE(f.resources.empty());
}

TEST(FindingFixtureTest, MultiSelectCustomAction) {
  const Result<Event> event = ParseEvent(Fixture("layer_test_json_data/CIS_1-6-multi-select.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kCustomAction);
  EXPECT_EQ(event->detail_type, "Security Hub Findings - Custom Action");
  EXPECT_EQ(event->action_name, "CIS 1.5 - 1.11 RR");
  EXPECT_EQ(event->event_id, "81ee3cd6-6100-dbb7-5431-adcb1a6550a3");
  EXPECT_EQ(event->account, "111111111111");
  EXPECT_EQ(event->region, "us-east-1");
  ASSERT_EQ(event->findings.size(), 2u);
  EXPECT_EQ(event->findings[0].uuid, "3fe13eb6-b093-48b2-ba3b-b975347c3183");
  EXPECT_EQ(event->findings[1].uuid, "524d1058-d8af-4549-80e6-e85872ea571e");
  EXPECT_EQ(event->findings[0].compliance, ComplianceStatus::kWarning);
  EXPECT_EQ(event->findings[1].compliance, ComplianceStatus::kPassed);
  EXPECT_EQ(event->findings[1].workflow, WorkflowStatus::kResolved);
  for (const Finding& f : event->findings) {
    EXPECT_EQ(f.standard.control, "1.6");
    EXPECT_EQ(f.standard.version, "1.2.0");
  }
}

TEST(FindingFixtureTest, ImportedEvent) {
  const Result<Event> event = ParseEvent(Fixture("layer_test_json_data/CIS-1.3.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->kind, EventKind::kImported);
  EXPECT_EQ(event->action_name, "");
  EXPECT_EQ(event->event_id, "1622bd23-7237-fdec-8fb0-a019cccfd3cb");
  ASSERT_EQ(event->findings.size(), 1u);
  EXPECT_EQ(event->findings[0].standard.control, "1.3");
  EXPECT_EQ(event->findings[0].generator_id,
            "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.3");
}

TEST(FindingFixtureTest, OrchestratorStateAndRunbookInput) {
  struct Case {
    const char* file;
    EventKind kind;
    const char* control;
  };
  const Case cases[] = {
      {"extracted_inline/test_check_ssm_doc_state__test_sunny_day__test_input__L66.json",
       EventKind::kCustomAction, "AutoScaling.1"},
      {"orchestrator_test_data/notifier.json", EventKind::kCustomAction, "EC2.1"},
      {"extracted_inline/test_sc_parse__event__return__L11.json", EventKind::kBareFinding, "S3.12"},
      {"extracted_inline/test_pci321_parse__event__return__L11.json", EventKind::kBareFinding,
       "PCI.IAM.6"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const Result<Event> event = ParseEvent(Fixture(c.file));
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    EXPECT_EQ(event->kind, c.kind);
    ASSERT_EQ(event->findings.size(), 1u);
    EXPECT_EQ(event->findings[0].standard.control, c.control);
  }
}

TEST(FindingFixtureTest, OtherProductLeavesStandardEmpty) {
  const Result<Event> event = ParseEvent(Fixture(
      "extracted_inline/test_get_approval_requirement__step_input_config__return__L104.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.product_name, "Config");
  EXPECT_EQ(f.standard.long_name, "");
  EXPECT_EQ(f.standard.control, "");
  EXPECT_EQ(f.finding_type, "");
}

TEST(FindingFixtureTest, ConsolidatedFinding) {
  const Result<Event> event =
      ParseEvent(Fixture("extracted_inline/test_sc_parse__event__return__L11.json"));
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  const Finding& f = event->findings[0];
  EXPECT_EQ(f.standard.long_name, "security-control");
  EXPECT_EQ(f.standard.version, "2.0.0");
  EXPECT_EQ(f.standard.source, StandardSource::kSecurityControl);
  EXPECT_EQ(f.finding_type, "security-control/S3.12");
  EXPECT_EQ(f.uuid, "c5dcc868-c633-448d-92c7-bb19bbdcfe00");
}

// ---------------------------------------------------------------------------------------------
// Bad input.

struct BadCase {
  std::string name;
  std::string input;
  std::string want;  // substring of the message
  ParseOptions options = {};
};

// An object holding `depth` - 1 nested arrays around a number: `depth` non-empty containers.
std::string Nested(size_t depth) {
  return "{\"a\":" + std::string(depth - 1, '[') + "1" + std::string(depth - 1, ']') + "}";
}

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  auto with_finding = [&](std::string name, const std::function<void(json&)>& mutate,
                          std::string want) {
    json f = BaseFinding();
    mutate(f);
    cases.push_back({std::move(name), ImportedEvent(f).dump(), std::move(want)});
  };
  cases.push_back({"not json", "{\"Id\": ", "invalid JSON: "});
  cases.push_back({"garbage", "hello", "invalid JSON: "});
  cases.push_back({"empty", "", "empty input"});
  cases.push_back({"whitespace", "  \n ", "empty input"});
  cases.push_back({"top-level array", "[{\"Id\": \"x\"}]", "top level: must be a JSON object"});
  cases.push_back({"top-level string", "\"x\"", "got string"});
  cases.push_back({"unrecognized object", R"({"foo": 1})", "not a Security Hub event or finding"});
  cases.push_back({"oversize", ImportedEvent(BaseFinding()).dump(),
                   "bytes, larger than max_bytes 100", ParseOptions{.max_bytes = 100}});
  cases.push_back({"too deep", Nested(65), "JSON nesting deeper than max_depth 64"});
  {
    json event = ImportedEvent(BaseFinding());
    event["detail"]["findings"] = json::array({BaseFinding(), BaseFinding(), BaseFinding()});
    cases.push_back({"too many findings", event.dump(),
                     "detail.findings: 3 findings, more than max_findings 2",
                     ParseOptions{.max_findings = 2}});
  }
  {
    json event = ImportedEvent(BaseFinding());
    event["detail"]["findings"] = json::array();
    cases.push_back({"findings empty", event.dump(), "detail.findings: must be a non-empty array"});
    event["detail"]["findings"] = json::object();
    cases.push_back(
        {"findings not array", event.dump(), "detail.findings: must be an array, got object"});
    event["detail"].erase("findings");
    cases.push_back({"findings missing", event.dump(), "detail.findings: missing (required)"});
    event.erase("detail");
    cases.push_back({"detail missing", event.dump(), "detail: missing (required)"});
    event["detail"] = "x";
    cases.push_back({"detail not object", event.dump(), "detail: must be an object, got string"});
  }
  {
    json event = ImportedEvent(BaseFinding());
    event.erase("detail-type");
    cases.push_back({"detail-type missing", event.dump(), "detail-type: missing (required)"});
    event["detail-type"] = "Scheduled Event";
    cases.push_back({"detail-type unknown", event.dump(),
                     "detail-type: unsupported value \"Scheduled Event\"; accepted: \"Security "
                     "Hub Findings - Imported\", \"Findings Imported V2\", \"Security Hub "
                     "Findings - Custom Action\", \"Security Hub Findings - API Action\""});
  }
  with_finding(
      "finding not object", [](json& f) { f = json::array(); },
      "detail.findings[0]: must be an object, got array");
  with_finding(
      "Id wrong type", [](json& f) { f["Id"] = 5; },
      "detail.findings[0].Id: must be a string, got number");
  with_finding(
      "Id missing", [](json& f) { f.erase("Id"); }, "detail.findings[0].Id: missing (required)");
  with_finding(
      "Id empty", [](json& f) { f["Id"] = ""; }, "detail.findings[0].Id: must not be empty");
  with_finding(
      "Id null", [](json& f) { f["Id"] = nullptr; }, "detail.findings[0].Id: missing (required)");
  with_finding(
      "AwsAccountId short", [](json& f) { f["AwsAccountId"] = "1234"; },
      "detail.findings[0].AwsAccountId: must be a 12-digit account id, got \"1234\"");
  with_finding(
      "AwsAccountId letters", [](json& f) { f["AwsAccountId"] = "11111111111a"; },
      "detail.findings[0].AwsAccountId: must be a 12-digit account id");
  with_finding(
      "AwsAccountId number", [](json& f) { f["AwsAccountId"] = 111111111111; },
      "detail.findings[0].AwsAccountId: must be a string, got number");
  with_finding(
      "GeneratorId missing", [](json& f) { f.erase("GeneratorId"); },
      "detail.findings[0].GeneratorId: missing (required)");
  with_finding(
      "Compliance.Status unknown", [](json& f) { f["Compliance"]["Status"] = "BROKEN"; },
      "detail.findings[0].Compliance.Status: unknown value \"BROKEN\"; accepted: "
      "PASSED, WARNING, FAILED, NOT_AVAILABLE");
  with_finding(
      "Compliance.Status number", [](json& f) { f["Compliance"]["Status"] = 3; },
      "detail.findings[0].Compliance.Status: must be a string, got number");
  with_finding(
      "Compliance not object", [](json& f) { f["Compliance"] = "FAILED"; },
      "detail.findings[0].Compliance: must be an object, got string");
  with_finding(
      "Workflow.Status unknown", [](json& f) { f["Workflow"]["Status"] = "DONE"; },
      "detail.findings[0].Workflow.Status: unknown value \"DONE\"; accepted: NEW, "
      "NOTIFIED, RESOLVED, SUPPRESSED");
  with_finding(
      "WorkflowState unknown",
      [](json& f) {
        f.erase("Workflow");
        f["WorkflowState"] = "OPEN";
      },
      "detail.findings[0].WorkflowState: unknown value \"OPEN\"");
  with_finding(
      "RecordState unknown", [](json& f) { f["RecordState"] = "DELETED"; },
      "detail.findings[0].RecordState: unknown value \"DELETED\"; accepted: ACTIVE, "
      "ARCHIVED");
  with_finding(
      "Resources not array", [](json& f) { f["Resources"] = json::object(); },
      "detail.findings[0].Resources: must be an array, got object");
  with_finding(
      "resource not object", [](json& f) { f["Resources"].push_back("arn:aws:s3:::b"); },
      "detail.findings[0].Resources[1]: must be an object, got string");
  with_finding(
      "resource Id missing", [](json& f) { f["Resources"][0].erase("Id"); },
      "detail.findings[0].Resources[0].Id: missing (required)");
  with_finding(
      "Tags not object", [](json& f) { f["Resources"][0]["Tags"] = json::array(); },
      "detail.findings[0].Resources[0].Tags: must be an object, got array");
  with_finding(
      "Tag value not string", [](json& f) { f["Resources"][0]["Tags"]["n"] = 1; },
      "detail.findings[0].Resources[0].Tags.n: must be a string, got number");
  with_finding(
      "Details not object", [](json& f) { f["Resources"][0]["Details"] = 1; },
      "detail.findings[0].Resources[0].Details: must be an object, got number");
  with_finding(
      "Types not strings",
      [](json& f) {
        f["Types"] = json::array({"a", 1});
      },
      "detail.findings[0].Types[1]: must be a string, got number");
  with_finding(
      "ProductFields value not string",
      [](json& f) { f["ProductFields"]["aws/securityhub/ProductName"] = 1; },
      "detail.findings[0].ProductFields[\"aws/securityhub/ProductName\"]: must be a string");
  with_finding(
      "no control anywhere",
      [](json& f) {
        f["Id"] = "arn:aws:securityhub:us-east-1:111111111111:whatever/finding/1";
        f["Compliance"].erase("SecurityControlId");
        f["ProductFields"].erase("StandardsControlArn");
        f["ProductFields"].erase("ControlId");
      },
      "detail.findings[0]: cannot determine the control: no ProductFields.StandardsControlArn, "
      "Id is not a Security Hub control finding id, and no Compliance.SecurityControlId");
  with_finding(
      "malformed StandardsControlArn and nothing else",
      [](json& f) {
        f["Id"] = "finding-1";
        f["Compliance"].erase("SecurityControlId");
        f["ProductFields"].erase("ControlId");
        f["ProductFields"]["StandardsControlArn"] = "arn:aws:securityhub:us-east-1:1:control/x";
      },
      "detail.findings[0]: cannot determine the control");
  {
    json ocsf = json::parse(ReadFile(
        kCorpus / "extracted_inline/findingEventNormalizer.test__mockOCSFFinding__L30.json"));
    json event = ImportedEvent(ocsf);
    event["detail-type"] = "Findings Imported V2";
    event["detail"]["findings"][0]["class_uid"] = 2004;
    cases.push_back({"OCSF class 2004", event.dump(),
                     "detail.findings[0].class_uid: unsupported OCSF class 2004; accepted: 2003"});
    event["detail"]["findings"][0]["class_uid"] = "2003";
    cases.push_back({"OCSF class string", event.dump(),
                     "detail.findings[0].class_uid: must be an integer, got string"});
    event["detail"]["findings"][0] = ocsf;
    event["detail"]["findings"][0]["cloud"]["account"]["uid"] = "12";
    cases.push_back({"OCSF account", event.dump(),
                     "detail.findings[0].cloud.account.uid: must be a 12-digit account id"});
    event["detail"]["findings"][0].erase("cloud");
    cases.push_back({"OCSF no cloud", event.dump(),
                     "detail.findings[0].cloud.account.uid: missing (required)"});
    event["detail"]["findings"][0] = ocsf;
    event["detail"]["findings"][0]["finding_info"].erase("uid");
    cases.push_back(
        {"OCSF no uid", event.dump(), "detail.findings[0].finding_info.uid: missing (required)"});
    event["detail"]["findings"][0] = ocsf;
    event["detail"]["findings"][0]["resources"][0]["tags"] = json::object();
    cases.push_back({"OCSF tags", event.dump(),
                     "detail.findings[0].resources[0].tags: must be an array, got object"});
  }
  // Orchestrator state and SQS shapes.
  cases.push_back({"Finding without EventType is validated as a finding",
                   R"({"Finding": {"Id": "x", "AwsAccountId": "111111111111"}})",
                   "Finding.GeneratorId: missing (required)"});
  cases.push_back({"EventType unknown",
                   json{{"Finding", BaseFinding()}, {"EventType", "Whatever"}}.dump(),
                   "EventType: unsupported value \"Whatever\""});
  cases.push_back({"Finding not object", R"({"Finding": [], "EventType": "x"})",
                   "Finding: must be an object, got array"});
  cases.push_back({"body not string", R"({"body": {"detail-type": "x"}})",
                   "body: must be a string, got object"});
  cases.push_back({"body not json", R"({"body": "nope"})", "body: invalid JSON: "});
  cases.push_back({"Records empty", R"({"Records": []})", "Records: must be a non-empty array"});
  cases.push_back({"Records entry not object", R"({"Records": [1]})",
                   "Records[0]: must be an object, got number"});
  cases.push_back({"Records entry without body", R"({"Records": [{"messageId": "m"}]})",
                   "Records[0].body: missing (required)"});
  {
    json bad = BaseFinding();
    bad["AwsAccountId"] = "1";
    const json record = {{"body", ImportedEvent(bad).dump()}};
    cases.push_back({"error inside a body", json{{"Records", {record}}}.dump(),
                     "Records[0].body: detail.findings[0].AwsAccountId: must be a 12-digit"});
  }
  {
    const json inner = {{"body", ImportedEvent(BaseFinding()).dump()}};
    const json middle = {{"body", inner.dump()}};
    const json outer = {{"body", middle.dump()}};
    cases.push_back({"bodies nested too deep", outer.dump(),
                     "body: body: body: SQS bodies nested more than 2 levels deep"});
  }
  {
    json custom = ImportedEvent(BaseFinding());
    custom["detail-type"] = "Security Hub Findings - Custom Action";
    const json records = {
        {"Records", {{{"body", ImportedEvent(BaseFinding()).dump()}}, {{"body", custom.dump()}}}}};
    cases.push_back({"records of different kinds", records.dump(), "Records[1].body: event kind"});
    const json same = {{"Records",
                        {{{"body", ImportedEvent(BaseFinding()).dump()}},
                         {{"body", ImportedEvent(BaseFinding()).dump()}}}}};
    cases.push_back({"records over max_findings", same.dump(),
                     "Records: more than max_findings 1 findings in total",
                     ParseOptions{.max_findings = 1}});
  }
  return cases;
}

TEST(FindingParseTest, RejectsBadInputNamingTheField) {
  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.name + ": " + c.input.substr(0, 200));
    const Result<Event> event = ParseEvent(c.input, c.options);
    ASSERT_FALSE(event.ok());
    EXPECT_EQ(event.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(event.status().message().find(c.want), std::string::npos) << event.status().message();
  }
}

TEST(FindingParseTest, DepthLimitIsInclusive) {
  // Nested(64) is within the default limit; it fails later, for not being an event.
  EXPECT_EQ(ParseEvent(Nested(64)).status().message().find("max_depth"), std::string::npos);
  EXPECT_NE(ParseEvent(Nested(65)).status().message().find("max_depth 64"), std::string::npos);
  EXPECT_NE(ParseEvent(Nested(5), {.max_depth = 4}).status().message().find("max_depth 4"),
            std::string::npos);
  // The parser is reused per thread: a later call with the default limit works again.
  EXPECT_TRUE(ParseEvent(ImportedEvent(BaseFinding()).dump()).ok());
}

TEST(FindingParseTest, ParseFindingUsesBarePaths) {
  json f = BaseFinding();
  f["AwsAccountId"] = "1234";
  const Result<Finding> finding = ParseFinding(f.dump());
  ASSERT_FALSE(finding.ok());
  EXPECT_EQ(finding.status().message(),
            "AwsAccountId: must be a 12-digit account id, got \"1234\"");
  f.erase("GeneratorId");
  f["AwsAccountId"] = "111111111111";
  EXPECT_EQ(ParseFinding(f.dump()).status().message(), "GeneratorId: missing (required)");
  EXPECT_FALSE(ParseFinding("[]").ok());
  const Result<Finding> good = ParseFinding(BaseFinding().dump());
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->standard.control, "S3.2");
}

// ---------------------------------------------------------------------------------------------
// Field mapping details.

TEST(FindingParseTest, StandardResolutionOrder) {
  struct Case {
    std::string name;
    std::function<void(json&)> mutate;
    StandardRef want;
  };
  const Case cases[] = {
      {"control ARN first",
       [](json&) {},
       {"aws-foundational-security-best-practices", "1.0.0", "S3.2",
        StandardSource::kStandardsControlArn}},
      {"control with a slash",
       [](json& f) {
         f["ProductFields"]["StandardsControlArn"] =
             "arn:aws:securityhub:us-east-1:111111111111:control/x-std/v/1.0.0/A/B";
       },
       {"x-std", "1.0.0", "A/B", StandardSource::kStandardsControlArn}},
      {"malformed control ARN falls through to the Id",
       [](json& f) {
         f["ProductFields"]["StandardsControlArn"] =
             "arn:aws:securityhub:us-east-1:111111111111:control/x-std/1.0.0";
       },
       {"aws-foundational-security-best-practices", "1.0.0", "S3.2", StandardSource::kFindingId}},
      {"Id next",
       [](json& f) { f["ProductFields"].erase("StandardsControlArn"); },
       {"aws-foundational-security-best-practices", "1.0.0", "S3.2", StandardSource::kFindingId}},
      {"malformed Id falls through to SecurityControlId",
       [](json& f) {
         f["ProductFields"].erase("StandardsControlArn");
         f["Id"] = "arn:aws:securityhub:us-east-1:111111111111:subscription/std/v/x/S3.2/finding/u";
       },
       {"security-control", "2.0.0", "S3.2", StandardSource::kSecurityControl}},
      {"ProductFields.ControlId as the security control id",
       [](json& f) {
         f["ProductFields"].erase("StandardsControlArn");
         f["Compliance"].erase("SecurityControlId");
         f["ProductFields"]["ControlId"] = "S3.9";
         f["Id"] = "other";
       },
       {"security-control", "2.0.0", "S3.9", StandardSource::kSecurityControl}},
      {"consolidated Id when nothing else",
       [](json& f) {
         f["ProductFields"] = json::object();
         f.erase("Compliance");
         f["Id"] = "arn:aws:securityhub:us-east-1:111111111111:security-control/Lambda.3/finding/u";
       },
       {"security-control", "2.0.0", "Lambda.3", StandardSource::kSecurityControl}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    json f = BaseFinding();
    c.mutate(f);
    const Result<Finding> finding = ParseFinding(f.dump());
    ASSERT_TRUE(finding.ok()) << finding.status().ToString();
    EXPECT_EQ(finding->standard.long_name, c.want.long_name);
    EXPECT_EQ(finding->standard.version, c.want.version);
    EXPECT_EQ(finding->standard.control, c.want.control);
    EXPECT_EQ(finding->standard.source, c.want.source);
  }
}

TEST(FindingParseTest, MapsOptionalFields) {
  json f = BaseFinding();
  f.erase("Workflow");
  f["WorkflowState"] = "DEFERRED";
  f["Severity"] = {{"Original", "CRITICAL"}};
  f["Region"] = nullptr;  // null counts as absent
  f["Resources"][0]["Region"] = "eu-west-1";
  f["Resources"][0].erase("Partition");
  f["Resources"][0]["Details"] = {{"AwsS3Bucket", {{"Name", "my-bucket"}, {"n", 1}}}};
  f["ProductFields"]["aws/securityhub/ProductName"] = "Security Hub";
  f["ProductFields"]["RelatedAWSResources:0/name"] = "rule-1";
  f["ProductFields"]["RelatedAWSResources:0/type"] = "AWS::Config::ConfigRule";
  const Result<Finding> finding = ParseFinding(f.dump(2));
  ASSERT_TRUE(finding.ok()) << finding.status().ToString();
  EXPECT_EQ(finding->workflow, WorkflowStatus::kSuppressed);
  EXPECT_EQ(finding->severity_label, "CRITICAL");
  EXPECT_EQ(finding->region, "eu-west-1");
  EXPECT_EQ(finding->related_config_rule, "rule-1");
  ASSERT_EQ(finding->resources.size(), 1u);
  EXPECT_EQ(finding->resources[0].partition, "aws");  // from the ARN
  EXPECT_EQ(finding->resources[0].details_json, R"({"AwsS3Bucket":{"Name":"my-bucket","n":1}})");
  ASSERT_EQ(finding->resources[0].tags.size(), 1u);
  EXPECT_EQ(finding->resources[0].tags[0].key, "env");
  EXPECT_EQ(finding->resources[0].tags[0].value, "prod");
  EXPECT_EQ(json::parse(finding->raw_json), json::parse(f.dump()));
  EXPECT_EQ(finding->raw_json.find('\n'), std::string::npos);
}

TEST(FindingParseTest, EmptyOrAbsentResourcesAreAllowed) {
  json f = BaseFinding();
  f["Resources"] = json::array();
  const Result<Finding> empty = ParseFinding(f.dump());
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->resources.empty());
  f.erase("Resources");
  EXPECT_TRUE(ParseFinding(f.dump()).ok());
}

TEST(FindingParseTest, EventKindsFromDetailTypeAndEventType) {
  struct Case {
    std::string detail_type;
    EventKind want;
  };
  const Case cases[] = {
      {"Security Hub Findings - Imported", EventKind::kImported},
      {"Findings Imported V2", EventKind::kImportedV2},
      {"Security Hub Findings - Custom Action", EventKind::kCustomAction},
      {"Security Hub Findings - API Action", EventKind::kApiAction},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.detail_type);
    json event = ImportedEvent(BaseFinding());
    event["detail-type"] = c.detail_type;
    event["detail"]["actionName"] = "Remediate";
    const Result<Event> parsed = ParseEvent(event.dump());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->kind, c.want);
    EXPECT_EQ(EventKindName(parsed->kind), c.detail_type);
    const bool person = c.want == EventKind::kCustomAction || c.want == EventKind::kApiAction;
    EXPECT_EQ(parsed->action_name, person ? "Remediate" : "");
    const Result<Event> state =
        ParseEvent(json{{"Finding", BaseFinding()}, {"EventType", c.detail_type}}.dump());
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_EQ(state->kind, c.want);
    EXPECT_EQ(state->detail_type, c.detail_type);
  }
}

TEST(FindingParseTest, SqsShapes) {
  const std::string event = ImportedEvent(BaseFinding()).dump();
  const Result<Event> upper = ParseEvent(json{{"Body", event}}.dump());
  ASSERT_TRUE(upper.ok()) << upper.status().ToString();
  EXPECT_EQ(upper->kind, EventKind::kImported);
  const Result<Event> records =
      ParseEvent(json{{"Records", {{{"body", event}}, {{"body", event}}}}}.dump());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->findings.size(), 2u);
  EXPECT_EQ(records->event_id, "event-1");
  // Two levels of bodies are fine.
  const Result<Event> nested = ParseEvent(json{{"body", json{{"body", event}}.dump()}}.dump());
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
}

TEST(FindingParseTest, NamesOfEnums) {
  EXPECT_EQ(ComplianceStatusName(ComplianceStatus::kMissing), "");
  EXPECT_EQ(ComplianceStatusName(ComplianceStatus::kNotAvailable), "NOT_AVAILABLE");
  EXPECT_EQ(WorkflowStatusName(WorkflowStatus::kSuppressed), "SUPPRESSED");
  EXPECT_EQ(RecordStateName(RecordState::kArchived), "ARCHIVED");
  EXPECT_EQ(EventKindName(EventKind::kBareFinding), "bare finding");
}

TEST(FindingParseTest, OcsfStatusMapping) {
  struct Case {
    json patch;
    ComplianceStatus compliance;
    WorkflowStatus workflow;
    RecordState record;
    std::string severity;
  };
  const Case cases[] = {
      {{{"status_id", 2}, {"compliance", {{"status", "PASS"}}}, {"severity", "Fatal"}},
       ComplianceStatus::kPassed,
       WorkflowStatus::kNotified,
       RecordState::kActive,
       "CRITICAL"},
      {{{"status_id", 3}, {"compliance", {{"status", "Warning"}}}, {"severity", "Informational"}},
       ComplianceStatus::kWarning,
       WorkflowStatus::kSuppressed,
       RecordState::kActive,
       "INFORMATIONAL"},
      {{{"status_id", 5}, {"compliance", {{"status", "unknown"}}}, {"severity", "low"}},
       ComplianceStatus::kNotAvailable,
       WorkflowStatus::kResolved,
       RecordState::kArchived,
       "LOW"},
      {{{"activity_id", 3}, {"status_id", 1}, {"severity", "Medium"}},
       ComplianceStatus::kMissing,
       WorkflowStatus::kNew,
       RecordState::kArchived,
       "MEDIUM"},
  };
  const json base = json::parse(ReadFile(
      kCorpus / "extracted_inline/preProcessor.test__createMockOCSFFinding__defaults.json"));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.patch.dump());
    json f = base;
    f.erase("compliance");
    f["compliance"] = {{"control", "S3.1"}};
    for (const auto& [key, value] : c.patch.items()) {
      if (key == "compliance") {
        f["compliance"]["status"] = value["status"];
      } else {
        f[key] = value;
      }
    }
    const Result<Finding> finding = ParseFinding(f.dump());
    ASSERT_TRUE(finding.ok()) << finding.status().ToString();
    EXPECT_EQ(finding->compliance, c.compliance);
    EXPECT_EQ(finding->workflow, c.workflow);
    EXPECT_EQ(finding->record_state, c.record);
    EXPECT_EQ(finding->severity_label, c.severity);
  }
}

TEST(FindingParseTest, OcsfResourceIdAndProduct) {
  json f = json::parse(ReadFile(
      kCorpus / "extracted_inline/preProcessor.test__createMockOCSFFinding__defaults.json"));
  f["resources"][0]["uid_alt"] = "not-an-arn";
  f["resources"].push_back({{"name", "only-name"}});
  f["metadata"] = {{"product", {{"name", "Inspector"}, {"uid", "arn:p"}}}};
  const Result<Finding> finding = ParseFinding(f.dump());
  ASSERT_TRUE(finding.ok()) << finding.status().ToString();
  ASSERT_EQ(finding->resources.size(), 2u);
  EXPECT_EQ(finding->resources[0].id, "test-bucket");
  EXPECT_EQ(finding->resources[1].id, "only-name");
  EXPECT_EQ(finding->product_name, "Inspector");
  EXPECT_EQ(finding->standard.control, "");  // other products: routing decides
  f["resources"].push_back({{"type", "x"}});
  EXPECT_NE(ParseFinding(f.dump()).status().message().find(
                "resources[2]: missing an identifier (one of uid_alt, uid or name)"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Cross-account resources.

TEST(FindingParseTest, FlagsResourcesOfAnotherAccount) {
  struct Case {
    std::string name;
    std::string resource_id;
    bool want;
    std::string detail;
  };
  const Case cases[] = {
      {"same account", "arn:aws:iam::111111111111:role/r", false, ""},
      {"other account", "arn:aws:iam::222222222222:role/r", true,
       "Resources[1] \"arn:aws:iam::222222222222:role/r\" names account 222222222222, but "
       "AwsAccountId is 111111111111"},
      {"s3 bucket (no account field)", "arn:aws:s3:::bucket", false, ""},
      {"own account resource", "AWS::::Account:111111111111", false, ""},
      {"other account resource", "AWS::::Account:333333333333", true,
       "Resources[1] \"AWS::::Account:333333333333\" names account 333333333333"},
      {"not an ARN", "i-0123456789", false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    json f = BaseFinding();
    f["Resources"].push_back({{"Type", "Other"}, {"Id", c.resource_id}});
    const Result<Finding> finding = ParseFinding(f.dump());
    ASSERT_TRUE(finding.ok()) << finding.status().ToString();
    EXPECT_EQ(finding->account_mismatch, c.want);
    EXPECT_NE(finding->account_mismatch_detail.find(c.detail), std::string::npos)
        << finding->account_mismatch_detail;
    EXPECT_EQ(finding->account_mismatch_detail.empty(), !c.want);
  }
}

// ---------------------------------------------------------------------------------------------
// Robustness: truncated input gives errors, never a crash (run under ASan/UBSan).

TEST(FindingParseTest, TruncationsReturnErrors) {
  const char* const files[] = {
      "layer_test_json_data/CIS_1-6-multi-select.json",
      "extracted_inline/preProcessor.test__createSQSRecord__defaults.json",
      "extracted_inline/findingEventNormalizer.test__mockOCSFFinding__L30.json",
  };
  for (const char* file : files) {
    SCOPED_TRACE(file);
    const std::string text = Fixture(file);
    ASSERT_FALSE(text.empty());
    for (size_t n = 0; n < text.size(); n += 97) {
      const std::string prefix = text.substr(0, n);
      const Result<Event> event = ParseEvent(prefix);
      EXPECT_FALSE(event.ok()) << "prefix of " << n << " bytes parsed";
      EXPECT_EQ(event.status().code(), StatusCode::kInvalidArgument);
      EXPECT_FALSE(ParseFinding(prefix).ok());
    }
  }
}

TEST(FindingParseTest, RawFindingCanBeDropped) {
  const std::string text = Fixture("layer_test_json_data/CIS_1-6-multi-select.json");
  const Result<Event> kept = ParseEvent(text);
  const Result<Event> dropped = ParseEvent(text, {.raw_finding = RawFinding::kDrop});
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(dropped.ok());
  ASSERT_EQ(kept->findings.size(), dropped->findings.size());
  for (size_t i = 0; i < kept->findings.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_FALSE(kept->findings[i].raw_json.empty());
    EXPECT_TRUE(dropped->findings[i].raw_json.empty());
    EXPECT_EQ(kept->findings[i].id, dropped->findings[i].id);
    EXPECT_EQ(kept->findings[i].resources.size(), dropped->findings[i].resources.size());
  }
}

}  // namespace
}  // namespace asr::finding
