#include "app/config.h"

#include <gtest/gtest.h>

#include <string>

namespace asr::app {
namespace {

const catalog::Catalog& Cat() { return catalog::Catalog::Builtin(); }

TEST(ConfigTest, EmptyFileMeansSafeDefaults) {
  const Result<Config> c = ParseConfigYaml("", "asr.yaml", Cat());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->routing.playbooks, std::vector<std::string>{"SC"});
  EXPECT_EQ(c->routing.default_mode, routing::ControlMode::kManual);
}

TEST(ConfigTest, ReadsEveryKey) {
  const char* yaml = R"(
playbooks: [SC, AFSBP, cis120]
controls:
  default: approve
  S3.2: auto
  "CIS120:1.6": off
filters:
  accounts: {include: [111111111111], exclude: ["222222222222"]}
  regions: {exclude: [eu-west-1]}
  tags:
    include: ["asr=on"]
    exclude: [do-not-touch]
  resources:
    exclude: ["arn:aws:s3:::prod-*"]
roles:
  member_role: Custom-Member
  namespace: prod-1
  external_id: "x-123"
)";
  const Result<Config> c = ParseConfigYaml(yaml, "asr.yaml", Cat());
  ASSERT_TRUE(c.ok()) << c.status().message();
  const routing::RoutingConfig& r = c->routing;
  EXPECT_EQ(r.playbooks.size(), 3u);
  EXPECT_EQ(r.default_mode, routing::ControlMode::kApprove);
  EXPECT_EQ(r.control_modes.at("s3.2"), routing::ControlMode::kAuto);
  EXPECT_EQ(r.control_modes.at("cis120:1.6"), routing::ControlMode::kOff);
  EXPECT_EQ(r.filters.accounts.include, std::vector<std::string>{"111111111111"});
  EXPECT_EQ(r.filters.accounts.exclude, std::vector<std::string>{"222222222222"});
  EXPECT_EQ(r.filters.regions.exclude, std::vector<std::string>{"eu-west-1"});
  ASSERT_EQ(r.filters.tags.include.size(), 1u);
  EXPECT_EQ(r.filters.tags.include[0].key, "asr");
  EXPECT_EQ(r.filters.tags.include[0].value, "on");
  ASSERT_EQ(r.filters.tags.exclude.size(), 1u);
  EXPECT_EQ(r.filters.tags.exclude[0].key, "do-not-touch");
  EXPECT_FALSE(r.filters.tags.exclude[0].value.has_value());
  EXPECT_EQ(r.filters.resources.exclude, std::vector<std::string>{"arn:aws:s3:::prod-*"});
  EXPECT_EQ(c->roles.member_role_name, "Custom-Member");
  EXPECT_EQ(c->roles.remediation_namespace, "prod-1");
  EXPECT_EQ(c->roles.external_id, "x-123");
}

TEST(ConfigTest, ErrorsNameTheKeyAndLine) {
  struct Case {
    std::string name;
    std::string yaml;
    std::string want;
  };
  const Case cases[] = {
      {"typo at top level", "playbook: [SC]\n", "asr.yaml:1:1: playbook: unknown key"},
      {"typo in filters", "filters:\n  acounts: {}\n",
       "asr.yaml:2:3: filters.acounts: unknown key"},
      {"bad mode", "controls:\n  S3.2: yes-please\n",
       "asr.yaml:2:9: controls.S3.2: unknown control mode"},
      {"playbooks not a list", "playbooks: SC\n", "playbooks: must be a list"},
      {"unknown playbook", "playbooks: [SC, FOO]\n", "playbooks[1]: unknown playbook \"FOO\""},
      {"bad account", "filters:\n  accounts:\n    include: [12345]\n",
       "filters.accounts.include[0]: \"12345\" is not a 12-digit account id"},
      {"nested list item", "filters:\n  regions:\n    include: [[us-east-1]]\n",
       "filters.regions.include[0]: must be a single value"},
      {"duplicate control", "controls:\n  S3.2: auto\n  s3.2: off\n", "listed twice"},
      {"not yaml", "playbooks: [SC\n", "not valid YAML"},
      {"top level list", "- a\n- b\n", "must be a mapping"},
      {"bad namespace", "roles:\n  namespace: PROD\n",
       "asr.yaml:2:14: roles.namespace: namespace \"PROD\" must be 3 to 9 characters"},
      {"bad role name", "roles:\n  member_role: \"a b\"\n", "roles.member_role: role name"},
      {"typo in roles", "roles:\n  namspace: abc\n", "roles.namspace: unknown key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<Config> r = ParseConfigYaml(c.yaml, "asr.yaml", Cat());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(ConfigTest, MissingExplicitFileIsNotFound) {
  const Result<Config> r = LoadConfigFile("/nonexistent/asr.yaml", Cat());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(ConfigTest, ExampleConfigInTheRepoIsValid) {
  const Result<Config> r = LoadConfigFile(ASR_SOURCE_DIR "/examples/asr.yaml", Cat());
  ASSERT_TRUE(r.ok()) << r.status().message();
}

}  // namespace
}  // namespace asr::app
