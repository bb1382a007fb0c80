// Run with `run_with_moto.py --auth 3`: moto accepts the first three requests unsigned-checked,
// then verifies every signature against the IAM access keys it knows and enforces IAM policies.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "aws/client.h"
#include "aws/curl_transport.h"

namespace asr::aws {
namespace {

using nlohmann::json;

TEST(MotoAuthTest, WrongSecretIsRejectedAndRightOneAccepted) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts.
  const char* endpoint = std::getenv("MOTO_ENDPOINT");
  ASSERT_NE(endpoint, nullptr) << "run through tests/integration/run_with_moto.py --auth 3";
  Result<std::unique_ptr<CurlTransport>> transport = CurlTransport::Create();
  ASSERT_TRUE(transport.ok());
  SystemClock clock;
  ThreadSleeper sleeper;
  SystemRandom random;
  ClientOptions o;
  o.region = "us-east-1";
  o.endpoints.global = endpoint;
  o.retry.max_attempts = 1;

  // The three unchecked requests: a user, an allow-all policy, and an access key.
  EnvironmentCredentialsProvider bootstrap(ProcessEnv());
  Client admin(**transport, bootstrap, BuiltinModels(), clock, sleeper, random, nullptr, o);
  ASSERT_TRUE(admin.Call("iam", "CreateUser", {{"UserName", "asr-signer"}}).ok());
  const std::string allow_all =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  ASSERT_TRUE(
      admin
          .Call("iam", "PutUserPolicy",
                {{"UserName", "asr-signer"}, {"PolicyName", "all"}, {"PolicyDocument", allow_all}})
          .ok());
  const Result<json> key = admin.Call("iam", "CreateAccessKey", {{"UserName", "asr-signer"}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const std::string id = (*key)["AccessKey"]["AccessKeyId"];
  const std::string secret = (*key)["AccessKey"]["SecretAccessKey"];

  StaticCredentialsProvider wrong(
      Credentials{.access_key_id = id, .secret_access_key = secret + "x"});
  Client bad(**transport, wrong, BuiltinModels(), clock, sleeper, random, nullptr, o);
  for (const char* service : {"sts", "iam"}) {
    SCOPED_TRACE(service);
    const Result<json> refused = std::string(service) == "sts"
                                     ? bad.Call("sts", "GetCallerIdentity", json::object())
                                     : bad.Call("iam", "ListUsers", json::object());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied)
        << refused.status().ToString();
    EXPECT_EQ(refused.status().aws_error_code(), "SignatureDoesNotMatch");
  }

  StaticCredentialsProvider right(Credentials{.access_key_id = id, .secret_access_key = secret});
  Client good(**transport, right, BuiltinModels(), clock, sleeper, random, nullptr, o);
  const Result<json> who = good.Call("sts", "GetCallerIdentity", json::object());
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_NE((*who)["Arn"].get<std::string>().find("asr-signer"), std::string::npos);
  const Result<json> users = good.Call("iam", "ListUsers", json::object());
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  // S3 (rest-xml, different signing rules) and DynamoDB (json) are checked too.
  EXPECT_TRUE(good.Call("s3", "CreateBucket", {{"Bucket", "asr-auth-bucket"}}).ok());
  EXPECT_TRUE(good.Call("s3", "ListBuckets", json::object()).ok());
  EXPECT_FALSE(bad.Call("s3", "ListBuckets", json::object()).ok());
  EXPECT_TRUE(good.Call("dynamodb", "ListTables", json::object()).ok());
  EXPECT_FALSE(bad.Call("dynamodb", "ListTables", json::object()).ok());
}

}  // namespace
}  // namespace asr::aws
