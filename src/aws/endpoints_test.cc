#include "aws/endpoints.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace asr::aws {
namespace {

ServiceMetadata Meta(const std::string& name, const std::string& prefix,
                     const std::string& service_id, const std::string& signing = "") {
  ServiceMetadata m;
  m.service_name = name;
  m.endpoint_prefix = prefix;
  m.service_id = service_id;
  m.signing_name = signing;
  return m;
}

TEST(EndpointsTest, ResolvesStandardGlobalAndPartitionEndpoints) {
  struct Case {
    std::string name;
    ServiceMetadata meta;
    std::string region;
    std::string host;
    std::string signing_region;
    std::string signing_name;
  };
  const Case cases[] = {
      {"regional ec2", Meta("ec2", "ec2", "EC2"), "eu-west-1", "ec2.eu-west-1.amazonaws.com",
       "eu-west-1", "ec2"},
      {"china", Meta("ec2", "ec2", "EC2"), "cn-north-1", "ec2.cn-north-1.amazonaws.com.cn",
       "cn-north-1", "ec2"},
      {"govcloud", Meta("ec2", "ec2", "EC2"), "us-gov-west-1", "ec2.us-gov-west-1.amazonaws.com",
       "us-gov-west-1", "ec2"},
      {"opt-in region", Meta("sts", "sts", "STS"), "ap-south-2", "sts.ap-south-2.amazonaws.com",
       "ap-south-2", "sts"},
      {"regional sts", Meta("sts", "sts", "STS"), "us-east-1", "sts.us-east-1.amazonaws.com",
       "us-east-1", "sts"},
      {"iam global", Meta("iam", "iam", "IAM"), "eu-west-1", "iam.amazonaws.com", "us-east-1",
       "iam"},
      {"iam china", Meta("iam", "iam", "IAM"), "cn-northwest-1", "iam.cn-north-1.amazonaws.com.cn",
       "cn-north-1", "iam"},
      {"iam govcloud", Meta("iam", "iam", "IAM"), "us-gov-east-1", "iam.us-gov.amazonaws.com",
       "us-gov-west-1", "iam"},
      {"organizations", Meta("organizations", "organizations", "Organizations"), "eu-central-1",
       "organizations.us-east-1.amazonaws.com", "us-east-1", "organizations"},
      {"cloudfront", Meta("cloudfront", "cloudfront", "CloudFront"), "ap-southeast-1",
       "cloudfront.amazonaws.com", "us-east-1", "cloudfront"},
      {"signing name differs", Meta("s3control", "s3-control", "S3 Control", "s3"), "us-east-2",
       "s3-control.us-east-2.amazonaws.com", "us-east-2", "s3"},
      {"s3 legacy us-east-1", Meta("s3", "s3", "S3"), "us-east-1", "s3.amazonaws.com", "us-east-1",
       "s3"},
      {"s3 regional", Meta("s3", "s3", "S3"), "us-west-2", "s3.us-west-2.amazonaws.com",
       "us-west-2", "s3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<Endpoint> e = ResolveEndpoint(c.meta, c.region, EndpointOverrides{});
    ASSERT_TRUE(e.ok()) << e.status().message();
    EXPECT_EQ(e->scheme, "https");
    EXPECT_EQ(e->host, c.host);
    EXPECT_EQ(e->signing_region, c.signing_region);
    EXPECT_EQ(e->signing_name, c.signing_name);
    EXPECT_FALSE(e->custom);
  }
}

TEST(EndpointsTest, OverridesApplyInPrecedenceOrder) {
  const ServiceMetadata s3 = Meta("s3", "s3", "S3");
  EndpointOverrides o;
  o.env_global = "http://127.0.0.1:4000";
  EXPECT_EQ(ResolveEndpoint(s3, "us-east-1", o)->host, "127.0.0.1:4000");
  o.global = "http://127.0.0.1:4001";
  EXPECT_EQ(ResolveEndpoint(s3, "us-east-1", o)->host, "127.0.0.1:4001");
  o.env_per_service["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:4002/";
  EXPECT_EQ(ResolveEndpoint(s3, "us-east-1", o)->host, "127.0.0.1:4002");
  o.per_service["s3"] = "https://minio.local:9000/base/";
  const Result<Endpoint> e = ResolveEndpoint(s3, "eu-west-1", o);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->scheme, "https");
  EXPECT_EQ(e->host, "minio.local:9000");
  EXPECT_EQ(e->base_path, "/base");
  EXPECT_EQ(e->signing_region, "eu-west-1");
  EXPECT_TRUE(e->custom);
  // Another service is not affected by the S3-specific overrides.
  EXPECT_EQ(ResolveEndpoint(Meta("ec2", "ec2", "EC2"), "us-east-1", o)->host, "127.0.0.1:4001");
}

TEST(EndpointsTest, EnvironmentNamesFollowServiceId) {
  EXPECT_EQ(EndpointEnvName(Meta("s3control", "s3-control", "S3 Control")),
            "AWS_ENDPOINT_URL_S3_CONTROL");
  EXPECT_EQ(EndpointEnvName(Meta("securityhub", "securityhub", "SecurityHub")),
            "AWS_ENDPOINT_URL_SECURITYHUB");
  std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL", "http://a:1"},
                                            {"AWS_ENDPOINT_URL_EC2", "http://b:2"}};
  const EndpointOverrides o = EndpointOverridesFromEnv(
      [&](const std::string& k) -> std::optional<std::string> {
        const auto it = env.find(k);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
      },
      {"AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_S3"});
  EXPECT_EQ(o.env_global, "http://a:1");
  EXPECT_EQ(o.env_per_service.size(), 1u);
  EXPECT_EQ(o.env_per_service.at("AWS_ENDPOINT_URL_EC2"), "http://b:2");
}

TEST(EndpointsTest, LazyEnvironmentLookupFollowsTheSamePrecedence) {
  std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL", "http://a:1"},
                                            {"AWS_ENDPOINT_URL_S3", "http://s3:2"}};
  EndpointOverrides o;
  o.env = [&](const std::string& k) -> std::optional<std::string> {
    const auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  EXPECT_EQ(ResolveEndpoint(Meta("s3", "s3", "S3"), "us-east-1", o)->host, "s3:2");
  EXPECT_EQ(ResolveEndpoint(Meta("ec2", "ec2", "EC2"), "us-east-1", o)->host, "a:1");
  o.global = "http://g:3";  // a programmatic global override beats AWS_ENDPOINT_URL
  EXPECT_EQ(ResolveEndpoint(Meta("ec2", "ec2", "EC2"), "us-east-1", o)->host, "g:3");
  EXPECT_EQ(ResolveEndpoint(Meta("s3", "s3", "S3"), "us-east-1", o)->host, "s3:2");
}

TEST(EndpointsTest, RejectsBadRegionsAndUrls) {
  const ServiceMetadata ec2 = Meta("ec2", "ec2", "EC2");
  EXPECT_EQ(ResolveEndpoint(ec2, "", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveEndpoint(ec2, "us east 1", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveEndpoint(ec2, "evil.com/x", {}).status().code(), StatusCode::kInvalidArgument);
  for (const char* url : {"127.0.0.1:5000", "ftp://x", "http://", "http://h/p?q=1"}) {
    SCOPED_TRACE(url);
    EndpointOverrides o;
    o.global = url;
    const Result<Endpoint> e = ResolveEndpoint(ec2, "us-east-1", o);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.status().message().find("endpoint"), std::string::npos);
  }
}

}  // namespace
}  // namespace asr::aws
