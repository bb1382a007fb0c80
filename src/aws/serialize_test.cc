// Request serializers, checked against botocore itself: every case of
// testdata/serialize_cases.json is built by asr and by tools/botocore_requests.py (run at test
// time; python3 with botocore is on every machine of this project, so a failure to run it fails
// the test) and the two requests are compared field by field.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/internal/protocols.h"
#include "aws/internal/serialize_common.h"
#include "aws/internal/subprocess.h"
#include "aws/model.h"
#include "common/status.h"
#include "common/strings.h"

#ifndef ASR_PYTHON3_EXECUTABLE
#define ASR_PYTHON3_EXECUTABLE "python3"
#endif

namespace asr::aws {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The case's params laid out as asr serializes them: structure members in model order, map
// keys sorted (nlohmann::json's order). botocore follows the caller's dict order, so the oracle
// gets the same order and bodies can be compared byte for byte.
ordered_json Canonical(const Shape& shape, const json& value) {  // NOLINT(misc-no-recursion)
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (shape.document || !value.is_object()) {
        return ordered_json::parse(value.dump());
      }
      ordered_json out = ordered_json::object();
      for (const Member& m : shape.members) {
        if (auto it = value.find(m.name); it != value.end()) {
          out[m.name] = Canonical(*m.shape, *it);
        }
      }
      return out;
    }
    case ShapeType::kList: {
      if (!value.is_array()) {
        break;
      }
      ordered_json out = ordered_json::array();
      for (const json& item : value) {
        out.push_back(Canonical(*shape.member.shape, item));
      }
      return out;
    }
    case ShapeType::kMap: {
      if (!value.is_object()) {
        break;
      }
      ordered_json out = ordered_json::object();
      for (const auto& [key, item] : value.items()) {
        out[key] = Canonical(*shape.value.shape, item);
      }
      return out;
    }
    default:
      break;
  }
  return ordered_json::parse(value.dump());
}

// What the serializers are given after protocol.cc's checks (protocol.cc is the lead's
// dispatcher; this mirrors it so the test doesn't depend on its build state).
Result<HttpRequest> Serialize(const ServiceModel& model, const Operation& op, const json& params,
                              const Endpoint& endpoint) {
  ASR_RETURN_IF_ERROR(internal::ValidateParams(op.input, params));
  const std::string& protocol = model.metadata().protocol;
  if (protocol == "query") {
    return internal::SerializeQuery(model, op, params, endpoint);
  }
  if (protocol == "ec2") {
    return internal::SerializeEc2(model, op, params, endpoint);
  }
  if (protocol == "json") {
    return internal::SerializeJson(model, op, params, endpoint);
  }
  if (protocol == "rest-json") {
    return internal::SerializeRestJson(model, op, params, endpoint);
  }
  if (protocol == "rest-xml") {
    return internal::SerializeRestXml(model, op, params, endpoint);
  }
  return InternalError("unsupported protocol " + protocol);
}

struct SplitUrl {
  std::string scheme;
  std::string host;
  std::string path;
  std::vector<std::string> query;  // "k=v" pairs, encoded, in order
};

std::vector<std::string> SplitQuery(std::string_view query) {
  std::vector<std::string> out;
  if (query.empty()) {
    return out;
  }
  for (std::string_view part : Split(query, '&')) {
    out.emplace_back(part);
  }
  return out;
}

SplitUrl ParseUrl(std::string_view url) {
  SplitUrl out;
  const size_t scheme_end = url.find("://");
  out.scheme = std::string(url.substr(0, scheme_end));
  url.remove_prefix(scheme_end + 3);
  const size_t path_start = url.find('/');
  out.host = std::string(url.substr(0, path_start));
  url = path_start == std::string_view::npos ? std::string_view("/") : url.substr(path_start);
  const size_t q = url.find('?');
  out.path = std::string(url.substr(0, q));
  if (q != std::string_view::npos) {
    out.query = SplitQuery(url.substr(q + 1));
  }
  return out;
}

// Headers the serializers are responsible for (signing and transport headers are not).
bool Compared(std::string_view lower_name) {
  return lower_name == "content-type" || lower_name == "content-md5" || lower_name == "accept" ||
         lower_name == "expires" || lower_name.starts_with("x-amz-") ||
         lower_name.starts_with("x-amzn-");
}

std::map<std::string, std::string> ComparedHeaders(const HttpHeaders& headers) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : headers) {
    if (std::string lower = AsciiLower(name); Compared(lower)) {
      out[lower] = value;
    }
  }
  return out;
}

std::map<std::string, std::string> ComparedHeaders(const json& headers) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : headers.items()) {
    if (std::string lower = AsciiLower(name); Compared(lower)) {
      out[lower] = value.get<std::string>();
    }
  }
  return out;
}

std::string Describe(const HttpRequest& r) {
  std::string out = r.method;
  out.append(" ").append(r.Url()).append("\n");
  for (const auto& [name, value] : r.headers) {
    out.append("  ").append(name).append(": ").append(value).append("\n");
  }
  out.append("  body: ").append(r.body).append("\n");
  return out;
}

bool BodiesEqual(const std::string& ours, const json& theirs, bool json_body) {
  if (!theirs.is_string()) {
    return false;  // {"base64": ...}: no case sends a non-UTF-8 body
  }
  const auto& text = theirs.get_ref<const std::string&>();
  if (!json_body || text.empty() || ours.empty()) {
    return ours == text;
  }
  const json a = json::parse(ours, nullptr, /*allow_exceptions=*/false);
  const json b = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !a.is_discarded() && a == b;
}

json LoadCases() {
  return json::parse(
      ReadFile(std::string(ASR_SOURCE_DIR) + "/src/aws/testdata/serialize_cases.json"));
}

// Runs the oracle on `cases` (params put in canonical order) and returns its output object.
Result<json> RunOracle(const json& cases) {
  ordered_json canonical = ordered_json::array();
  for (const json& c : cases) {
    ordered_json out = ordered_json::parse(c.dump());
    auto model = BuiltinModels().Get(c.at("service").get<std::string>());
    const Operation* op =
        model.ok() ? (*model)->FindOperation(c.at("operation").get<std::string>()) : nullptr;
    if (op != nullptr && op->input != nullptr) {
      out["params"] = Canonical(*op->input, c.at("params"));
    }
    canonical.push_back(std::move(out));
  }
  const std::string input =
      ::testing::TempDir() + "serialize_cases_" + std::to_string(::getpid()) + ".json";
  std::ofstream(input) << canonical.dump(1);
  const std::string command = std::string("'") + ASR_PYTHON3_EXECUTABLE + "' '" + ASR_SOURCE_DIR +
                              "/tools/botocore_requests.py' '" + input + "'";
  auto out = internal::RunShellCommand(
      command, {.timeout = std::chrono::minutes(3), .max_output_bytes = size_t{16} << 20U});
  std::remove(input.c_str());
  if (!out.ok()) {
    return out.status().Annotate("tools/botocore_requests.py");
  }
  json parsed = json::parse(*out, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return InternalError("tools/botocore_requests.py: unreadable output");
  }
  return parsed;
}

TEST(SerializeBotocoreTest, CasesCoverEveryProtocol) {
  const json cases = LoadCases();
  std::map<std::string, int> per_protocol;
  for (const json& c : cases) {
    auto model = BuiltinModels().Get(c.at("service").get<std::string>());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ++per_protocol[(*model)->metadata().protocol];
  }
  EXPECT_GE(cases.size(), 60U);
  for (const char* protocol : {"query", "ec2", "json", "rest-json", "rest-xml"}) {
    EXPECT_GE(per_protocol[protocol], 8) << protocol;
  }
}

TEST(SerializeBotocoreTest, RequestsMatchBotocore) {
  const json cases = LoadCases();
  auto oracle = RunOracle(cases);
  // No skipping: python3 with botocore is part of this project's toolchain.
  ASSERT_TRUE(oracle.ok()) << oracle.status().ToString();
  for (const json& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    ASSERT_TRUE(oracle->contains(name));
    const json& want = oracle->at(name);

    auto model = BuiltinModels().Get(c.at("service").get<std::string>());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const Operation* op = (*model)->FindOperation(c.at("operation").get<std::string>());
    ASSERT_NE(op, nullptr);
    EndpointOverrides overrides;
    if (c.contains("endpoint_url")) {
      overrides.global = c.at("endpoint_url").get<std::string>();
    }
    auto endpoint =
        ResolveEndpoint((*model)->metadata(), c.value("region", "us-east-1"), overrides);
    ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    auto got = Serialize(**model, *op, c.at("params"), *endpoint);
    ASSERT_TRUE(got.ok()) << got.status().ToString();

    const std::string show = "\nasr:\n" + Describe(*got) + "botocore:\n" + want.dump(1) + "\n";
    EXPECT_EQ(got->method, want.at("method").get<std::string>()) << show;

    std::string want_url = want.at("url").get<std::string>();
    if (c.contains("asr_expect")) {
      // A documented, deliberate difference; it must still be one.
      const auto& asr_url = c.at("asr_expect").at("url").get_ref<const std::string&>();
      EXPECT_NE(want_url, asr_url) << "botocore now agrees; drop asr_expect" << show;
      want_url = asr_url;
    }
    const SplitUrl want_parts = ParseUrl(want_url);
    EXPECT_EQ(got->scheme, want_parts.scheme) << show;
    EXPECT_EQ(got->host, want_parts.host) << show;
    EXPECT_EQ(got->path, want_parts.path) << show;
    EXPECT_EQ(SplitQuery(got->query), want_parts.query) << show;

    EXPECT_EQ(ComparedHeaders(got->headers), ComparedHeaders(want.at("headers"))) << show;

    const auto content_type = ComparedHeaders(want.at("headers"))["content-type"];
    const bool json_body = content_type.find("json") != std::string::npos;
    EXPECT_TRUE(BodiesEqual(got->body, want.at("body"), json_body)) << show;
  }
}

// ---------------------------------------------------------------------------------------------

const ServiceModel& Model(std::string_view service) {
  auto model = BuiltinModels().Get(service);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return **model;
}

TEST(SerializeValidateParamsTest, ReportsProblemsByPath) {
  struct Case {
    std::string name;
    std::string service;
    std::string operation;
    json params;
    std::string want_error;  // "" = valid; else a substring of the message
  };
  const std::vector<Case> cases = {
      {"valid nested", "ec2", "RevokeSecurityGroupIngress",
       json::parse(R"({"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,
                      "IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]})"),
       ""},
      {"null params are {}", "sts", "GetCallerIdentity", json(nullptr), ""},
      {"empty object", "iam", "ListUsers", json::object(), ""},
      {"unknown member names the valid ones", "iam", "ListUsers", json::parse(R"({"Bogus":1})"),
       "Bogus: unknown parameter; valid parameters: PathPrefix, Marker, MaxItems"},
      {"missing required", "iam", "PutRolePolicy",
       json::parse(R"({"RoleName":"r","PolicyName":"p"})"),
       "PolicyDocument: missing required parameter"},
      {"nested integer", "ec2", "RevokeSecurityGroupIngress",
       json::parse(R"({"IpPermissions":[{"FromPort":"22"}]})"),
       "IpPermissions[0].FromPort: expected integer, got string"},
      {"float for integer", "ec2", "RevokeSecurityGroupIngress",
       json::parse(R"({"IpPermissions":[{"FromPort":22.5}]})"),
       "IpPermissions[0].FromPort: expected integer, got number"},
      {"nested list item", "ec2", "RevokeSecurityGroupIngress",
       json::parse(R"({"IpPermissions":[{"IpRanges":[{"CidrIp":1}]}]})"),
       "IpPermissions[0].IpRanges[0].CidrIp: expected string, got number"},
      {"nested unknown", "ec2", "RevokeSecurityGroupIngress",
       json::parse(R"({"IpPermissions":[{"Cidr":"x"}]})"),
       "IpPermissions[0].Cidr: unknown parameter"},
      {"list expected", "ec2", "DescribeInstances", json::parse(R"({"InstanceIds":"i-1"})"),
       "InstanceIds: expected list (JSON array), got string"},
      {"boolean expected", "ec2", "DescribeInstances", json::parse(R"({"DryRun":"true"})"),
       "DryRun: expected boolean, got string"},
      {"map value path", "ssm", "StartAutomationExecution",
       json::parse(R"({"DocumentName":"d","Parameters":{"Bucket":"b"}})"),
       "Parameters.Bucket: expected list (JSON array), got string"},
      {"map expected", "sns", "Publish", json::parse(R"({"Message":"m","MessageAttributes":[]})"),
       "MessageAttributes: expected map (JSON object), got array"},
      {"structure expected", "s3", "PutBucketVersioning",
       json::parse(R"({"Bucket":"b","VersioningConfiguration":"Enabled"})"),
       "VersioningConfiguration: expected structure (JSON object), got string"},
      {"timestamp string", "cloudwatch", "PutMetricData",
       json::parse(R"({"Namespace":"n","MetricData":[{"MetricName":"m",
                      "Timestamp":"yesterday"}]})"),
       "MetricData[0].Timestamp: timestamp \"yesterday\" is not ISO 8601"},
      {"timestamp epoch ok", "cloudwatch", "PutMetricData",
       json::parse(R"({"Namespace":"n","MetricData":[{"MetricName":"m","Timestamp":1700000000,
                      "Value":1}]})"),
       ""},
      {"double accepts integer", "securityhub", "BatchUpdateFindings",
       json::parse(R"({"FindingIdentifiers":[{"Id":"i","ProductArn":"p"}],
                      "Severity":{"Product":2}})"),
       ""},
      {"blob must be text", "secretsmanager", "CreateSecret",
       json::parse(R"({"Name":"n","SecretBinary":[1,2]})"),
       "SecretBinary: expected blob (string of raw bytes), got array"},
      {"null member", "iam", "ListUsers", json::parse(R"({"Marker":null})"),
       "Marker: expected string, got null"},
      {"enum values are not enforced", "s3", "PutBucketVersioning",
       json::parse(R"({"Bucket":"b","VersioningConfiguration":{"Status":"Sometimes"}})"), ""},
      {"every problem is reported", "iam", "PutRolePolicy", json::parse(R"({"Nope":1})"),
       "invalid parameters: "},
      {"not an object", "iam", "ListUsers", json::array(),
       "input: expected structure (JSON object), got array"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ServiceModel& model = Model(c.service);
    const Operation* op = model.FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    const Status status = internal::ValidateParams(op->input, c.params);
    if (c.want_error.empty()) {
      EXPECT_TRUE(status.ok()) << status.ToString();
    } else {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
      EXPECT_NE(status.message().find(c.want_error), std::string::npos) << status.message();
    }
  }
}

TEST(SerializeTimestampTest, FormatsLikeBotocore) {
  struct Case {
    json value;
    std::string format;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"2024-01-02T03:04:05Z", "iso8601", "2024-01-02T03:04:05Z"},
      {"2024-01-02T03:04:05.5Z", "iso8601", "2024-01-02T03:04:05.500000Z"},
      {"2024-01-02T05:04:05+02:00", "iso8601", "2024-01-02T03:04:05Z"},
      {0, "rfc822", "Thu, 01 Jan 1970 00:00:00 GMT"},
      {"2030-01-02T03:04:05Z", "rfc822", "Wed, 02 Jan 2030 03:04:05 GMT"},
      {1700000000, "unixTimestamp", "1700000000"},
      {1700000000.25, "iso8601", "2023-11-14T22:13:20.250000Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value.dump() + " " + c.format);
    auto got = internal::FormatTimestampText(c.value, c.format);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want);
  }
}

TEST(SerializeRestXmlTest, RejectsUnsupportedChecksumAlgorithmAndBadBucketNames) {
  const ServiceModel& s3 = Model("s3");
  const Operation* op = s3.FindOperation("PutBucketPolicy");
  ASSERT_NE(op, nullptr);
  const Endpoint endpoint{.host = "s3.amazonaws.com"};
  struct Case {
    std::string name;
    json params;
    std::string want_error;
  };
  const std::vector<Case> cases = {
      {"CRC32C needs a library asr doesn't have",
       json::parse(R"({"Bucket":"b12","Policy":"{}","ChecksumAlgorithm":"CRC32C"})"),
       "checksum algorithm \"crc32c\" is not supported"},
      {"bucket with a slash", json::parse(R"({"Bucket":"a/b","Policy":"{}"})"),
       "Bucket: invalid bucket name \"a/b\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = internal::SerializeRestXml(s3, *op, c.params, endpoint);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(c.want_error), std::string::npos)
        << got.status().message();
  }
}

TEST(SerializeHostPrefixTest, RejectsLabelsThatAreNotHostNames) {
  const ServiceModel& s3control = Model("s3control");
  const Operation* op = s3control.FindOperation("GetPublicAccessBlock");
  ASSERT_NE(op, nullptr);
  const Endpoint endpoint{.host = "s3-control.us-east-1.amazonaws.com"};
  auto got =
      internal::SerializeRestXml(s3control, *op, json::parse(R"({"AccountId":"12/34"})"), endpoint);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("AccountId"), std::string::npos);
}

}  // namespace
}  // namespace asr::aws
