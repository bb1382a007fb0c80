#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http.h"
#include "aws/internal/parse_common.h"
#include "aws/internal/protocols.h"
#include "aws/model.h"
#include "common/status.h"

namespace asr::aws {
namespace {

using nlohmann::json;

constexpr std::string_view kCasesPath = ASR_SOURCE_DIR "/src/aws/testdata/parse_cases.json";
constexpr std::string_view kOraclePath = ASR_SOURCE_DIR "/src/aws/testdata/botocore_parse.py";

std::string Dump(const json& j) { return j.dump(1, ' ', false, json::error_handler_t::replace); }

Result<json> Parse(const ServiceModel& model, const Operation& op, const HttpResponse& response) {
  const std::string& protocol = model.metadata().protocol;
  if (protocol == "query") {
    return internal::ParseQueryResponse(model, op, response);
  }
  if (protocol == "ec2") {
    return internal::ParseEc2Response(model, op, response);
  }
  if (protocol == "json") {
    return internal::ParseJsonResponse(model, op, response);
  }
  if (protocol == "rest-json") {
    return internal::ParseRestJsonResponse(model, op, response);
  }
  return internal::ParseRestXmlResponse(model, op, response);
}

internal::AwsError ParseError(const ServiceModel& model, const HttpResponse& response) {
  const std::string& protocol = model.metadata().protocol;
  return (protocol == "json" || protocol == "rest-json") ? internal::ParseJsonError(response)
                                                         : internal::ParseXmlError(response);
}

HttpResponse ResponseOf(const json& c) {
  HttpResponse response;
  response.status = c.at("status").get<int>();
  for (const json& header : c.at("headers")) {
    response.headers.emplace_back(header.at(0).get<std::string>(), header.at(1).get<std::string>());
  }
  const json& body = c.at("body");
  if (body.is_array()) {
    for (size_t i = 0; i < body.size(); ++i) {
      response.body += (i == 0 ? "" : "\n") + body[i].get<std::string>();
    }
  } else {
    response.body = body.get<std::string>();
  }
  return response;
}

json LoadCases() {
  std::ifstream in{std::string(kCasesPath)};
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

// Runs botocore's parsers over every case (DESIGN.md §5: python3 with botocore is on every
// machine; the test fails without it).
std::optional<json> RunOracle() {
  const std::string command = std::string(ASR_PYTHON3_EXECUTABLE) + " " + std::string(kOraclePath) +
                              " " + std::string(kCasesPath);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return std::nullopt;
  }
  std::string output;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    output.append(buf.data(), n);
  }
  if (pclose(pipe) != 0) {
    return std::nullopt;
  }
  json results = json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (results.is_discarded()) {
    return std::nullopt;
  }
  return results;
}

TEST(ParseBotocoreTest, MatchesBotocoreParsersOnRealisticResponses) {
  const json cases = LoadCases();
  ASSERT_TRUE(cases.is_object()) << kCasesPath;
  const json& list = cases.at("cases");
  const std::optional<json> oracle = RunOracle();
  ASSERT_TRUE(oracle.has_value()) << "botocore_parse.py failed (python3 with botocore is required, "
                                     "DESIGN.md §5)";
  ASSERT_EQ(oracle->size(), list.size());

  for (size_t i = 0; i < list.size(); ++i) {
    const json& c = list[i];
    const json& want = (*oracle)[i];
    SCOPED_TRACE(c.at("name").get<std::string>());
    ASSERT_EQ(want.at("name"), c.at("name"));
    const Result<const ServiceModel*> model =
        BuiltinModels().Get(c.at("service").get<std::string>());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const Operation* op = (*model)->FindOperation(c.at("operation").get<std::string>());
    ASSERT_NE(op, nullptr);
    const HttpResponse response = ResponseOf(c);

    if (want.contains("error")) {
      const internal::AwsError got = ParseError(**model, response);
      const json& e = want.at("error");
      EXPECT_EQ(got.code, e.at("code").get<std::string>());
      EXPECT_EQ(got.message, e.at("message").get<std::string>());
      // asr also finds request ids botocore leaves out (body, x-amz-id-2); the case names it.
      const std::string want_id = c.contains("asr_request_id")
                                      ? c.at("asr_request_id").get<std::string>()
                                      : e.at("request_id").get<std::string>();
      EXPECT_EQ(got.request_id, want_id);
      continue;
    }
    const Result<json> got = Parse(**model, *op, response);
    if (!got.ok()) {
      ADD_FAILURE() << got.status().ToString();
      continue;
    }
    EXPECT_EQ(*got, want.at("output")) << "asr:\n"
                                       << Dump(*got) << "\nbotocore:\n"
                                       << Dump(want.at("output"));
  }
}

TEST(ParseBotocoreTest, CasesCoverEveryProtocolWithSuccessesAndErrors) {
  const json cases = LoadCases();
  ASSERT_TRUE(cases.is_object());
  std::map<std::string, int> successes;
  std::map<std::string, int> errors;
  for (const json& c : cases.at("cases")) {
    const Result<const ServiceModel*> model =
        BuiltinModels().Get(c.at("service").get<std::string>());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const std::string& protocol = (*model)->metadata().protocol;
    (c.at("status").get<int>() >= 301 ? errors : successes)[protocol]++;
  }
  int total_successes = 0;
  int total_errors = 0;
  for (const std::string protocol : {"query", "ec2", "json", "rest-json", "rest-xml"}) {
    SCOPED_TRACE(protocol);
    EXPECT_GE(successes[protocol], 5);
    EXPECT_GE(errors[protocol], 2);
    total_successes += successes[protocol];
    total_errors += errors[protocol];
  }
  EXPECT_GE(total_successes, 40);
  EXPECT_GE(total_errors, 10);
}

// A small hand-written model for the cases the built-in models don't have.
constexpr std::string_view kTestModel = R"({
  "metadata": {"protocol": "rest-xml", "apiVersion": "2006-03-01", "endpointPrefix": "s3"},
  "operations": {
    "GetBucketLocation": {"name": "GetBucketLocation", "http": {"method": "GET",
      "requestUri": "/{Bucket}?location"}, "output": {"shape": "GetBucketLocationOutput"}},
    "Mixed": {"name": "Mixed", "http": {"method": "GET", "requestUri": "/"},
      "output": {"shape": "MixedOutput"}},
    "Blob": {"name": "Blob", "http": {"method": "GET", "requestUri": "/"},
      "output": {"shape": "BlobOutput"}}
  },
  "shapes": {
    "GetBucketLocationOutput": {"type": "structure",
      "members": {"LocationConstraint": {"shape": "String"}}},
    "MixedOutput": {"type": "structure", "members": {
      "Items": {"shape": "StringList"},
      "Count": {"shape": "Long"},
      "Ratio": {"shape": "Double"},
      "When": {"shape": "Time"},
      "Tags": {"shape": "TagMap"},
      "Flat": {"shape": "StringList", "flattened": true, "locationName": "Item"},
      "Meta": {"shape": "MetaMap", "location": "headers", "locationName": "x-amz-meta-"},
      "Modified": {"shape": "Time", "location": "header", "locationName": "Last-Modified"},
      "Parts": {"shape": "StringList", "location": "header", "locationName": "x-parts"},
      "Status": {"shape": "Integer", "location": "statusCode"}}},
    "BlobOutput": {"type": "structure", "payload": "Body",
      "members": {"Body": {"shape": "Bytes"}}},
    "StringList": {"type": "list", "member": {"shape": "String"}},
    "TagMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
    "MetaMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
    "String": {"type": "string"},
    "Long": {"type": "long"},
    "Integer": {"type": "integer"},
    "Double": {"type": "double"},
    "Time": {"type": "timestamp"},
    "Bytes": {"type": "blob"}
  }
})";

TEST(ParseRestXmlTest, HandlesQuirksAndMismatchesBestEffort) {
  const auto model = ServiceModel::Parse("s3", kTestModel);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  struct Case {
    std::string name;
    std::string operation;
    HttpResponse response;
    json want;
  };
  const std::vector<Case> cases = {
      {"GetBucketLocation reads the root text",
       "GetBucketLocation",
       {200,
        {},
        R"(<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>)"},
       {{"LocationConstraint", "eu-west-1"}}},
      {"GetBucketLocation us-east-1 is an empty string",
       "GetBucketLocation",
       {200, {}, R"(<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>)"},
       {{"LocationConstraint", ""}}},
      {"text where a list and a map are expected gives empty containers",
       "Mixed",
       {200, {}, "<R><Items>oops</Items><Tags>oops</Tags></R>"},
       {{"Items", json::array()},
        {"Tags", json::object()},
        {"Meta", json::object()},
        {"Status", 200}}},
      {"numbers that don't parse are left out, huge ones become doubles",
       "Mixed",
       {200, {}, "<R><Count>12x</Count><Ratio>abc</Ratio></R>"},
       {{"Meta", json::object()}, {"Status", 200}}},
      {"a long beyond 64 bits",
       "Mixed",
       {200, {}, "<R><Count>123456789012345678901234567890</Count><Ratio> 1e400 </Ratio></R>"},
       {{"Count", 1.2345678901234568e29},
        {"Ratio", std::numeric_limits<double>::infinity()},
        {"Meta", json::object()},
        {"Status", 200}}},
      {"18446744073709551615 still fits unsigned",
       "Mixed",
       {200, {}, "<R><Count>18446744073709551615</Count></R>"},
       {{"Count", 18446744073709551615ULL}, {"Meta", json::object()}, {"Status", 200}}},
      {"timestamps normalise, unparseable ones stay as sent; header maps keep the suffix case",
       "Mixed",
       {206,
        {{"X-Amz-Meta-Owner", "sec"},
         {"last-modified", "Wed, 12 Oct 2009 17:50:00 GMT"},
         {"x-parts", "a, b,c"}},
        "<R><When>not a date</When><Item>1</Item><Item>2</Item><Tags><entry><key>k</key>"
        "<value>v</value></entry><entry><key>no value</key></entry></Tags></R>"},
       {{"When", "not a date"},
        {"Flat", {"1", "2"}},
        {"Tags", {{"k", "v"}}},
        {"Meta", {{"Owner", "sec"}}},
        {"Modified", "2009-10-12T17:50:00Z"},
        {"Parts", {"a", "b", "c"}},
        {"Status", 206}}},
      {"a blob payload is base64",
       "Blob",
       {200, {}, std::string("\x00\xff", 2)},
       {{"Body", "AP8="}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Operation* op = (*model)->FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    const Result<json> got = internal::ParseRestXmlResponse(**model, *op, c.response);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want) << Dump(*got);
  }
}

struct MalformedCase {
  std::string name;
  std::string service;
  std::string operation;
  std::string body;
};

TEST(ParseRobustnessTest, MalformedBodiesAreInternalErrors) {
  const std::vector<MalformedCase> cases = {
      {"query truncated XML", "sts", "GetCallerIdentity", "<GetCallerIdentityResponse><Get"},
      {"query empty body", "sts", "GetCallerIdentity", ""},
      {"ec2 not XML", "ec2", "DescribeInstances", "{\"json\": true}"},
      {"rest-xml garbage", "s3", "ListBuckets", "<<<>>>"},
      {"rest-xml payload garbage", "s3", "GetPublicAccessBlock", "<Public"},
      {"json truncated", "kms", "DescribeKey", "{\"KeyMetadata\": {"},
      {"json not an object", "kms", "DescribeKey", "[1, 2]"},
      {"json html", "dynamodb", "GetItem", "<html>oops</html>"},
      {"rest-json garbage", "lambda", "GetPolicy", "Policy: none"},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<const ServiceModel*> model = BuiltinModels().Get(c.service);
    ASSERT_TRUE(model.ok());
    const Operation* op = (*model)->FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    const Result<json> got = Parse(**model, *op, HttpResponse{200, {}, c.body});
    ASSERT_FALSE(got.ok()) << Dump(*got);
    EXPECT_EQ(got.status().code(), StatusCode::kInternal);
  }
}

TEST(ParseRobustnessTest, JsonShapeMismatchesAreLeftOut) {
  struct Case {
    std::string name;
    std::string service;
    std::string operation;
    std::string body;
    json want;
  };
  const std::vector<Case> cases = {
      {"string where a list is expected", "cloudtrail", "DescribeTrails",
       R"({"trailList": "none"})", json::object()},
      {"string where a structure is expected, null members and list items", "kms", "DescribeKey",
       R"({"KeyMetadata": "x", "Extra": 1})", json::object()},
      {"null list items are kept, nulls in structures dropped",
       "kms",
       "DescribeKey",
       R"({"KeyMetadata": {"KeyId": null, "EncryptionAlgorithms": ["A", null]}})",
       {{"KeyMetadata", {{"EncryptionAlgorithms", {"A", nullptr}}}}}},
      {"huge numbers pass through as nlohmann reads them",
       "logs",
       "DescribeLogGroups",
       R"({"logGroups": [{"storedBytes": 123456789012345678901234567890}]})",
       {{"logGroups", {{{"storedBytes", 1.2345678901234568e29}}}}}},
      {"timestamps out of range stay numbers",
       "kms",
       "DescribeKey",
       R"({"KeyMetadata": {"CreationDate": 1e300, "DeletionDate": "soon"}})",
       {{"KeyMetadata", {{"CreationDate", 1e300}, {"DeletionDate", "soon"}}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<const ServiceModel*> model = BuiltinModels().Get(c.service);
    ASSERT_TRUE(model.ok());
    const Operation* op = (*model)->FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    const Result<json> got = Parse(**model, *op, HttpResponse{200, {}, c.body});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want) << Dump(*got);
  }
}

TEST(ParseRobustnessTest, ErrorParsersNeverFailOnGarbage) {
  struct Case {
    std::string name;
    HttpResponse response;
    internal::AwsError want_xml;
    internal::AwsError want_json;
  };
  const std::vector<Case> cases = {
      {"binary garbage",
       {400, {}, std::string("\x00\x01\xfe<", 4)},
       {"400", "Bad Request", ""},
       {"400", std::string("\x00\x01\xfe<", 4), ""}},
      {"well-formed XML of another shape",
       {409, {{"x-amz-request-id", "R"}}, "<Foo><Bar/></Foo>"},
       {"", "", "R"},
       {"409", "<Foo><Bar/></Foo>", "R"}},
      {"JSON with odd types",
       {400, {{"x-amzn-RequestId", "Q"}}, R"({"__type": 5, "message": ["a"]})"},
       {"400", "Bad Request", "Q"},
       {"5", R"(["a"])", "Q"}},
      {"unknown status", {599, {}, ""}, {"599", "", ""}, {"599", "", ""}},
      {"request id falls back to x-amz-id-2",
       {404, {{"x-amz-id-2", "HOST"}}, ""},
       {"404", "Not Found", "HOST"},
       {"404", "", "HOST"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const internal::AwsError xml = internal::ParseXmlError(c.response);
    EXPECT_EQ(xml.code, c.want_xml.code);
    EXPECT_EQ(xml.message, c.want_xml.message);
    EXPECT_EQ(xml.request_id, c.want_xml.request_id);
    const internal::AwsError js = internal::ParseJsonError(c.response);
    EXPECT_EQ(js.code, c.want_json.code);
    EXPECT_EQ(js.message, c.want_json.message);
    EXPECT_EQ(js.request_id, c.want_json.request_id);
  }
}

TEST(ParseTimestampTest, NormalisesToIso8601Utc) {
  struct Case {
    std::string input;
    std::optional<std::string> want;
  };
  const std::vector<Case> cases = {
      {"2026-11-28T08:00:00Z", "2026-11-28T08:00:00Z"},
      {"2026-11-28T08:00:00.000Z", "2026-11-28T08:00:00Z"},
      {"2026-11-28T08:00:00.5Z", "2026-11-28T08:00:00.500Z"},
      {"2026-11-28T08:00:00.1234567Z", "2026-11-28T08:00:00.123456Z"},
      {"2026-11-28T10:00:00+02:00", "2026-11-28T08:00:00Z"},
      {"2026-11-28T08:00:00.000+0000", "2026-11-28T08:00:00Z"},
      {"2026-11-28T08:00:00", "2026-11-28T08:00:00Z"},
      {"2026-11-28", "2026-11-28T00:00:00Z"},
      {"Sat, 28 Nov 2026 08:00:00 GMT", "2026-11-28T08:00:00Z"},
      {"1795852800", "2026-11-28T08:00:00Z"},
      {" 1795852800.25 ", "2026-11-28T08:00:00.250Z"},
      {"yesterday", std::nullopt},
      {"", std::nullopt},
      {"2026-13-01T00:00:00Z", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(internal::NormalizeTimestampText(c.input), c.want);
  }
  EXPECT_EQ(internal::TimestampFromEpoch(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(internal::TimestampFromEpoch(-0.5), "1969-12-31T23:59:59.500Z");
  EXPECT_EQ(internal::TimestampFromEpoch(1e18), std::nullopt);
}

}  // namespace
}  // namespace asr::aws
