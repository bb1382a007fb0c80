#include "backend/ssm.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/model.h"
#include "aws/testing/scripted_transport.h"
#include "common/clock.h"
#include "common/log.h"

namespace asr::backend {
namespace {

using aws::testing::JsonError;
using aws::testing::JsonResponse;
using aws::testing::JsonTarget;
using nlohmann::json;

// ---- Names ------------------------------------------------------------------------------------

TEST(SsmNamesTest, ControlRunbookNameJoinsStandardVersionAndControl) {
  struct Case {
    const char* short_name;
    const char* version;
    const char* control;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"AFSBP", "1.0.0", "EC2.6", "ASR-AFSBP_1.0.0_EC2.6"},
      {"SC", "2.0.0", "EC2.1", "ASR-SC_2.0.0_EC2.1"},
      {"CIS", "1.4.0", "4.1", "ASR-CIS_1.4.0_4.1"},
      {"PCI", "3.2.1", "PCI.IAM.7", "ASR-PCI_3.2.1_PCI.IAM.7"},
      {"NIST80053R5", "5.0.0", "RDS.1", "ASR-NIST80053R5_5.0.0_RDS.1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(ControlRunbookName(c.short_name, c.version, c.control), c.want);
  }
}

TEST(SsmNamesTest, AutomationRoleArnNamesPartitionAccountAndRole) {
  EXPECT_EQ(AutomationRoleArn("aws", "111111111111", "SO0111-ASR-Orchestrator-Member"),
            "arn:aws:iam::111111111111:role/SO0111-ASR-Orchestrator-Member");
  EXPECT_EQ(AutomationRoleArn("aws-us-gov", "222222222222", "SO0111-X-ns1"),
            "arn:aws-us-gov:iam::222222222222:role/SO0111-X-ns1");
}

bool IsVersion8Uuid(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  const char variant = s[19];
  return s[14] == '8' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

TEST(SsmNamesTest, ClientTokenIsADeterministicUuidPerJob) {
  const std::vector<std::string> jobs = {
      "", "j-1", "j-2", "job-0001", "J-1", "a-very-long-job-id-" + std::string(200, 'x')};
  std::set<std::string> seen;
  for (const std::string& job : jobs) {
    SCOPED_TRACE(job);
    const std::string token = ClientTokenFor(job);
    EXPECT_TRUE(IsVersion8Uuid(token)) << token;
    EXPECT_EQ(ClientTokenFor(job), token);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), jobs.size());
}

TEST(SsmNamesTest, ClientTokenIsStableAcrossReleases) {
  // Jobs journaled by one release must get the same token after an upgrade: a change here
  // would make a resumed job start its runbook a second time.
  EXPECT_EQ(ClientTokenFor("j-1"), "d480b583-e293-8159-9989-eb62fb28bdec");
}

// ---- Validation -------------------------------------------------------------------------------

TEST(SsmValidationTest, AcceptsAndRejectsLikeTheReference) {
  struct Case {
    const char* name;
    Status (*validate)(std::string_view);
    const char* value;
    bool ok;
    const char* field;  // named in the message when rejected
  };
  const std::vector<Case> cases = {
      {"execution id", ValidateExecutionId, "0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c", true, ""},
      {"upper-case execution id", ValidateExecutionId, "0C4B2A4E-1F2D-4E8A-9B1C-2D3E4F5A6B7C",
       false, "execution id"},
      {"short execution id", ValidateExecutionId, "0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7", false,
       "execution id"},
      {"execution id with g", ValidateExecutionId, "gc4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c", false,
       "execution id"},
      {"execution id dashes moved", ValidateExecutionId, "0c4b2a4e1-f2d-4e8a-9b1c-2d3e4f5a6b7c",
       false, "execution id"},
      {"account", ValidateAccount, "111111111111", true, ""},
      {"account 11 digits", ValidateAccount, "11111111111", false, "account"},
      {"account letters", ValidateAccount, "11111111111a", false, "account"},
      {"us-east-1", ValidateRegion, "us-east-1", true, ""},
      {"us-gov-west-1", ValidateRegion, "us-gov-west-1", true, ""},
      {"cn-north-1", ValidateRegion, "cn-north-1", true, ""},
      {"ap-southeast-2", ValidateRegion, "ap-southeast-2", true, ""},
      {"two-digit region number", ValidateRegion, "us-east-10", false, "region"},
      {"iso region", ValidateRegion, "us-isob-east-1", false, "region"},
      {"upper-case region", ValidateRegion, "US-EAST-1", false, "region"},
      {"empty region", ValidateRegion, "", false, "region"},
      {"region without word", ValidateRegion, "us--1", false, "region"},
      {"control runbook", ValidateDocument, "ASR-AFSBP_1.0.0_EC2.6", true, ""},
      {"document arn", ValidateDocument, "arn:aws:ssm:us-east-1:111111111111:document/ASR-X", true,
       ""},
      {"document with space", ValidateDocument, "ASR X", false, "document"},
      {"document too short", ValidateDocument, "AB", false, "document"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status status = c.validate(c.value);
    EXPECT_EQ(status.ok(), c.ok) << status.ToString();
    if (!c.ok) {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
      EXPECT_NE(status.message().find(c.field), std::string::npos) << status.message();
    }
  }
  EXPECT_FALSE(ValidateDocument(std::string(129, 'a')).ok());
  EXPECT_TRUE(ValidateDocument(std::string(128, 'a')).ok());
}

// ---- Interpretation ---------------------------------------------------------------------------

struct InterpretCase {
  const char* name;
  const char* metadata;
  ExecutionResult want;
  const char* want_outcome;
};

void ExpectResult(const ExecutionResult& got, const ExecutionResult& want) {
  EXPECT_EQ(got.terminal, want.terminal);
  EXPECT_EQ(got.succeeded, want.succeeded);
  EXPECT_EQ(got.ssm_status, want.ssm_status);
  EXPECT_EQ(got.remediation_status, want.remediation_status);
  EXPECT_EQ(got.message, want.message);
  EXPECT_EQ(got.affected_object, want.affected_object);
  EXPECT_EQ(got.remediation_output, want.remediation_output);
  EXPECT_EQ(got.log_lines, want.log_lines);
}

// Expected values are what the reference's check_ssm_execution.py (v3.1.x) answers for the
// same DescribeAutomationExecutions item, produced with python3 (Outputs keys sorted, as
// nlohmann::json holds them).
TEST(InterpretExecutionTest, MatchesTheReference) {
  const std::vector<InterpretCase> cases = {
      {"InProgressIsNotTerminal",
       R"json({"AutomationExecutionId": "0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c", "AutomationExecutionStatus": "InProgress", "Outputs": {"ParseInput.AffectedObject": ["{\"Type\":\"AwsS3Bucket\",\"Id\":\"b\"}"]}})json",
       {.terminal = false,
        .succeeded = false,
        .ssm_status = "InProgress",
        .remediation_status = "running",
        .message = "Waiting for completion",
        .affected_object = "",
        .remediation_output = "",
        .log_lines = {}},
       ""},
      {"PendingIsNotTerminal",
       R"json({"AutomationExecutionStatus": "Pending"})json",
       {.terminal = false,
        .succeeded = false,
        .ssm_status = "Pending",
        .remediation_status = "running",
        .message = "Waiting for completion",
        .affected_object = "",
        .remediation_output = "",
        .log_lines = {}},
       ""},
      {"MissingStatusIsErrorAndNotTerminal",
       R"json({"Outputs": {}})json",
       {.terminal = false,
        .succeeded = false,
        .ssm_status = "ERROR",
        .remediation_status = "running",
        .message = "Waiting for completion",
        .affected_object = "",
        .remediation_output = "",
        .log_lines = {}},
       ""},
      {"SuccessWithPayloadResponseStatusAndLog",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"ParseInput.AffectedObject": ["{\"Type\":\"AwsS3Bucket\",\"Id\":\"my-bucket\"}"], "Remediation.Output": ["{\"ExecutionLog\": \"line1\\nline2\", \"Payload\": {\"response\": {\"message\": \"Bucket blocked\", \"status\": \"Success\"}}}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "Success",
        .affected_object = "AwsS3Bucket my-bucket",
        .remediation_output = "{'ExecutionLog': 'line1\\nline2', 'Payload': {'response': "
                              "{'message': 'Bucket blocked', 'status': 'Success'}}}",
        .log_lines = {"line1", "line2"}},
       "SUCCESS"},
      {"SuccessWithTopLevelStatusAndMessage",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"status\": \"SUCCESS\", \"message\": \"done\", \"extra\": 1}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "SUCCESS",
        .message = "done",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': 'SUCCESS', 'extra': 1}",
        .log_lines = {}},
       "SUCCESS"},
      {"MessageKeyIsCaseInsensitive",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"Message\": \"Ok then\", \"Data\": {\"a\": [true, null, 1.5]}}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "Ok then",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'Data': {'a': [True, None, 1.5]}}",
        .log_lines = {}},
       "SUCCESS"},
      {"VerifyRemediationOutputFailedStatusIsAFailure",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"VerifyRemediation.Output": ["{\"status\": \"FAILED\", \"message\": \"still public\"}"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Success",
        .remediation_status = "FAILED",
        .message = "still public",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': 'FAILED'}",
        .log_lines = {}},
       "FAILED"},
      {"SuccessWithRunbookStatusFailedIsAFailure",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"Payload\": {\"response\": {\"status\": \"Failed\", \"message\": \"x\"}}}"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Success",
        .remediation_status = "Failed",
        .message = "Failed",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'Payload': {'response': {'status': 'Failed', 'message': 'x'}}}",
        .log_lines = {}},
       "FAILED"},
      {"RemediationOutputWinsOverVerifyRemediationOutput",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"message\": \"from remediation\"}"], "VerifyRemediation.Output": ["{\"message\": \"from verify\"}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "from remediation",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "SUCCESS"},
      {"PlainTextOutputBecomesTheMessage",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["Remediation complete; it's done"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "Remediation complete; it's done",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "SUCCESS"},
      {"PlaceholderOutputIsRewritten",
       R"json({"AutomationExecutionStatus": "Failed", "FailureMessage": "Step fails when it is Executing. Fail to start automation.", "Outputs": {"Remediation.Output": ["No output available yet because the step is not successfully executed"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Failed",
        .remediation_status = "Failed",
        .message = "See Automation Execution output for details",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {"Step fails when it is Executing. Fail to start automation."}},
       "FAILED"},
      {"NoOutputsGivesJsonOfOutputsAsMessage",
       R"json({"AutomationExecutionStatus": "Success"})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "{}",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "SUCCESS"},
      {"OtherOutputsAreDumpedSorted",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"ParseInput.AffectedObject": ["arn:aws:s3:::my-bucket"], "GetInputParams.Bucket": ["my-bucket"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "{\"GetInputParams.Bucket\": [\"my-bucket\"], \"ParseInput.AffectedObject\": "
                   "[\"arn:aws:s3:::my-bucket\"]}",
        .affected_object = "arn:aws:s3:::my-bucket",
        .remediation_output = "{}",
        .log_lines = {}},
       "SUCCESS"},
      {"FailedWithFailureMessage",
       R"json({"AutomationExecutionStatus": "Failed", "FailureMessage": "Step fails when it is Executing. AccessDenied", "Outputs": {"Remediation.Output": ["{\"status\": \"FAILED\", \"message\": \"AccessDenied on PutBucketPolicy\", \"ExecutionLog\": \"trying\\n\"}"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Failed",
        .remediation_status = "Failed",
        .message = "AccessDenied on PutBucketPolicy",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': 'FAILED', 'ExecutionLog': 'trying\\n'}",
        .log_lines = {"trying", "", "Step fails when it is Executing. AccessDenied"}},
       "FAILED"},
      {"TimedOutWithoutOutputs",
       R"json({"AutomationExecutionStatus": "TimedOut", "FailureMessage": "Step timed out"})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "TimedOut",
        .remediation_status = "TimedOut",
        .message = "{}",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {"Step timed out"}},
       "TIMEDOUT"},
      {"CancelledIsTerminal",
       R"json({"AutomationExecutionStatus": "Cancelled", "Outputs": {"ParseInput.AffectedObject": ["{\"Account\":\"111111111111\"}"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Cancelled",
        .remediation_status = "Cancelled",
        .message = "{\"ParseInput.AffectedObject\": [\"{\\\"Account\\\":\\\"111111111111\\\"}\"]}",
        .affected_object = "{'Account': '111111111111'}",
        .remediation_output = "{}",
        .log_lines = {}},
       "CANCELLED"},
      {"CancellingIsTerminal",
       R"json({"AutomationExecutionStatus": "Cancelling"})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Cancelling",
        .remediation_status = "Cancelling",
        .message = "{}",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "CANCELLING"},
      {"PayloadWithoutResponseStatusIsUnknown",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"Payload\": {\"response\": {\"detail\": \"x\"}}, \"message\": \"ignored\"}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "UNKNOWN",
        .message = "UNKNOWN",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'Payload': {'response': {'detail': 'x'}}}",
        .log_lines = {}},
       "SUCCESS"},
      {"UnicodeAndQuotesInOutput",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"status\": \"SUCCESS\", \"note\": \"caf\u00e9 \\\"q\\\" it's\", \"tab\": \"a\\tb\"}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "SUCCESS",
        .message = "Remediation status: SUCCESS - please verify remediation",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': 'SUCCESS', 'note': 'café \"q\" it\\'s', 'tab': 'a\\tb'}",
        .log_lines = {}},
       "SUCCESS"},
  };
  for (const InterpretCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ExecutionResult got = InterpretExecution(json::parse(c.metadata));
    ExpectResult(got, c.want);
    EXPECT_EQ(OutcomeState(got), c.want_outcome);
  }
}

// Where asr deliberately differs from the reference (which crashes, or polls until its 23 h
// timeout, on these shapes).
TEST(InterpretExecutionTest, HandlesShapesTheReferenceCannot) {
  const std::vector<InterpretCase> cases = {
      {"NumericAffectedObjectIsItsText",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"ParseInput.AffectedObject": ["111111111111"], "Remediation.Output": ["{\"status\": \"SUCCESS\", \"message\": \"ok\"}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "SUCCESS",
        .message = "ok",
        .affected_object = "111111111111",
        .remediation_output = "{'status': 'SUCCESS'}",
        .log_lines = {}},
       "SUCCESS"},
      {"EmptyAffectedObjectListIsUnknown",
       R"json({"AutomationExecutionStatus": "Failed", "Outputs": {"ParseInput.AffectedObject": [], "Remediation.Output": ["{\"message\": \"no\"}"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Failed",
        .remediation_status = "Failed",
        .message = "no",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "FAILED"},
      {"NonObjectJsonOutputIsTheMessage",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["[1, 2]"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "[1, 2]",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "SUCCESS"},
      {"EmptyOutputListIsAnEmptyResponse",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": []}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "Success",
        .message = "Remediation status: Success - please verify remediation",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "SUCCESS"},
      {"NonStringStatusIsPythonStr",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"status\": true, \"ExecutionLog\": 7}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "Success",
        .remediation_status = "True",
        .message = "Remediation status: True - please verify remediation",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': True, 'ExecutionLog': 7}",
        .log_lines = {}},
       "SUCCESS"},
      {"LowerCaseFailedRunbookStatusIsAFailure",
       R"json({"AutomationExecutionStatus": "Success", "Outputs": {"Remediation.Output": ["{\"status\": \"failed\"}"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Success",
        .remediation_status = "failed",
        .message = "Remediation status: failed - please verify remediation",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': 'failed'}",
        .log_lines = {}},
       "FAILED"},
      {"CompletedWithFailureIsATerminalFailure",
       R"json({"AutomationExecutionStatus": "CompletedWithFailure", "FailureMessage": "child failed"})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "CompletedWithFailure",
        .remediation_status = "CompletedWithFailure",
        .message = "{}",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {"child failed"}},
       "FAILED"},
      {"RejectedIsATerminalFailure",
       R"json({"AutomationExecutionStatus": "Rejected"})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Rejected",
        .remediation_status = "Rejected",
        .message = "{}",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "FAILED"},
      {"CompletedWithSuccessIsASuccess",
       R"json({"AutomationExecutionStatus": "CompletedWithSuccess", "Outputs": {"Remediation.Output": ["{\"status\": \"SUCCESS\"}"]}})json",
       {.terminal = true,
        .succeeded = true,
        .ssm_status = "CompletedWithSuccess",
        .remediation_status = "SUCCESS",
        .message = "Remediation status: SUCCESS - please verify remediation",
        .affected_object = "UNKNOWN",
        .remediation_output = "{'status': 'SUCCESS'}",
        .log_lines = {}},
       "SUCCESS"},
      {"PlaceholderInVerifyOutputIsKept",
       R"json({"AutomationExecutionStatus": "Failed", "Outputs": {"VerifyRemediation.Output": ["No output available yet because the step is not successfully executed"]}})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Failed",
        .remediation_status = "Failed",
        .message = "No output available yet because the step is not successfully executed",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "FAILED"},
      {"NotAnObjectIsNotTerminal",
       R"json([1, 2])json",
       {.terminal = false,
        .succeeded = false,
        .ssm_status = "ERROR",
        .remediation_status = "running",
        .message = "Waiting for completion",
        .affected_object = "",
        .remediation_output = "",
        .log_lines = {}},
       ""},
      {"OutputsOfTheWrongTypeAreIgnored",
       R"json({"AutomationExecutionStatus": "Failed", "Outputs": "x", "FailureMessage": 3})json",
       {.terminal = true,
        .succeeded = false,
        .ssm_status = "Failed",
        .remediation_status = "Failed",
        .message = "{}",
        .affected_object = "UNKNOWN",
        .remediation_output = "{}",
        .log_lines = {}},
       "FAILED"},
  };
  for (const InterpretCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ExecutionResult got = InterpretExecution(json::parse(c.metadata));
    ExpectResult(got, c.want);
    EXPECT_EQ(OutcomeState(got), c.want_outcome);
  }
}

// ---- Python formatting ------------------------------------------------------------------------

// Expected strings are python3's repr() of json.loads(input).
TEST(PythonReprTest, MatchesPythonRepr) {
  struct Case {
    const char* name;
    const char* input;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"EmptyObject", R"json({})json", "{}"},
      {"EmptyArray", R"json([])json", "[]"},
      {"Null", R"json(null)json", "None"},
      {"Bools", R"json([true,false])json", "[True, False]"},
      {"Integers", R"json([0,-7,123456789012])json", "[0, -7, 123456789012]"},
      {"FloatsUseShortestRepr",
       R"json([1.0,1.5,-0.0,0.1,0.0001,0.00001,1e16,1e15,123456789.125,12345678901234567.0,1.5e-7,2.5e300,100.0])json",
       "[1.0, 1.5, -0.0, 0.1, 0.0001, 1e-05, 1e+16, 1000000000000000.0, 123456789.125, "
       "1.2345678901234568e+16, 1.5e-07, 2.5e+300, 100.0]"},
      {"SingleQuotesByDefault", R"json("abc")json", "'abc'"},
      {"DoubleQuotesWhenOnlySingleQuoteInside", R"json("it's")json", "\"it's\""},
      {"EscapesSingleQuoteWhenBothQuotesInside", R"json("it's \"x\"")json", "'it\\'s \"x\"'"},
      {"EscapesBackslashAndControls", R"json("a\\b\n\t\r\u0001\u007f")json",
       "'a\\\\b\\n\\t\\r\\x01\\x7f'"},
      {"KeepsPrintableNonAscii", R"json("caf\u00e9 \u65e5\u672c \ud83d\ude00")json",
       "'café 日本 😀'"},
      {"EscapesNonPrintableUnicode", R"json("\u00a0\u2028\u200b\ufeff")json",
       "'\\xa0\\u2028\\u200b\\ufeff'"},
      {"NestedObjectKeepsOrder", R"json({"b":1,"a":{"y":[1,"x",null],"x":true}})json",
       "{'b': 1, 'a': {'y': [1, 'x', None], 'x': True}}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(PythonRepr(nlohmann::ordered_json::parse(c.input)), c.want);
  }
}

TEST(PythonReprTest, SortedJsonGivesSortedKeys) {
  EXPECT_EQ(PythonRepr(json::parse(R"json({"b": 1, "a": [2.5]})json")), "{'a': [2.5], 'b': 1}");
}

TEST(PythonReprTest, CutsOffDeepNestingInsteadOfExhaustingTheStack) {
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  const std::string want = std::string(257, '[') + "..." + std::string(257, ']');
  EXPECT_EQ(PythonRepr(json::parse(deep)), want);
  EXPECT_EQ(PythonJsonDumps(json::parse(deep)), want);
}

// Expected strings are python3's json.dumps(json.loads(input), sort_keys=True).
TEST(PythonJsonDumpsTest, MatchesPythonJsonDumps) {
  struct Case {
    const char* name;
    const char* input;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"SeparatorsAndSortedKeys", R"json({"b":[1,2.5,null,true],"a":"x"})json",
       "{\"a\": \"x\", \"b\": [1, 2.5, null, true]}"},
      {"EnsureAsciiEscapes", R"json({"s":"caf\u00e9 \ud83d\ude00 \u0001\"\\\n\u007f"})json",
       "{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \\u0001\\\"\\\\\\n\\u007f\"}"},
      {"EmptyContainers", R"json({"a":{},"b":[]})json", "{\"a\": {}, \"b\": []}"},
      {"Floats", R"json([1.0, 1e16, 1.5e-7])json", "[1.0, 1e+16, 1.5e-07]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(PythonJsonDumps(json::parse(c.input)), c.want);
  }
}

// ---- AWS calls --------------------------------------------------------------------------------

class FixedRandom final : public aws::Random {
 public:
  double Uniform() override { return 0.5; }
};

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*duration*/) override {}
};

// A member-account role chain whose AssumeRole was refused.
class DeniedCredentials final : public aws::CredentialsProvider {
 public:
  Result<aws::Credentials> Get() override {
    return PermissionDeniedError("sts.AssumeRole: not authorized to perform sts:AssumeRole")
        .WithAwsError("AccessDenied", "req-1");
  }
};

constexpr const char* kExecId = "0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c";
constexpr const char* kDoc = "ASR-AFSBP_1.0.0_EC2.6";

class SsmCallTest : public ::testing::Test {
 protected:
  SsmCallTest()
      : admin_(aws::Credentials{.access_key_id = "AKIDADMIN", .secret_access_key = "s"}),
        member_(aws::Credentials{.access_key_id = "AKIDMEMBER", .secret_access_key = "s"}),
        clock_(std::chrono::system_clock::time_point{std::chrono::seconds(1'800'000'000)}),
        logger_(sink_, clock_, LogLevel::kError),
        client_(transport_, admin_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}}) {}

  aws::CallOptions Member() { return {.credentials = &member_}; }

  // The one request sent: its target, region (from the host), signing key id and JSON body.
  struct Sent {
    std::string target;
    std::string host;
    bool signed_by_member = false;
    json body;
  };
  Sent OnlyRequest() const {
    const std::vector<aws::HttpRequest> requests = transport_.requests();
    EXPECT_EQ(requests.size(), 1U);
    if (requests.empty()) {
      return {};
    }
    const aws::HttpRequest& r = requests.front();
    const std::string* target = r.FindHeader("X-Amz-Target");
    const std::string* auth = r.FindHeader("Authorization");
    return {.target = target == nullptr ? "" : *target,
            .host = r.host,
            .signed_by_member =
                auth != nullptr && auth->find("Credential=AKIDMEMBER/") != std::string::npos,
            .body = json::parse(r.body, nullptr, false)};
  }

  aws::testing::ScriptedTransport transport_;
  aws::StaticCredentialsProvider admin_;
  aws::StaticCredentialsProvider member_;
  FakeClock clock_;
  NoSleep sleeper_;
  FixedRandom random_;
  MemoryLogSink sink_;
  Logger logger_;
  aws::Client client_;
};

TEST_F(SsmCallTest, CheckRunbookSendsDescribeDocumentInTheResourceRegionAsTheMember) {
  transport_.On(JsonTarget("DescribeDocument"),
                {JsonResponse(200, R"({"Document":{"Name":"ASR-AFSBP_1.0.0_EC2.6",
                    "Status":"Active","DocumentType":"Automation","DocumentVersion":"1"}})")});

  const Result<RunbookCheck> check = CheckRunbook(client_, "eu-west-2", kDoc, Member());

  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->state, RunbookState::kActive);
  EXPECT_EQ(check->message, "");
  const Sent sent = OnlyRequest();
  EXPECT_EQ(sent.target, "AmazonSSM.DescribeDocument");
  EXPECT_EQ(sent.host, "ssm.eu-west-2.amazonaws.com");
  EXPECT_TRUE(sent.signed_by_member);
  EXPECT_EQ(sent.body, json({{"Name", kDoc}}));
}

TEST_F(SsmCallTest, CheckRunbookMapsAnswersToStates) {
  struct Case {
    const char* name;
    aws::HttpResponse response;
    RunbookState want;
    const char* want_message_part;
  };
  const std::vector<Case> cases = {
      {"active automation document",
       JsonResponse(200, R"({"Document":{"Status":"Active","DocumentType":"Automation"}})"),
       RunbookState::kActive, ""},
      {"still creating (quirk 1 fixed)",
       JsonResponse(200, R"({"Document":{"Status":"Creating","DocumentType":"Automation"}})"),
       RunbookState::kNotActive, "Status \"Creating\""},
      {"not an automation document",
       JsonResponse(200, R"({"Document":{"Status":"Active","DocumentType":"Command"}})"),
       RunbookState::kNotActive, "DocumentType \"Command\""},
      {"answer without a document", JsonResponse(200, "{}"), RunbookState::kNotActive,
       "not an active Automation document"},
      {"InvalidDocument",
       JsonError(400, "InvalidDocument", "The specified document does not exist."),
       RunbookState::kNotFound, "Document ASR-AFSBP_1.0.0_EC2.6 does not exist."},
      {"AccessDeniedException",
       JsonError(400, "AccessDeniedException",
                 "User is not authorized to perform ssm:DescribeDocument"),
       RunbookState::kAccessDenied, "not authorized"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    aws::testing::ScriptedTransport transport;
    transport.Always(c.response);
    aws::Client client(transport, admin_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                       aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}});
    const Result<RunbookCheck> check = CheckRunbook(client, "us-east-1", kDoc, Member());
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_EQ(check->state, c.want);
    EXPECT_NE(check->message.find(c.want_message_part), std::string::npos) << check->message;
  }
}

TEST_F(SsmCallTest, CheckRunbookReportsAFailedAssumeRoleAsAccessDenied) {
  DeniedCredentials denied;
  const Result<RunbookCheck> check =
      CheckRunbook(client_, "us-east-1", kDoc, aws::CallOptions{.credentials = &denied});
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->state, RunbookState::kAccessDenied);
  EXPECT_EQ(RunbookStateName(check->state), "ACCESSDENIED");
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SsmCallTest, CheckRunbookReturnsThrottlingAsARetryableError) {
  transport_.Always(JsonError(400, "ThrottlingException", "Rate exceeded"));
  const Result<RunbookCheck> check = CheckRunbook(client_, "us-east-1", kDoc, Member());
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.status().code(), StatusCode::kThrottled);
  EXPECT_TRUE(check.status().retryable());
  EXPECT_EQ(check.status().aws_error_code(), "ThrottlingException");
  EXPECT_NE(check.status().message().find("ssm.DescribeDocument ASR-AFSBP_1.0.0_EC2.6"),
            std::string::npos)
      << check.status().message();
}

TEST_F(SsmCallTest, CheckRunbookRejectsBadInputWithoutACall) {
  EXPECT_EQ(CheckRunbook(client_, "nowhere", kDoc, Member()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRunbook(client_, "us-east-1", "bad name", Member()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST(RunbookStateNameTest, NamesTheReferenceDocStates) {
  EXPECT_EQ(RunbookStateName(RunbookState::kActive), "ACTIVE");
  EXPECT_EQ(RunbookStateName(RunbookState::kNotActive), "NOTACTIVE");
  EXPECT_EQ(RunbookStateName(RunbookState::kNotFound), "NOTFOUND");
  EXPECT_EQ(RunbookStateName(RunbookState::kAccessDenied), "ACCESSDENIED");
}

StartRequest SampleStart() {
  return {.region = "eu-west-2",
          .document = kDoc,
          .finding = json::parse(R"({"Id":"arn:aws:securityhub:eu-west-2:111111111111:finding/1",
                                     "AwsAccountId":"111111111111","Title":"café"})"),
          .automation_role_arn = "arn:aws:iam::111111111111:role/SO0111-ASR-Orchestrator-Member",
          .client_token = ClientTokenFor("j-1")};
}

TEST_F(SsmCallTest, StartRunbookSendsFindingRoleAndClientToken) {
  transport_.On(
      JsonTarget("StartAutomationExecution"),
      {JsonResponse(200, std::string(R"({"AutomationExecutionId":")") + kExecId + "\"}")});
  const StartRequest request = SampleStart();

  const Result<std::string> id = StartRunbook(client_, request, Member());

  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, kExecId);
  const Sent sent = OnlyRequest();
  EXPECT_EQ(sent.target, "AmazonSSM.StartAutomationExecution");
  EXPECT_EQ(sent.host, "ssm.eu-west-2.amazonaws.com");
  EXPECT_TRUE(sent.signed_by_member);
  EXPECT_EQ(sent.body, json::parse(R"({"DocumentName": "ASR-AFSBP_1.0.0_EC2.6",
                "ClientToken": "d480b583-e293-8159-9989-eb62fb28bdec",
                "Parameters": {
                  "Finding": ["{\"AwsAccountId\":\"111111111111\",\"Id\":\"arn:aws:securityhub:eu-west-2:111111111111:finding/1\",\"Title\":\"café\"}"],
                  "AutomationAssumeRole": ["arn:aws:iam::111111111111:role/SO0111-ASR-Orchestrator-Member"]}})"));
  // The Finding parameter is the finding itself.
  EXPECT_EQ(json::parse(sent.body["Parameters"]["Finding"][0].get<std::string>()), request.finding);
}

TEST_F(SsmCallTest, StartRunbookMapsErrors) {
  struct Case {
    const char* name;
    aws::HttpResponse response;
    StatusCode want;
    bool retryable;
  };
  const std::vector<Case> cases = {
      {"token reused with other parameters",
       JsonError(400, "IdempotentParameterMismatch", "parameters differ"), StatusCode::kConflict,
       false},
      {"runbook missing",
       JsonError(400, "AutomationDefinitionNotFoundException", "no such document"),
       StatusCode::kNotFound, false},
      {"access denied", JsonError(400, "AccessDeniedException", "not authorized"),
       StatusCode::kPermissionDenied, false},
      {"throttled", JsonError(400, "ThrottlingException", "Rate exceeded"), StatusCode::kThrottled,
       true},
      {"too many automations running",
       JsonError(400, "AutomationExecutionLimitExceededException", "limit of 100 reached"),
       StatusCode::kUnavailable, true},
      {"answer without id", JsonResponse(200, "{}"), StatusCode::kInternal, false},
      {"answer with a malformed id", JsonResponse(200, R"({"AutomationExecutionId":"x"})"),
       StatusCode::kInternal, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    aws::testing::ScriptedTransport transport;
    transport.Always(c.response);
    aws::Client client(transport, admin_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                       aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}});
    const Result<std::string> id = StartRunbook(client, SampleStart(), Member());
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.status().code(), c.want) << id.status().ToString();
    EXPECT_EQ(id.status().retryable(), c.retryable);
    EXPECT_NE(id.status().message().find(kDoc), std::string::npos) << id.status().message();
  }
}

TEST_F(SsmCallTest, StartRunbookKeepsTheAwsCodeOfAMismatch) {
  transport_.Always(JsonError(400, "IdempotentParameterMismatch", "parameters differ"));
  const Result<std::string> id = StartRunbook(client_, SampleStart(), Member());
  EXPECT_EQ(id.status().aws_error_code(), "IdempotentParameterMismatch");
}

TEST_F(SsmCallTest, StartRunbookRejectsBadRequestsWithoutACall) {
  struct Case {
    const char* name;
    void (*mutate)(StartRequest&);
    const char* field;
  };
  const std::vector<Case> cases = {
      {"region", [](StartRequest& r) { r.region = ""; }, "region"},
      {"document", [](StartRequest& r) { r.document = "ASR X"; }, "document"},
      {"token", [](StartRequest& r) { r.client_token = "j-1"; }, "client token"},
      {"role", [](StartRequest& r) { r.automation_role_arn = "SO0111-X"; }, "automation role"},
      {"finding", [](StartRequest& r) { r.finding = json::array(); }, "finding"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    StartRequest request = SampleStart();
    c.mutate(request);
    const Result<std::string> id = StartRunbook(client_, request, Member());
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(id.status().message().find(c.field), std::string::npos) << id.status().message();
  }
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SsmCallTest, PollRunbookFiltersByExecutionIdAndInterpretsTheFirstItem) {
  transport_.On(JsonTarget("DescribeAutomationExecutions"),
                {JsonResponse(200, R"({"AutomationExecutionMetadataList":[{
                    "AutomationExecutionId":"0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c",
                    "DocumentName":"ASR-AFSBP_1.0.0_EC2.6","AutomationExecutionStatus":"Success",
                    "ExecutionStartTime":1.8e9,
                    "Outputs":{"ParseInput.AffectedObject":["{\"Type\":\"AwsEc2Vpc\",\"Id\":\"vpc-1\"}"],
                               "Remediation.Output":["{\"status\":\"SUCCESS\",\"message\":\"Flow logs on\"}"]}}]})")});

  const Result<ExecutionResult> result = PollRunbook(client_, "eu-west-2", kExecId, Member());

  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->succeeded);
  EXPECT_EQ(result->message, "Flow logs on");
  EXPECT_EQ(result->affected_object, "AwsEc2Vpc vpc-1");
  EXPECT_EQ(OutcomeState(*result), "SUCCESS");
  const Sent sent = OnlyRequest();
  EXPECT_EQ(sent.target, "AmazonSSM.DescribeAutomationExecutions");
  EXPECT_EQ(sent.host, "ssm.eu-west-2.amazonaws.com");
  EXPECT_TRUE(sent.signed_by_member);
  EXPECT_EQ(sent.body, json::parse(R"({"Filters":[{"Key":"ExecutionId",
                                        "Values":["0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c"]}]})"));
}

TEST_F(SsmCallTest, PollRunbookReportsErrors) {
  struct Case {
    const char* name;
    aws::HttpResponse response;
    StatusCode want;
  };
  const std::vector<Case> cases = {
      {"no such execution", JsonResponse(200, R"({"AutomationExecutionMetadataList":[]})"),
       StatusCode::kNotFound},
      {"no list", JsonResponse(200, "{}"), StatusCode::kNotFound},
      {"throttled", JsonError(400, "ThrottlingException", "Rate exceeded"), StatusCode::kThrottled},
      {"access denied", JsonError(400, "AccessDeniedException", "no"),
       StatusCode::kPermissionDenied},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    aws::testing::ScriptedTransport transport;
    transport.Always(c.response);
    aws::Client client(transport, admin_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_,
                       aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}});
    const Result<ExecutionResult> result = PollRunbook(client, "us-east-1", kExecId, Member());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), c.want) << result.status().ToString();
    EXPECT_NE(result.status().message().find(kExecId), std::string::npos)
        << result.status().message();
  }
}

TEST_F(SsmCallTest, PollRunbookRejectsBadInputWithoutACall) {
  EXPECT_EQ(PollRunbook(client_, "us-east-1", "not-an-id", Member()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PollRunbook(client_, "mars-1", kExecId, Member()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace asr::backend
