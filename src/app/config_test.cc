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
      {"bad topic", "notifications:\n  sns_topic_arn: my-topic\n",
       "notifications.sns_topic_arn: must be an SNS topic ARN"},
      {"spacing out of range", "limits:\n  account_region_spacing_seconds: -1\n",
       "limits.account_region_spacing_seconds: must be a number from 0"},
      {"workers not a number", "engine:\n  workers: many\n",
       "engine.workers: must be a whole number from 1 to 64, got \"many\""},
      {"bad bool", "securityhub:\n  update_findings: maybe\n",
       "securityhub.update_findings: must be true or false"},
      {"short secret", "server:\n  tokens:\n    - {name: a, secret: short, role: operator}\n",
       "server.tokens[0]: the secret must have at least 16 characters"},
      {"bad token role",
       "server:\n  tokens:\n    - {name: a, secret: 0123456789abcdef, role: admin}\n",
       "server.tokens[0].role: must be viewer, operator or intake"},
      {"breaker typo", "limits:\n  circuit_breaker: {min_outcome: 3}\n",
       "limits.circuit_breaker.min_outcome: unknown key"},
      {"bad backend", "backends:\n  EC2.6: lambda\n",
       "asr.yaml:2:10: backends.EC2.6: unknown backend \"lambda\"; use native or ssm"},
      {"backend for unknown playbook", "backends:\n  \"XYZ:1.1\": ssm\n",
       "backends.XYZ:1.1: unknown playbook"},
      {"queue url not a url", "intake:\n  sqs: {queue_url: asr-intake}\n",
       "intake.sqs.queue_url: must be the queue URL"},
      {"long poll too long", "intake:\n  sqs: {queue_url: \"https://q\", wait_seconds: 30}\n",
       "intake.sqs.wait_seconds: must be a whole number from 0 to 20"},
      {"sweep typo", "intake:\n  sweep: {interval: 24}\n", "intake.sweep.interval: unknown key"},
      {"alarm threshold", "alarms:\n  failure_threshold_percent: 150\n",
       "alarms.failure_threshold_percent: must be a number from"},
      {"ssm poll", "ssm:\n  poll_seconds: 0\n", "ssm.poll_seconds: must be a whole number"},
      {"metrics typo", "metrics:\n  cloudwatch_enabled: true\n",
       "metrics.cloudwatch_enabled: unknown key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Result<Config> r = ParseConfigYaml(c.yaml, "asr.yaml", Cat());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

TEST(ConfigTest, ReadsTheEngineKeys) {
  const char* yaml = R"(
store: {path: /var/lib/asr/asr.db}
server:
  listen: 0.0.0.0:9000
  tokens:
    - {name: ops, secret: 0123456789abcdef0, role: operator}
    - {name: eventbridge, secret_env: ASR_CONFIG_TEST_UNSET_VARIABLE, role: intake}
  public_metrics: true
engine: {workers: 2, home_region: eu-west-1, kill_switch: yes}
limits:
  account_region_spacing_seconds: 1.5
  max_running: 3
  max_automatic_per_control_per_hour: 0
  circuit_breaker: {min_outcomes: 2, failure_ratio: 0.25, window_minutes: 30}
notifications:
  sns_topic_arn: arn:aws:sns:us-east-1:111111111111:SO0111-ASR_Topic
securityhub: {region: us-east-1, update_findings: false}
logs: {findings: "off"}
)";
  const Result<Config> c = ParseConfigYaml(yaml, "asr.yaml", Cat());
  ASSERT_TRUE(c.ok()) << c.status().message();
  const ServeConfig& s = c->serve;
  EXPECT_EQ(s.store_path, "/var/lib/asr/asr.db");
  EXPECT_EQ(s.server.listen, "0.0.0.0:9000");
  ASSERT_EQ(s.server.tokens.size(), 2u);
  EXPECT_EQ(s.server.tokens[0].role, workflow::Principal::Role::kOperator);
  EXPECT_EQ(s.server.tokens[1].role, workflow::Principal::Role::kIntake);
  // An unset secret_env is an error only when serving.
  ASSERT_EQ(s.missing_token_secrets.size(), 1u);
  EXPECT_NE(s.missing_token_secrets[0].find("ASR_CONFIG_TEST_UNSET_VARIABLE"), std::string::npos);
  EXPECT_TRUE(s.server.public_metrics);
  EXPECT_EQ(s.workers, 2);
  EXPECT_EQ(s.home_region, "eu-west-1");
  EXPECT_TRUE(s.kill_switch);
  EXPECT_EQ(s.limits.account_region_spacing, std::chrono::milliseconds(1500));
  EXPECT_EQ(s.limits.max_running, 3);
  EXPECT_EQ(s.limits.max_automatic_per_control_per_hour, 0);
  EXPECT_EQ(s.limits.breaker_min_outcomes, 2);
  EXPECT_DOUBLE_EQ(s.limits.breaker_failure_ratio, 0.25);
  EXPECT_EQ(s.limits.breaker_window, std::chrono::minutes(30));
  EXPECT_EQ(s.report.topic_arn, "arn:aws:sns:us-east-1:111111111111:SO0111-ASR_Topic");
  EXPECT_EQ(s.report.securityhub_region, "us-east-1");
  EXPECT_FALSE(s.report.update_findings);
  EXPECT_EQ(s.finding_log, "off");
}

TEST(ConfigTest, ReadsBackendsIntakeAlarmsAndCloudWatchKeys) {
  const char* yaml = R"(
backends:
  default: native
  AFSBP: ssm
  EC2.6: ssm
  "SC:S3.2": native
intake:
  sqs: {queue_url: "https://sqs.eu-west-1.amazonaws.com/111111111111/asr-intake",
        wait_seconds: 5, max_messages: 3}
  sweep: {interval_hours: 168, on_start: true, max_findings: 50}
alarms: {enabled: false, failure_threshold_percent: 12.5, executions_per_day: 400}
metrics: {cloudwatch: true, enhanced: false, interval_seconds: 30}
logs: {cloudwatch: true, cloudwatch_group: My-ASR}
ssm: {poll_seconds: 5, timeout_minutes: 90}
)";
  const Result<Config> c = ParseConfigYaml(yaml, "asr.yaml", Cat());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->routing.default_backend, routing::Backend::kNative);
  EXPECT_EQ(c->routing.backends.at("afsbp"), routing::Backend::kSsm);
  EXPECT_EQ(c->routing.backends.at("ec2.6"), routing::Backend::kSsm);
  EXPECT_EQ(c->routing.backends.at("sc:s3.2"), routing::Backend::kNative);
  const ServeConfig& s = c->serve;
  EXPECT_EQ(s.sqs_queue_url, "https://sqs.eu-west-1.amazonaws.com/111111111111/asr-intake");
  EXPECT_EQ(s.sqs_wait_seconds, 5);
  EXPECT_EQ(s.sqs_max_messages, 3);
  EXPECT_EQ(s.sweep_interval, std::chrono::hours(168));
  EXPECT_TRUE(s.sweep_on_start);
  EXPECT_EQ(s.sweep_max_findings, 50);
  EXPECT_FALSE(s.alarms);
  EXPECT_DOUBLE_EQ(s.alarm_failure_threshold_percent, 12.5);
  EXPECT_EQ(s.alarm_executions_per_day, 400);
  EXPECT_TRUE(s.cloudwatch_metrics);
  EXPECT_FALSE(s.enhanced_metrics);
  EXPECT_EQ(s.cloudwatch_interval, std::chrono::seconds(30));
  EXPECT_TRUE(s.cloudwatch_logs);
  EXPECT_EQ(s.cloudwatch_log_group, "My-ASR");
  EXPECT_EQ(s.ssm_poll_interval, std::chrono::seconds(5));
  EXPECT_EQ(s.ssm_timeout, std::chrono::minutes(90));
}

TEST(ConfigTest, NewFeaturesAreOffByDefault) {
  const Result<Config> c = ParseConfigYaml("", "asr.yaml", Cat());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->routing.default_backend, routing::Backend::kNative);
  EXPECT_TRUE(c->serve.sqs_queue_url.empty());
  EXPECT_EQ(c->serve.sweep_interval, std::chrono::hours(0));
  EXPECT_FALSE(c->serve.cloudwatch_metrics);
  EXPECT_FALSE(c->serve.cloudwatch_logs);
  EXPECT_EQ(c->serve.ssm_poll_interval, std::chrono::seconds(10));
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
