#include "server/internal/request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace asr::server::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseListenTest, ParsesHostAndPort) {
  struct Case {
    std::string in;
    bool ok;
    std::string host;
    int port;
  };
  const std::vector<Case> cases = {
      {"127.0.0.1:8080", true, "127.0.0.1", 8080},
      {"0.0.0.0:0", true, "0.0.0.0", 0},
      {"localhost:65535", true, "localhost", 65535},
      {"[::1]:9000", true, "::1", 9000},
      {"[::]:1", true, "::", 1},
      {"127.0.0.1", false, "", 0},
      {":8080", false, "", 0},
      {"127.0.0.1:", false, "", 0},
      {"127.0.0.1:65536", false, "", 0},
      {"127.0.0.1:80a", false, "", 0},
      {"127.0.0.1:-1", false, "", 0},
      {"::1:8080", false, "", 0},
      {"[::1]8080", false, "", 0},
      {"[::1:8080", false, "", 0},
      {"[]:80", false, "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Result<HostPort> r = ParseListen(c.in);
    ASSERT_EQ(r.ok(), c.ok) << r.status().ToString();
    if (c.ok) {
      EXPECT_EQ(r->host, c.host);
      EXPECT_EQ(r->port, c.port);
    } else {
      EXPECT_THAT(r.status().message(), HasSubstr("server.listen"));
    }
  }
}

TEST(CheckJsonContentTypeTest, AcceptsJsonOnly) {
  struct Case {
    std::optional<std::string> in;
    bool ok;
  };
  const std::vector<Case> cases = {
      {std::nullopt, true},
      {"application/json", true},
      {"APPLICATION/JSON ; charset=UTF-8", true},
      {"application/json; charset=utf8", true},
      {"application/json; boundary=x", true},
      {"application/vnd.api+json", true},
      {"application/json; charset=latin1", false},
      {"application/jsonp", false},
      {"text/json", false},
      {"application/+json", false},
      {"", false},
      {"multipart/form-data; boundary=x", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in.value_or("<absent>"));
    EXPECT_EQ(CheckJsonContentType(c.in).ok(), c.ok);
  }
}

TEST(ValidateJsonTest, ReportsPositionAndDepth) {
  EXPECT_TRUE(ValidateJson(R"({"a":[1,2,{"b":null}]})").ok());
  EXPECT_TRUE(ValidateJson(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')).ok());
  const Status deep =
      ValidateJson(std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']'));
  EXPECT_THAT(deep.message(), HasSubstr("deeper than 64"));
  const Status bad = ValidateJson("{\n  \"a\": tru}");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("line 2, column"));
  EXPECT_THAT(bad.message(), HasSubstr("byte"));
  EXPECT_THAT(bad.message(), Not(HasSubstr("json.exception")));
  EXPECT_FALSE(ValidateJson("").ok());
  EXPECT_FALSE(ValidateJson("{} {}").ok());
}

TEST(ParseJobFilterTest, ParsesEveryParameter) {
  Result<workflow::JobFilter> f = ParseJobFilter({{"state", "FAILED"},
                                                  {"control", "S3.2"},
                                                  {"account", "111122223333"},
                                                  {"finding", "arn:x"},
                                                  {"active", "false"},
                                                  {"before", "job-1"},
                                                  {"limit", "500"}});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->state, "FAILED");
  EXPECT_EQ(f->control_id, "S3.2");
  EXPECT_EQ(f->account_id, "111122223333");
  EXPECT_EQ(f->finding_id, "arn:x");
  EXPECT_FALSE(f->active_only);
  EXPECT_EQ(f->before_id, "job-1");
  EXPECT_EQ(f->limit, 500U);

  Result<workflow::JobFilter> empty = ParseJobFilter({{"state", ""}, {"account", ""}});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->state, "");
  EXPECT_EQ(empty->limit, 50U);

  for (const QueryParams& bad : std::vector<QueryParams>{{{"limit", "1.5"}},
                                                         {{"limit", "99999999999999999999999"}},
                                                         {{"active", "TRUE"}},
                                                         {{"account", "11112222333a"}},
                                                         {{"state", std::string(2000, 's')}},
                                                         {{"x", ""}}}) {
    SCOPED_TRACE(bad[0].first + "=" + bad[0].second.substr(0, 30));
    EXPECT_EQ(ParseJobFilter(bad).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(BodyParsersTest, ParseTheSmallBodies) {
  EXPECT_EQ(*ParseCommentBody(""), "");
  EXPECT_EQ(*ParseCommentBody(R"({"comment":null})"), "");
  EXPECT_EQ(*ParseCommentBody(R"({"comment":"ok"})"), "ok");
  EXPECT_FALSE(ParseCommentBody(R"({"comment":["x"]})").ok());
  EXPECT_TRUE(ParseEmptyBody("").ok());
  EXPECT_TRUE(ParseEmptyBody(" { } ").ok());
  EXPECT_FALSE(ParseEmptyBody("[]").ok());
  EXPECT_EQ(*ParseModeBody(R"({"mode":"approve"})"), "approve");
  EXPECT_FALSE(ParseModeBody(R"({"mode":"AUTO"})").ok());
  EXPECT_TRUE(*ParseKillSwitchBody(R"({"engaged":true})"));
  EXPECT_FALSE(*ParseKillSwitchBody(R"({"engaged":false})"));
  EXPECT_FALSE(ParseKillSwitchBody(R"({"engaged":null})").ok());
}

}  // namespace
}  // namespace asr::server::internal
