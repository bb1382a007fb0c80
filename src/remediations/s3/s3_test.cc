// Unit tests of the S3 remediations: Resolve tables, policy analysis of SetSSLBucketPolicy,
// parameter checks, error propagation and the S3 request details moto does not check
// (ExpectedBucketOwner). End-to-end behaviour is covered against moto in
// tests/integration/remediations/s3_test.py.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/testing/scripted_transport.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/runner.h"
#include "remediation/testing/harness.h"

namespace asr::remediation {
namespace {

using aws::HttpRequest;
using aws::HttpResponse;
using aws::testing::ScriptedTransport;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kAccount = "111111111111";

// S3 REST request: method and sub-resource in the query ("policy", "publicAccessBlock", ...).
ScriptedTransport::Matcher S3Op(std::string method, std::string subresource) {
  return [method = std::move(method), sub = std::move(subresource)](const HttpRequest& r) {
    if (r.method != method) {
      return false;
    }
    const std::vector<std::string_view> items = Split(r.query, '&');
    return std::any_of(items.begin(), items.end(), [&](std::string_view item) {
      return item == sub || item.starts_with(sub + "=");
    });
  };
}

HttpResponse Xml(const std::string& body) { return aws::testing::XmlResponse(200, body); }
HttpResponse Empty(int status = 204) { return {.status = status, .headers = {}, .body = ""}; }
HttpResponse PolicyBody(const std::string& policy) {
  return {.status = 200, .headers = {{"Content-Type", "application/json"}}, .body = policy};
}

std::string PabXml(bool acls, bool ignore, bool policy, bool restrict) {
  const auto b = [](bool v) { return v ? "true" : "false"; };
  return std::string("<PublicAccessBlockConfiguration><BlockPublicAcls>") + b(acls) +
         "</BlockPublicAcls><IgnorePublicAcls>" + b(ignore) +
         "</IgnorePublicAcls><BlockPublicPolicy>" + b(policy) +
         "</BlockPublicPolicy><RestrictPublicBuckets>" + b(restrict) +
         "</RestrictPublicBuckets></PublicAccessBlockConfiguration>";
}

std::string EncryptionXml(const std::string& algorithm, const std::string& key = "") {
  return "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
         "<SSEAlgorithm>" +
         algorithm + "</SSEAlgorithm>" +
         (key.empty() ? "" : "<KMSMasterKeyID>" + key + "</KMSMasterKeyID>") +
         "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
}

Target BucketTarget(const std::string& control, const std::string& resource_id,
                    const std::string& partition = "aws") {
  return {.account_id = kAccount,
          .region = "us-east-1",
          .partition = partition,
          .control_id = control,
          .resource_type = "AwsS3Bucket",
          .resource_id = resource_id};
}

class S3RemediationTest : public ::testing::Test {
 protected:
  ScriptedTransport& Reset() { return h_.ResetTransport(); }
  ScriptedTransport& transport() { return h_.transport(); }
  static int MutatingCalls(const RunRecord& record) {
    return testing::RemediationHarness::MutatingCalls(record);
  }
  static const Remediation& Find(std::string_view id) {
    const Remediation* r = testing::RemediationHarness::Get(std::string(id));
    EXPECT_NE(r, nullptr) << id;
    return *r;
  }
  RunRecord RunOne(std::string_view id, const Target& target, RunMode mode,
                   const json& overrides = json::object()) {
    return h_.RunOne(std::string(id), target, mode, overrides);
  }

  testing::RemediationHarness h_;
};

TEST_F(S3RemediationTest, RegistryDeclaresControlsResourceTypesAndPermissions) {
  struct Case {
    std::string id;
    std::vector<std::string> controls;
    std::string resource_type;
    std::vector<std::string> permissions;
  };
  const std::vector<Case> cases = {
      {"ConfigureS3BucketPublicAccessBlock",
       {"S3.2", "S3.3", "S3.8", "CloudTrail.6"},
       "AwsS3Bucket",
       {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"}},
      {"ConfigureS3PublicAccessBlock",
       {"S3.1"},
       "AwsAccount",
       {"s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"}},
      {"SetSSLBucketPolicy",
       {"S3.5"},
       "AwsS3Bucket",
       {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}},
      {"EnableDefaultEncryptionS3",
       {"S3.4"},
       "AwsS3Bucket",
       {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "kms:DescribeKey"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    const RemediationSpec& spec = Find(c.id).spec();
    std::vector<std::string> controls;
    for (const ControlBinding& b : spec.controls) {
      controls.push_back(b.control_id);
    }
    EXPECT_EQ(controls, c.controls);
    EXPECT_EQ(spec.resource_type, c.resource_type);
    EXPECT_EQ(spec.permissions, c.permissions);
    EXPECT_EQ(spec.reversible, Reversible::kYes);
  }
}

TEST_F(S3RemediationTest, ResolveBucketRemediationsAcceptOnlyBucketArnsOfTheFindingsPartition) {
  struct Case {
    std::string name;
    std::string resource_id;
    std::string partition;
    std::string want_bucket;  // "" = InvalidArgument
    std::string want_error;
  };
  const std::vector<Case> cases = {
      {"bucket", "arn:aws:s3:::my-bucket", "aws", "my-bucket", ""},
      {"dotted bucket", "arn:aws:s3:::logs.example.com", "aws", "logs.example.com", ""},
      {"legacy us-east-1 name", "arn:aws:s3:::Legacy_Bucket", "aws", "Legacy_Bucket", ""},
      {"china partition", "arn:aws-cn:s3:::cn-bucket", "aws-cn", "cn-bucket", ""},
      {"govcloud partition", "arn:aws-us-gov:s3:::gov-bucket", "aws-us-gov", "gov-bucket", ""},
      {"partition differs from the finding's", "arn:aws-cn:s3:::cn-bucket", "aws", "", "partition"},
      {"object ARN", "arn:aws:s3:::my-bucket/some/key", "aws", "", "bucket name"},
      {"other service", "arn:aws:sqs:us-east-1:111111111111:q", "aws", "", "not a s3 ARN"},
      {"access point in another account", "arn:aws:s3:us-east-1:999999999999:accesspoint/ap", "aws",
       "", "999999999999"},
      {"too short", "arn:aws:s3:::ab", "aws", "", "bucket name"},
      {"no bucket", "arn:aws:s3:::", "aws", "", "does not name"},
      {"bare name", "my-bucket", "aws", "", "not an ARN"},
      {"garbage", "%%%", "aws", "", "not an ARN"},
  };
  for (const std::string id :
       {"ConfigureS3BucketPublicAccessBlock", "SetSSLBucketPolicy", "EnableDefaultEncryptionS3"}) {
    const Remediation& r = Find(id);
    for (const Case& c : cases) {
      SCOPED_TRACE(id + std::string(": ") + c.name);
      const Result<json> got = r.Resolve(BucketTarget("S3.2", c.resource_id, c.partition));
      if (c.want_bucket.empty()) {
        ASSERT_FALSE(got.ok());
        EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
        EXPECT_THAT(got.status().message(), HasSubstr(c.want_error));
      } else {
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ((*got)["Bucket"], c.want_bucket);
        EXPECT_EQ((*got)["ExpectedBucketOwner"], kAccount);
      }
    }
  }
}

TEST_F(S3RemediationTest, SetSSLBucketPolicyBuildsArnsInTheFindingsPartition) {
  const Result<json> got =
      Find("SetSSLBucketPolicy").Resolve(BucketTarget("S3.5", "arn:aws-cn:s3:::b-cn", "aws-cn"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)["BucketArn"], "arn:aws-cn:s3:::b-cn");
}

TEST_F(S3RemediationTest, ResolveAccountLevelNeedsTheFindingsAccount) {
  struct Case {
    std::string name;
    std::string account;
    std::string resource_id;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"account resource", kAccount, "AWS::::Account:111111111111", true},
      {"bucket of the account", kAccount, "arn:aws:s3:::some-bucket", true},
      {"other account resource", kAccount, "AWS::::Account:999999999999", false},
      {"ARN of another account", kAccount, "arn:aws:iam::999999999999:root", false},
      {"account id not 12 digits", "1234", "AWS::::Account:1234", false},
      {"empty account", "", "AWS::::Account:", false},
  };
  const Remediation& r = Find("ConfigureS3PublicAccessBlock");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Target t = BucketTarget("S3.1", c.resource_id);
    t.account_id = c.account;
    t.resource_type = "AwsAccount";
    const Result<json> got = r.Resolve(t);
    EXPECT_EQ(got.ok(), c.ok) << (got.ok() ? got->dump() : got.status().ToString());
    if (got.ok()) {
      EXPECT_EQ((*got)["AccountId"], c.account);
    } else {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

// SetSSLBucketPolicy decides compliance from the policy; each case is one policy.
TEST_F(S3RemediationTest, SetSSLBucketPolicyRecognisesEquivalentDenyStatements) {
  const std::string b = "arn:aws:s3:::my-bucket";
  const std::string cond = R"("Condition":{"Bool":{"aws:SecureTransport":"false"}})";
  const auto stmt = [&](const std::string& body) {
    return R"({"Version":"2012-10-17","Statement":[)" + body + "]}";
  };
  struct Case {
    std::string name;
    std::optional<std::string> policy;  // nullopt = no policy
    bool compliant;
  };
  const std::vector<Case> cases = {
      {"no policy", std::nullopt, false},
      {"reference statement",
       stmt(R"({"Sid":"AllowSSLRequestsOnly","Effect":"Deny","Principal":"*","Action":"s3:*",)"
            R"("Resource":[")" +
            b + R"(",")" + b + R"(/*"],)" + cond + "}"),
       true},
      {"other Sid, AWS * principal, boolean false, single object statement",
       R"({"Version":"2012-10-17","Statement":{"Sid":"TLS","Effect":"Deny",)"
       R"("Principal":{"AWS":["*"]},"Action":["s3:*"],"Resource":[")" +
           b + R"(",")" + b + R"(/*"],"Condition":{"Bool":{"aws:securetransport":false}}}})",
       true},
      {"two statements, one per resource",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":")" + b + R"(",)" +
            cond + R"(},{"Effect":"Deny","Principal":"*","Action":"*","Resource":")" + b +
            R"(/*",)" + cond + "}"),
       true},
      {"wildcard resources",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::my-b*",)" +
            cond + "}"),
       true},
      {"BoolIfExists",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",)"
            R"("Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}})"),
       true},
      {"objects only",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":")" + b + R"(/*",)" +
            cond + "}"),
       false},
      {"one-character key pattern does not cover every object",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":[")" + b + R"(",")" + b +
            R"(/?"],)" + cond + "}"),
       false},
      {"allow, not deny",
       stmt(R"({"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*",)" + cond + "}"),
       false},
      {"some actions only",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*",)" + cond +
            "}"),
       false},
      {"narrowed by another condition",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",)"
            R"("Condition":{"Bool":{"aws:SecureTransport":"false"},)"
            R"("StringEquals":{"aws:SourceVpc":"vpc-1"}}})"),
       false},
      {"one principal only",
       stmt(R"({"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:root"},)"
            R"("Action":"s3:*","Resource":"*",)" +
            cond + "}"),
       false},
      {"NotPrincipal",
       stmt(R"({"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},)"
            R"("Principal":"*","Action":"s3:*","Resource":"*",)" +
            cond + "}"),
       false},
      {"TLS version condition is not the same",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",)"
            R"("Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}})"),
       false},
      {"SecureTransport true",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*",)"
            R"("Resource":"*","Condition":{"Bool":)"
            R"({"aws:SecureTransport":"true"}}})"),
       false},
      {"another bucket",
       stmt(R"({"Effect":"Deny","Principal":"*","Action":"s3:*",)"
            R"("Resource":["arn:aws:s3:::other","arn:aws:s3:::other/*"],)" +
            cond + "}"),
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    if (c.policy) {
      transport().On(S3Op("GET", "policy"), {PolicyBody(*c.policy)});
    } else {
      transport().On(S3Op("GET", "policy"),
                     {aws::testing::S3Error(404, "NoSuchBucketPolicy", "none")});
    }
    const RunRecord r = RunOne("SetSSLBucketPolicy", BucketTarget("S3.5", b), RunMode::kDryRun);
    ASSERT_TRUE(r.error.ok()) << r.error.ToString();
    EXPECT_EQ(r.outcome, c.compliant ? Outcome::kAlreadyCompliant : Outcome::kDryRun);
    EXPECT_EQ(MutatingCalls(r), 0);
  }
}

TEST_F(S3RemediationTest, SetSSLBucketPolicyAppendsToThePolicyAsItIsWithAFreeSid) {
  const std::string existing =
      R"({"Version":"2012-10-17","Id":"keep-me","Statement":[{"Sid":"AllowSSLRequestsOnly",)"
      R"("Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},)"
      R"("Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/*"}]})";
  const std::string after =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",)"
      R"("Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})";
  // Plan and apply read the existing policy; verify reads the new one.
  transport().On(S3Op("GET", "policy"),
                 {PolicyBody(existing), PolicyBody(existing), PolicyBody(after)});
  transport().On(S3Op("PUT", "policy"), {Empty()});
  const RunRecord r =
      RunOne("SetSSLBucketPolicy", BucketTarget("S3.5", "arn:aws:s3:::my-bucket"), RunMode::kApply);
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error.ToString();

  std::optional<HttpRequest> put;
  for (const HttpRequest& req : transport().requests()) {
    if (req.method == "PUT") {
      put = req;
    }
  }
  ASSERT_TRUE(put.has_value());
  const nlohmann::ordered_json sent = nlohmann::ordered_json::parse(put->body);
  // The existing members keep their order and content; the statement is appended.
  EXPECT_EQ(sent.begin().key(), "Version");
  EXPECT_EQ(sent["Id"], "keep-me");
  ASSERT_EQ(sent["Statement"].size(), 2U);
  EXPECT_EQ(sent["Statement"][0]["Effect"], "Allow");
  EXPECT_EQ(sent["Statement"][1]["Sid"], "AllowSSLRequestsOnly2");
  EXPECT_EQ(sent["Statement"][1]["Effect"], "Deny");
  EXPECT_EQ(sent["Statement"][1]["Resource"],
            json::array({"arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"}));
  EXPECT_EQ(sent["Statement"][1]["Condition"],
            json::parse(R"({"Bool":{"aws:SecureTransport":"false"}})"));
  // Undo data: the exact previous text and the added statement.
  ASSERT_TRUE(r.applied.has_value());
  EXPECT_EQ(r.applied->before["Policy"], existing);
  EXPECT_EQ(r.applied->before["Added"]["Sid"], "AllowSSLRequestsOnly2");
}

TEST_F(S3RemediationTest, EveryBucketRequestNamesTheExpectedOwner) {
  transport().On(S3Op("GET", "publicAccessBlock"),
                 {aws::testing::S3Error(404, "NoSuchPublicAccessBlockConfiguration", "none"),
                  aws::testing::S3Error(404, "NoSuchPublicAccessBlockConfiguration", "none"),
                  Xml(PabXml(true, true, true, true))});
  transport().On(S3Op("PUT", "publicAccessBlock"), {Empty(200)});
  const RunRecord r = RunOne("ConfigureS3BucketPublicAccessBlock",
                             BucketTarget("S3.2", "arn:aws:s3:::my-bucket"), RunMode::kApply);
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error.ToString();
  const std::vector<HttpRequest> sent = transport().requests();
  ASSERT_EQ(sent.size(), 4U);
  for (const HttpRequest& req : sent) {
    SCOPED_TRACE(req.method + " " + req.host + req.path + "?" + req.query);
    const std::string* owner = req.FindHeader("x-amz-expected-bucket-owner");
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(*owner, kAccount);
  }
}

TEST_F(S3RemediationTest, PublicAccessBlockNeverTurnsAFlagOff) {
  // BlockPublicPolicy=false means "not required": the flag stays on, the others get turned on.
  transport().On(S3Op("GET", "publicAccessBlock"),
                 {Xml(PabXml(false, false, true, false)), Xml(PabXml(false, false, true, false)),
                  Xml(PabXml(true, true, true, true))});
  transport().On(S3Op("PUT", "publicAccessBlock"), {Empty(200)});
  const RunRecord r =
      RunOne("ConfigureS3BucketPublicAccessBlock", BucketTarget("S3.2", "arn:aws:s3:::my-bucket"),
             RunMode::kApply, {{"BlockPublicPolicy", false}});
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error.ToString();
  ASSERT_TRUE(r.applied.has_value());
  EXPECT_EQ(r.applied->before["TurnedOn"],
            json::array({"BlockPublicAcls", "IgnorePublicAcls", "RestrictPublicBuckets"}));
  for (const HttpRequest& req : transport().requests()) {
    if (req.method == "PUT") {
      EXPECT_THAT(req.body, HasSubstr("<BlockPublicPolicy>true</BlockPublicPolicy>"));
      EXPECT_THAT(req.body, HasSubstr("<BlockPublicAcls>true</BlockPublicAcls>"));
    }
  }
}

TEST_F(S3RemediationTest, AwsErrorsKeepTheirCodeAndRetryability) {
  struct Case {
    std::string name;
    std::string id;
    std::string control;
    std::string resource_id;
    std::string subresource;  // "" = account level (s3control)
    HttpResponse error;
    StatusCode want_code;
    bool want_retryable;
  };
  const std::vector<Case> cases = {
      {"bucket PAB access denied", "ConfigureS3BucketPublicAccessBlock", "S3.2", "arn:aws:s3:::b-1",
       "publicAccessBlock", aws::testing::S3Error(403, "AccessDenied", "no"),
       StatusCode::kPermissionDenied, false},
      {"bucket owned by another account", "SetSSLBucketPolicy", "S3.5", "arn:aws:s3:::b-1",
       "policy", aws::testing::S3Error(403, "AccessDenied", "owner mismatch"),
       StatusCode::kPermissionDenied, false},
      {"policy throttled", "SetSSLBucketPolicy", "S3.5", "arn:aws:s3:::b-1", "policy",
       aws::testing::S3Error(503, "SlowDown", "slow"), StatusCode::kThrottled, true},
      {"missing bucket", "EnableDefaultEncryptionS3", "S3.4", "arn:aws:s3:::b-1", "encryption",
       aws::testing::S3Error(404, "NoSuchBucket", "gone"), StatusCode::kNotFound, false},
      {"account PAB access denied", "ConfigureS3PublicAccessBlock", "S3.1",
       "AWS::::Account:111111111111", "", aws::testing::S3Error(403, "AccessDenied", "no"),
       StatusCode::kPermissionDenied, false},
      {"account PAB throttled", "ConfigureS3PublicAccessBlock", "S3.1",
       "AWS::::Account:111111111111", "", aws::testing::S3Error(503, "SlowDown", "slow"),
       StatusCode::kThrottled, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    if (c.subresource.empty()) {
      transport().Always(c.error);
    } else {
      transport().On(S3Op("GET", c.subresource), {c.error});
    }
    const RunRecord r = RunOne(c.id, BucketTarget(c.control, c.resource_id), RunMode::kApply);
    EXPECT_EQ(r.outcome, Outcome::kFailed);
    EXPECT_EQ(r.failed_phase, "plan");
    EXPECT_EQ(r.error.code(), c.want_code) << r.error.ToString();
    EXPECT_EQ(r.error.retryable(), c.want_retryable) << r.error.ToString();
    EXPECT_EQ(MutatingCalls(r), 0);
  }
}

TEST_F(S3RemediationTest, EnableDefaultEncryptionS3ParameterChoosesTheRule) {
  const std::string key_arn =
      "arn:aws:kms:us-east-1:111111111111:key/0b5f6c4e-3d2a-4f1b-9c8d-7e6f5a4b3c2d";
  struct Case {
    std::string name;
    std::string alias;
    std::string want_algorithm;  // "" = InvalidArgument
    std::string want_key;
  };
  const std::vector<Case> cases = {
      {"default means SSE-S3", "default-s3-encryption", "AES256", ""},
      {"bare alias name", "my-key", "aws:kms", "alias/my-key"},
      {"alias/ form", "alias/team/key", "aws:kms", "alias/team/key"},
      {"key id", "0b5f6c4e-3d2a-4f1b-9c8d-7e6f5a4b3c2d", "aws:kms",
       "0b5f6c4e-3d2a-4f1b-9c8d-7e6f5a4b3c2d"},
      {"key ARN in the bucket's region", key_arn, "aws:kms", key_arn},
      {"key ARN in another region",
       "arn:aws:kms:eu-west-1:111111111111:key/0b5f6c4e-3d2a-4f1b-9c8d-7e6f5a4b3c2d", "", ""},
      {"not a KMS ARN", "arn:aws:iam::111111111111:role/x", "", ""},
      {"empty", "", "", ""},
      {"spaces", "my key", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    transport().On(
        S3Op("GET", "encryption"),
        {aws::testing::S3Error(404, "ServerSideEncryptionConfigurationNotFoundError", "none")});
    transport().On(aws::testing::JsonTarget("DescribeKey"),
                   {aws::testing::JsonResponse(
                       200, R"({"KeyMetadata":{"KeyId":"k","KeyState":"Enabled",)"
                            R"("KeySpec":"SYMMETRIC_DEFAULT","KeyUsage":"ENCRYPT_DECRYPT"}})")});
    const RunRecord r =
        RunOne("EnableDefaultEncryptionS3", BucketTarget("S3.4", "arn:aws:s3:::my-bucket"),
               RunMode::kDryRun, {{"KmsKeyAlias", c.alias}});
    if (c.want_algorithm.empty()) {
      EXPECT_EQ(r.outcome, Outcome::kFailed);
      EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument) << r.error.ToString();
      EXPECT_THAT(r.error.message(), HasSubstr("KmsKeyAlias"));
      EXPECT_TRUE(r.calls.empty());
      continue;
    }
    ASSERT_EQ(r.outcome, Outcome::kDryRun) << r.error.ToString();
    ASSERT_TRUE(r.plan.has_value());
    ASSERT_EQ(r.plan->changes.size(), 1U);
    const json by_default = r.plan->changes[0].detail["ServerSideEncryptionConfiguration"]["Rules"]
                                                     [0]["ApplyServerSideEncryptionByDefault"];
    EXPECT_EQ(by_default["SSEAlgorithm"], c.want_algorithm);
    EXPECT_EQ(by_default.value("KMSMasterKeyID", ""), c.want_key);
  }
}

TEST_F(S3RemediationTest, EnableDefaultEncryptionS3ComplianceDependsOnWhatIsAsked) {
  struct Case {
    std::string name;
    std::string alias;
    std::string current_xml;  // "" = no configuration
    bool compliant;
  };
  const std::vector<Case> cases = {
      {"SSE-S3 default satisfies no preference", "default-s3-encryption", EncryptionXml("AES256"),
       true},
      {"KMS is never downgraded to SSE-S3", "default-s3-encryption",
       EncryptionXml("aws:kms", "alias/app"), true},
      {"no configuration gets SSE-S3", "default-s3-encryption", "", false},
      {"SSE-S3 is upgraded when a key is asked for", "my-key", EncryptionXml("AES256"), false},
      {"the owner's KMS key is kept", "my-key", EncryptionXml("aws:kms", "alias/app"), true},
      {"DSSE-KMS is kept", "my-key", EncryptionXml("aws:kms:dsse"), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    if (c.current_xml.empty()) {
      transport().On(
          S3Op("GET", "encryption"),
          {aws::testing::S3Error(404, "ServerSideEncryptionConfigurationNotFoundError", "none")});
    } else {
      transport().On(S3Op("GET", "encryption"), {Xml(c.current_xml)});
    }
    transport().On(
        aws::testing::JsonTarget("DescribeKey"),
        {aws::testing::JsonResponse(200, R"({"KeyMetadata":{"KeyId":"k","KeyState":"Enabled"}})")});
    const RunRecord r =
        RunOne("EnableDefaultEncryptionS3", BucketTarget("S3.4", "arn:aws:s3:::my-bucket"),
               RunMode::kDryRun, {{"KmsKeyAlias", c.alias}});
    EXPECT_EQ(r.outcome, c.compliant ? Outcome::kAlreadyCompliant : Outcome::kDryRun)
        << r.error.ToString();
  }
}

TEST_F(S3RemediationTest, EnableDefaultEncryptionS3RefusesAKeyThatCannotEncrypt) {
  struct Case {
    std::string name;
    HttpResponse describe;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"missing key", aws::testing::JsonError(400, "NotFoundException", "Alias not found"),
       "does not exist"},
      {"disabled key",
       aws::testing::JsonResponse(200, R"({"KeyMetadata":{"KeyId":"k","KeyState":"Disabled"}})"),
       "Disabled"},
      {"asymmetric key",
       aws::testing::JsonResponse(200, R"({"KeyMetadata":{"KeyId":"k","KeyState":"Enabled",)"
                                       R"("KeySpec":"RSA_2048","KeyUsage":"ENCRYPT_DECRYPT"}})"),
       "symmetric"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reset();
    transport().On(S3Op("GET", "encryption"), {Xml(EncryptionXml("AES256"))});
    transport().On(aws::testing::JsonTarget("DescribeKey"), {c.describe});
    const RunRecord r =
        RunOne("EnableDefaultEncryptionS3", BucketTarget("S3.4", "arn:aws:s3:::my-bucket"),
               RunMode::kApply, {{"KmsKeyAlias", "alias/team"}});
    EXPECT_EQ(r.outcome, Outcome::kFailed);
    EXPECT_EQ(r.failed_phase, "plan");
    EXPECT_EQ(r.error.code(), StatusCode::kFailedPrecondition) << r.error.ToString();
    EXPECT_THAT(r.error.message(), HasSubstr(c.want));
    EXPECT_EQ(MutatingCalls(r), 0);
  }
}

TEST_F(S3RemediationTest, UndoRejectsAMalformedBeforeStateWithoutAnyCall) {
  struct Case {
    std::string id;
    json resource;
    json before;
  };
  const json bucket = {{"Bucket", "my-bucket"},
                       {"ExpectedBucketOwner", kAccount},
                       {"BucketArn", "arn:aws:s3:::my-bucket"}};
  const std::vector<Case> cases = {
      {"ConfigureS3BucketPublicAccessBlock", bucket, json::object()},
      {"ConfigureS3BucketPublicAccessBlock", bucket, {{"TurnedOn", "BlockPublicAcls"}}},
      {"ConfigureS3PublicAccessBlock", {{"AccountId", kAccount}}, json::array()},
      {"SetSSLBucketPolicy", bucket, {{"Added", json::object()}}},
      {"SetSSLBucketPolicy", bucket, {{"Added", json::object()}, {"Policy", 5}}},
      {"EnableDefaultEncryptionS3", bucket, {{"Applied", nullptr}}},
      {"EnableDefaultEncryptionS3", bucket, "text"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id + " " + c.before.dump());
    Reset();
    RunRecord record;
    record.remediation_id = c.id;
    record.target = BucketTarget("S3.2", "arn:aws:s3:::my-bucket");
    record.resource = c.resource;
    record.outcome = Outcome::kSuccess;
    record.applied = Applied{.before = c.before, .changes = {}};
    const Result<RunRecord> got = h_.UndoOne(c.id, record);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << got.status().ToString();
    EXPECT_TRUE(transport().requests().empty());
  }
}

}  // namespace
}  // namespace asr::remediation
