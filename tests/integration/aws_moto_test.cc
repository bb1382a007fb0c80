// The AWS client against moto (run through run_with_moto.py, which sets AWS_ENDPOINT_URL and test
// credentials). Every protocol gets a read, a write and an error; plus pagination, cross-account
// AssumeRole, and (with --auth) signature checking.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/curl_transport.h"
#include "aws/sts.h"

namespace asr::aws {
namespace {

using nlohmann::json;

std::string Env(const char* name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): tests read the environment before threads start.
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

class MotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("MOTO_ENDPOINT").empty()) << "run through tests/integration/run_with_moto.py";
    Result<std::unique_ptr<CurlTransport>> t = CurlTransport::Create();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    transport_ = std::move(t).value();
    credentials_ = std::make_unique<EnvironmentCredentialsProvider>(ProcessEnv());
    ClientOptions o;
    o.region = "us-east-1";
    o.endpoints.global = Env("MOTO_ENDPOINT");
    o.retry.max_attempts = 2;
    client_ = std::make_unique<Client>(*transport_, *credentials_, BuiltinModels(), clock_,
                                       sleeper_, random_, nullptr, o);
  }

  json Call(const std::string& service, const std::string& op, const json& params) {
    Result<json> r = client_->Call(service, op, params);
    EXPECT_TRUE(r.ok()) << service << "." << op << ": " << r.status().ToString();
    return r.ok() ? *r : json();
  }

  Status CallError(const std::string& service, const std::string& op, const json& params) {
    Result<json> r = client_->Call(service, op, params);
    EXPECT_FALSE(r.ok()) << service << "." << op << " unexpectedly succeeded: " << r->dump();
    return r.status();
  }

  SystemClock clock_;
  ThreadSleeper sleeper_;
  SystemRandom random_;
  std::unique_ptr<CurlTransport> transport_;
  std::unique_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<Client> client_;
};

TEST_F(MotoTest, QueryProtocolReadWriteAndError) {
  EXPECT_EQ(Call("sts", "GetCallerIdentity", json::object())["Account"], "123456789012");
  for (const char* name : {"asr-it-a", "asr-it-b", "asr-it-c"}) {
    EXPECT_EQ(Call("iam", "CreateUser", {{"UserName", name}})["User"]["UserName"], name);
  }
  const Status missing = CallError("iam", "GetUser", {{"UserName", "no-such-user"}});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.aws_error_code(), "NoSuchEntity");
  EXPECT_FALSE(missing.retryable());
}

TEST_F(MotoTest, Ec2ProtocolNestedListsRoundTrip) {
  const json vpc = Call("ec2", "CreateVpc", {{"CidrBlock", "10.1.0.0/16"}});
  const std::string vpc_id = vpc["Vpc"]["VpcId"];
  const json sg = Call("ec2", "CreateSecurityGroup",
                       {{"GroupName", "asr-it"}, {"Description", "asr"}, {"VpcId", vpc_id}});
  const std::string group_id = sg["GroupId"];
  Call("ec2", "AuthorizeSecurityGroupIngress",
       {{"GroupId", group_id},
        {"IpPermissions",
         {{{"IpProtocol", "tcp"},
           {"FromPort", 22},
           {"ToPort", 22},
           {"IpRanges", {{{"CidrIp", "0.0.0.0/0"}, {"Description", "ssh"}}}}}}}});
  json described = Call("ec2", "DescribeSecurityGroups", {{"GroupIds", {group_id}}});
  ASSERT_EQ(described["SecurityGroups"].size(), 1u);
  const json& perms = described["SecurityGroups"][0]["IpPermissions"];
  ASSERT_EQ(perms.size(), 1u);
  EXPECT_EQ(perms[0]["FromPort"], 22);
  EXPECT_EQ(perms[0]["IpRanges"][0]["CidrIp"], "0.0.0.0/0");
  Call("ec2", "RevokeSecurityGroupIngress",
       {{"GroupId", group_id},
        {"IpPermissions",
         {{{"IpProtocol", "tcp"},
           {"FromPort", 22},
           {"ToPort", 22},
           {"IpRanges", {{{"CidrIp", "0.0.0.0/0"}}}}}}}});
  described = Call("ec2", "DescribeSecurityGroups", {{"GroupIds", {group_id}}});
  EXPECT_TRUE(described["SecurityGroups"][0]["IpPermissions"].empty());
  const Status missing = CallError("ec2", "DescribeSecurityGroups", {{"GroupIds", {"sg-0000"}}});
  EXPECT_EQ(missing.aws_error_code(), "InvalidGroup.NotFound");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

TEST_F(MotoTest, JsonProtocolsReadWriteAndError) {
  Call("dynamodb", "CreateTable",
       {{"TableName", "asr-it"},
        {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
        {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
        {"BillingMode", "PAY_PER_REQUEST"}});
  Call("dynamodb", "PutItem",
       {{"TableName", "asr-it"},
        {"Item", {{"pk", {{"S", "k1"}}}, {"n", {{"N", "42"}}}, {"l", {{"L", {{{"S", "x"}}}}}}}}});
  const json item =
      Call("dynamodb", "GetItem", {{"TableName", "asr-it"}, {"Key", {{"pk", {{"S", "k1"}}}}}});
  EXPECT_EQ(item["Item"]["n"]["N"], "42");
  EXPECT_EQ(item["Item"]["l"]["L"][0]["S"], "x");
  const Status missing =
      CallError("dynamodb", "GetItem", {{"TableName", "nope"}, {"Key", {{"pk", {{"S", "k"}}}}}});
  EXPECT_EQ(missing.aws_error_code(), "ResourceNotFoundException");

  // json 1.1
  Call("logs", "CreateLogGroup", {{"logGroupName", "SO0111-ASR"}});
  const json groups = Call("logs", "DescribeLogGroups", {{"logGroupNamePrefix", "SO0111"}});
  ASSERT_EQ(groups["logGroups"].size(), 1u);
  EXPECT_EQ(groups["logGroups"][0]["logGroupName"], "SO0111-ASR");
  const Status exists = CallError("logs", "CreateLogGroup", {{"logGroupName", "SO0111-ASR"}});
  EXPECT_EQ(exists.aws_error_code(), "ResourceAlreadyExistsException");
}

TEST_F(MotoTest, PaginatorFollowsTokensAcrossPages) {
  for (const char* name : {"/asr/page/a", "/asr/page/b", "/asr/page/c"}) {
    Call("logs", "CreateLogGroup", {{"logGroupName", name}});
  }
  int pages = 0;
  std::vector<std::string> names;
  const Status s = client_->Paginate("logs", "DescribeLogGroups",
                                     {{"logGroupNamePrefix", "/asr/page/"}, {"limit", 1}},
                                     [&](const json& page) {
                                       ++pages;
                                       for (const json& g : page["logGroups"]) {
                                         names.push_back(g["logGroupName"]);
                                       }
                                       return Status::Ok();
                                     });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"/asr/page/a", "/asr/page/b", "/asr/page/c"}));
  const Result<json> all = client_->PaginateAll(
      "logs", "DescribeLogGroups", {{"logGroupNamePrefix", "/asr/page/"}, {"limit", 1}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["logGroups"].size(), 3u);
  EXPECT_FALSE(all->contains("nextToken"));
}

TEST_F(MotoTest, RestJsonProtocolLabelsAndErrors) {
  const json topics = Call("lambda", "ListFunctions", json::object());
  EXPECT_TRUE(topics.contains("Functions"));
  const Status missing = CallError("lambda", "GetPolicy", {{"FunctionName", "no-such-fn"}});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.aws_error_code(), "ResourceNotFoundException");
  const Status missing_perm = CallError("lambda", "RemovePermission",
                                        {{"FunctionName", "no-such-fn"}, {"StatementId", "s1"}});
  EXPECT_EQ(missing_perm.code(), StatusCode::kNotFound);
}

TEST_F(MotoTest, RestXmlS3AndS3Control) {
  Call("s3", "CreateBucket", {{"Bucket", "asr-it-bucket"}});
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Sid":"DenyHttp","Effect":"Deny","Principal":"*",)"
      R"("Action":"s3:*","Resource":"arn:aws:s3:::asr-it-bucket/*",)"
      R"("Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})";
  Call("s3", "PutBucketPolicy", {{"Bucket", "asr-it-bucket"}, {"Policy", policy}});
  const json got = Call("s3", "GetBucketPolicy", {{"Bucket", "asr-it-bucket"}});
  EXPECT_EQ(json::parse(got["Policy"].get<std::string>()), json::parse(policy));
  Call("s3", "PutPublicAccessBlock",
       {{"Bucket", "asr-it-bucket"},
        {"PublicAccessBlockConfiguration",
         {{"BlockPublicAcls", true},
          {"IgnorePublicAcls", true},
          {"BlockPublicPolicy", true},
          {"RestrictPublicBuckets", true}}}});
  const json pab = Call("s3", "GetPublicAccessBlock", {{"Bucket", "asr-it-bucket"}});
  EXPECT_EQ(pab["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], true);
  const Status missing = CallError("s3", "GetBucketPolicy", {{"Bucket", "asr-no-such-bucket"}});
  EXPECT_EQ(missing.aws_error_code(), "NoSuchBucket");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);

  Call("s3control", "PutPublicAccessBlock",
       {{"AccountId", "123456789012"},
        {"PublicAccessBlockConfiguration",
         {{"BlockPublicAcls", true}, {"BlockPublicPolicy", true}}}});
  const json account = Call("s3control", "GetPublicAccessBlock", {{"AccountId", "123456789012"}});
  EXPECT_EQ(account["PublicAccessBlockConfiguration"]["BlockPublicAcls"], true);
}

TEST_F(MotoTest, CrossAccountAssumeRoleActsInTheMemberAccount) {
  ClientStsApi sts(*client_);
  Result<Credentials> source = credentials_->Get();
  ASSERT_TRUE(source.ok());
  AssumeRoleCredentialsProvider member(
      *credentials_, sts,
      AssumeRoleRequest{.role_arn = "arn:aws:iam::222222222222:role/SO0111-ASR-Orchestrator-Member",
                        .session_name = "asr-job-1",
                        .external_id = "",
                        .duration = std::chrono::seconds(900),
                        .session_tags = {},
                        .region = "us-east-1"},
      clock_);
  const Result<json> who = client_->Call("sts", "GetCallerIdentity", json::object(),
                                         {.region = "", .credentials = &member});
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ((*who)["Account"], "222222222222");
  EXPECT_NE((*who)["Arn"].get<std::string>().find("asr-job-1"), std::string::npos);
  // A resource created with the member session lives in the member account.
  const Result<json> user = client_->Call("iam", "CreateUser", {{"UserName", "member-user"}},
                                          {.region = "", .credentials = &member});
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_NE((*user)["User"]["Arn"].get<std::string>().find(":222222222222:"), std::string::npos);
}

}  // namespace
}  // namespace asr::aws
