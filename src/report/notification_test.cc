#include "report/notification.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "finding/finding.h"

namespace asr::report {
namespace {

using nlohmann::ordered_json;

// Runs `script` with python3 on `input` (a JSON document) and returns its stdout. The reference
// itself is Python; comparing against the real json.dumps / quote_plus is the contract.
std::string RunPython(const std::string& script, const std::string& input) {
  static std::atomic<int> counter{0};
  const std::string base = ::testing::TempDir() + "report_py_" + std::to_string(getpid()) + "_" +
                           std::to_string(counter++);
  {
    std::ofstream(base + ".py") << script;
    std::ofstream(base + ".json", std::ios::binary) << input;
  }
  const std::string command = "python3 " + base + ".py " + base + ".json";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return {};
  }
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    out.append(buf.data(), n);
  }
  EXPECT_EQ(pclose(pipe), 0) << command;
  std::remove((base + ".py").c_str());
  std::remove((base + ".json").c_str());
  return out;
}

// The reference notification, built the way sechub_findings.ASRNotification.notify and
// send_notifications.get_security_hub_console_url build it.
constexpr const char* kReferenceNotification = R"PY(
import json, sys
from urllib.parse import quote_plus
f = json.load(open(sys.argv[1], encoding="utf-8"))
hosts = {"aws": "console.aws.amazon.com", "aws-us-gov": "console.amazonaws-us-gov.com",
         "aws-cn": "console.amazonaws.cn"}
host = hosts.get(f["partition"], hosts["aws"])
if f["v2"]:
    url = f"/securityhub/v2/home?region={f['region']}#/findings?search=finding_info.uid%3D%255Coperator%255C%253AEQUALS%255C%253A{quote_plus(f['finding_arn'])}"
else:
    url = f"/securityhub/home?region={f['region']}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A{quote_plus(f['finding_arn'])}"
prefix = f["execution_id"]
if prefix:
    prefix += ": "
suffix = f["affected_object"]
if suffix:
    suffix = f" ({suffix})"
status = f["state"].upper()
obj = {
    "Remediation_Status": f["state"],
    "Severity": "INFO" if status in ("SUCCESS", "QUEUED") else "ERROR",
    "Account_Alias": f["account_alias"] or f["account"] or "Unknown",
    "Remediation_Output": f["remediation_output"],
    "Message": prefix + f["message"] + suffix,
    "Finding_Link": f"https://{host}{url}",
    "Finding": {
        "finding_id": f["finding_id"],
        "finding_description": f["finding_description"],
        "standard_name": f["standard_name"],
        "standard_version": f["standard_version"],
        "standard_control": f["standard_control"],
        "title": f["title"],
        "region": f["region"],
        "account": f["account"],
        "finding_arn": f["finding_arn"],
    },
    "StepFunctions_Execution_Id": f["job_id"],
}
if f.get("ticket_url"):
    obj["Ticket_URL"] = f["ticket_url"]
sys.stdout.write(json.dumps(obj, indent=2, default=str))
)PY";

std::string FactsJson(const NotificationFacts& f) {
  ordered_json j = {{"state", f.state},
                    {"message", f.message},
                    {"execution_id", f.execution_id},
                    {"affected_object", f.affected_object},
                    {"remediation_output", f.remediation_output},
                    {"job_id", f.job_id},
                    {"account_alias", f.account_alias},
                    {"region", f.region},
                    {"partition", f.partition},
                    {"v2", f.console == SecurityHubConsole::kV2},
                    {"finding_id", f.finding_id},
                    {"finding_description", f.finding_description},
                    {"standard_name", f.standard_name},
                    {"standard_version", f.standard_version},
                    {"standard_control", f.standard_control},
                    {"title", f.title},
                    {"account", f.account},
                    {"finding_arn", f.finding_arn}};
  if (f.ticket_url.has_value()) {
    j["ticket_url"] = *f.ticket_url;
  }
  return j.dump();
}

NotificationFacts BaseFacts() {
  return {.state = "SUCCESS",
          .message = "Remediation succeeded for SC control S3.2 in account 111111111111: done",
          .execution_id = "0f1e2d3c-aaaa-bbbb-cccc-111122223333",
          .affected_object = "AwsS3Bucket my-bucket",
          .remediation_output = "{'status': 'SUCCESS'}",
          .job_id = "j-01HX",
          .account_alias = "prod",
          .region = "us-east-1",
          .finding_id = "0b0b7a49-5f1c-4f0a-9d7a-6c3a5a2f0b11",
          .finding_description = "S3 buckets should prohibit public read access",
          .standard_name = "security-control",
          .standard_version = "2.0.0",
          .standard_control = "S3.2",
          .title = "S3.2 S3 general purpose buckets should block public read access",
          .account = "111111111111",
          .finding_arn =
              "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.2/"
              "finding/0b0b7a49-5f1c-4f0a-9d7a-6c3a5a2f0b11"};
}

TEST(NotificationTest, SnsMessageMatchesPythonJsonDumpsByteForByte) {
  struct Case {
    std::string name;
    NotificationFacts facts;
  };
  std::vector<Case> cases;
  cases.push_back({"success", BaseFacts()});
  {
    NotificationFacts f = BaseFacts();
    f.state = "Failed";
    f.message = "Remediation failed: \"quoted\" \\ back\\slash\nnew line\ttab\r\x01\x1f\x7f";
    f.remediation_output = "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \xe2\x80\xa8 /";
    f.title =
        "\xc3\x9c"
        "ber <tag> & 'single'";
    cases.push_back({"escapes and non-ascii", f});
  }
  {
    NotificationFacts f;
    f.state = "QUEUED";
    cases.push_back({"all empty", f});
  }
  {
    NotificationFacts f = BaseFacts();
    f.state = "NO_RUNBOOK";
    f.account_alias = "";
    f.execution_id = "";
    f.affected_object = "";
    f.ticket_url = "https://example.atlassian.net/browse/SEC-1";
    f.console = SecurityHubConsole::kV2;
    cases.push_back({"ticket and v2 link", f});
  }
  {
    NotificationFacts f = BaseFacts();
    f.partition = "aws-cn";
    f.region = "cn-north-1";
    f.ticket_url = "";
    f.finding_arn =
        "arn:aws-cn:securityhub:cn-north-1:111111111111:subscription/cis/v/1.2.0/"
        "2.4/finding/a b+c%d&e=f?g#h~i";
    cases.push_back({"china, empty ticket, odd id", f});
  }
  {
    NotificationFacts f = BaseFacts();
    f.partition = "aws-us-gov";
    f.region = "us-gov-west-1";
    f.state = "success";
    cases.push_back({"govcloud, lower-case state", f});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string want = RunPython(kReferenceNotification, FactsJson(c.facts));
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(SnsMessageText(c.facts), want);
  }
}

TEST(NotificationTest, PythonJsonDumpsMatchesPythonForEveryShape) {
  constexpr const char* kDump = R"PY(
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for indent in (2, 4, 0, None):
    out.append(json.dumps(doc, indent=indent))
sys.stdout.write("\n=====\n".join(out))
)PY";
  std::string every_char;
  for (int c = 1; c < 0x80; ++c) {
    every_char += static_cast<char>(c);
  }
  const ordered_json doc = {
      {"z", 1},
      {"a", {1, -2, 0, 9007199254740993LL, true, false, nullptr}},
      {"empty_object", ordered_json::object()},
      {"empty_array", ordered_json::array()},
      {"nested", {{"inner", {{"deep", ordered_json::array({ordered_json::object()})}}}}},
      {"ascii", every_char},
      {"\xc3\xa9 key \"q\"", "\xe2\x82\xac \xf0\x90\x80\x80 \xef\xbf\xbf \xc2\x80"},
  };
  const std::string want = RunPython(kDump, doc.dump());
  std::string got;
  for (const int indent : {2, 4, 0, -1}) {
    if (!got.empty()) {
      got += "\n=====\n";
    }
    got += PythonJsonDumps(doc, indent);
  }
  EXPECT_EQ(got, want);
}

TEST(NotificationTest, InvalidUtf8BytesBecomeReplacementCharacters) {
  const struct {
    std::string input;
    std::string want;
  } cases[] = {
      {"a\xff"
       "b",
       R"("a\ufffdb")"},
      {"\xe2\x82", R"("\ufffd\ufffd")"},
      {"\xc0\xaf", R"("\ufffd\ufffd")"},
      {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
      {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"ok\xc3\xa9", R"("ok\u00e9")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(PythonJsonDumps(ordered_json(c.input), 2), c.want);
  }
}

TEST(NotificationTest, QuotePlusMatchesPython) {
  constexpr const char* kQuote = R"PY(
import json, sys
from urllib.parse import quote_plus
sys.stdout.write(json.dumps([quote_plus(s) for s in json.load(open(sys.argv[1], encoding="utf-8"))]))
)PY";
  std::string every_char;
  for (int c = 1; c < 0x80; ++c) {
    every_char += static_cast<char>(c);
  }
  const std::vector<std::string> inputs = {
      "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-"
      "practices/v/1.0.0/S3.1/finding/0b0b7a49",
      "a b+c",
      "",
      every_char,
      "caf\xc3\xa9 \xf0\x9f\x98\x80",
      "~_.-"};
  const nlohmann::json want =
      nlohmann::json::parse(RunPython(kQuote, nlohmann::json(inputs).dump()));
  ASSERT_EQ(want.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE(inputs[i]);
    EXPECT_EQ(QuotePlus(inputs[i]), want[i].get<std::string>());
  }
}

TEST(NotificationTest, SeverityIsInfoOnlyForSuccessAndQueued) {
  const struct {
    std::string state;
    std::string_view want;
  } cases[] = {{"SUCCESS", "INFO"},     {"QUEUED", "INFO"},
               {"queued", "INFO"},      {"Failed", "ERROR"},
               {"NO_RUNBOOK", "ERROR"}, {"NOT_NEW", "ERROR"},
               {"", "ERROR"},           {"ASSUME_ROLE_FAILURE", "ERROR"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.state);
    EXPECT_EQ(NotificationSeverity(c.state), c.want);
  }
}

TEST(NotificationTest, MessageHasExecutionPrefixAndAffectedObjectSuffixOnlyWhenSet) {
  NotificationFacts f = BaseFacts();
  f.message = "m";
  EXPECT_EQ(SnsMessageObject(f)["Message"],
            "0f1e2d3c-aaaa-bbbb-cccc-111122223333: m (AwsS3Bucket my-bucket)");
  f.execution_id.clear();
  EXPECT_EQ(SnsMessageObject(f)["Message"], "m (AwsS3Bucket my-bucket)");
  f.affected_object.clear();
  EXPECT_EQ(SnsMessageObject(f)["Message"], "m");
}

TEST(NotificationTest, AccountAliasFallsBackToAccountThenUnknown) {
  NotificationFacts f = BaseFacts();
  EXPECT_EQ(SnsMessageObject(f)["Account_Alias"], "prod");
  f.account_alias.clear();
  EXPECT_EQ(SnsMessageObject(f)["Account_Alias"], "111111111111");
  f.account.clear();
  EXPECT_EQ(SnsMessageObject(f)["Account_Alias"], "Unknown");
}

TEST(NotificationTest, FindingLinkPerPartitionAndConsole) {
  const std::string id =
      "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.2/finding/x";
  const std::string q =
      "arn%3Aaws%3Asecurityhub%3Aus-east-1%3A111111111111%3Asecurity-control%2FS3.2%2Ffinding%2Fx";
  EXPECT_EQ(
      FindingLink(id, "us-east-1", "aws", SecurityHubConsole::kV1),
      "https://console.aws.amazon.com/securityhub/home?region=us-east-1#/findings?search=Id%3D"
      "%255Coperator%255C%253AEQUALS%255C%253A" +
          q);
  EXPECT_EQ(FindingLink(id, "us-east-1", "aws", SecurityHubConsole::kV2),
            "https://console.aws.amazon.com/securityhub/v2/home?region=us-east-1#/findings?search="
            "finding_info.uid%3D%255Coperator%255C%253AEQUALS%255C%253A" +
                q);
  EXPECT_EQ(ConsoleHost("aws-cn"), "console.amazonaws.cn");
  EXPECT_EQ(ConsoleHost("aws-us-gov"), "console.amazonaws-us-gov.com");
  EXPECT_EQ(ConsoleHost("aws-iso"), "console.aws.amazon.com");
}

TEST(NotificationTest, TicketUrlOnlyWhenNonEmpty) {
  NotificationFacts f = BaseFacts();
  EXPECT_FALSE(SnsMessageObject(f).contains("Ticket_URL"));
  f.ticket_url = "";
  EXPECT_FALSE(SnsMessageObject(f).contains("Ticket_URL"));
  f.ticket_url = "https://t/1";
  const ordered_json obj = SnsMessageObject(f);
  ASSERT_TRUE(obj.contains("Ticket_URL"));
  EXPECT_EQ(obj.items().begin().key(), "Remediation_Status");
  EXPECT_EQ((--obj.end()).key(), "Ticket_URL");
}

TEST(NotificationTest, FillFindingFactsCopiesFindingFields) {
  finding::Finding finding;
  finding.id =
      "arn:aws:securityhub:eu-west-1:222222222222:subscription/cis/v/1.2.0/2.4/finding/u-1";
  finding.uuid = "u-1";
  finding.description = "d";
  finding.title = "t";
  finding.aws_account_id = "222222222222";
  finding.standard = {
      .long_name = "cis-aws-foundations-benchmark", .version = "1.2.0", .control = "2.4"};
  NotificationFacts f;
  f.state = "SUCCESS";
  FillFindingFacts(finding, f);
  EXPECT_EQ(f.finding_id, "u-1");
  EXPECT_EQ(f.finding_arn, finding.id);
  EXPECT_EQ(f.finding_description, "d");
  EXPECT_EQ(f.title, "t");
  EXPECT_EQ(f.account, "222222222222");
  EXPECT_EQ(f.standard_name, "cis-aws-foundations-benchmark");
  EXPECT_EQ(f.standard_version, "1.2.0");
  EXPECT_EQ(f.standard_control, "2.4");
  EXPECT_EQ(f.state, "SUCCESS");
  finding.uuid.clear();
  FillFindingFacts(finding, f);
  EXPECT_EQ(f.finding_id, finding.id);
}

TEST(NotificationTest, ReferenceMessageTemplates) {
  const struct {
    std::string got;
    std::string want;
  } cases[] = {
      {QueuedMessage("SC", "S3.2", "111111111111"),
       "Remediation queued for SC control S3.2 in account 111111111111"},
      {SucceededMessage("SC", "S3.2", "111111111111", "Bucket blocked"),
       "Remediation succeeded for SC control S3.2 in account 111111111111: Bucket blocked"},
      {FailedMessage("AFSBP", "EC2.1", "111111111111", "AccessDenied"),
       "Remediation failed for AFSBP control EC2.1 in account 111111111111: AccessDenied"},
      {NoRunbookMessage("EC2.99", "SC", "2.0.0", "111111111111", "eu-west-1"),
       "ASR runbook for control EC2.99 in Security Standard SC v2.0.0 could not be found in "
       "account 111111111111 in region eu-west-1. Verify that the member stacks are deployed in "
       "this account & region, and that this control is supported by ASR."},
      {PlaybookNotEnabledMessage("PCI", "3.2.1"), "ASR playbook for (PCI) v3.2.1 is not enabled."},
      {AssumeRoleFailureMessage("111111111111", "SO0111-ASR-Orchestrator-Member"),
       "Unable to assume the Orchestrator Member Role (SO0111-ASR-Orchestrator-Member) in "
       "account 111111111111. Please verify that the automated-security-response-member-roles "
       "stack is deployed in the account and the Orchestrator Member Role is valid."},
      {NotNewMessage("NOTIFIED"), "Finding Workflow State is not NEW (NOTIFIED)."},
      {RunbookNotActiveMessage("ASR-SC_2.0.0_S3.2", "Creating", "111111111111"),
       "Automation Document (ASR-SC_2.0.0_S3.2) is not active (Creating) in the member "
       "account(111111111111)."},
      {ReferenceTopicArn("aws", "us-east-1", "111111111111"),
       "arn:aws:sns:us-east-1:111111111111:SO0111-ASR_Topic"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.got, c.want);
  }
}

TEST(NotificationTest, SnsOutboxPayloadHasTopicRegionMessage) {
  const nlohmann::json p = SnsOutboxPayload("arn:aws:sns:us-east-1:1:t", "us-east-1", "hello");
  EXPECT_EQ(
      p,
      nlohmann::json::parse(
          R"({"topic_arn":"arn:aws:sns:us-east-1:1:t","region":"us-east-1","message":"hello"})"));
}

}  // namespace
}  // namespace asr::report
