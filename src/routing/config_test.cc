#include "routing/config.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace asr::routing {
namespace {

TEST(RoutingConfigTest, ParsesControlModes) {
  EXPECT_EQ(*ParseControlMode("AUTO"), ControlMode::kAuto);
  EXPECT_EQ(*ParseControlMode("approve"), ControlMode::kApprove);
  const auto bad = ParseControlMode("yes");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("off, manual, approve, auto"), std::string::npos);
}

TEST(RoutingConfigTest, ParsesBackends) {
  EXPECT_EQ(*ParseBackend("SSM"), Backend::kSsm);
  EXPECT_EQ(*ParseBackend("native"), Backend::kNative);
  EXPECT_EQ(BackendName(Backend::kSsm), "ssm");
  ASSERT_FALSE(ParseBackend("lambda").ok());
}

TEST(RoutingConfigTest, DefaultsAreValidAndSafe) {
  const RoutingConfig config;
  EXPECT_TRUE(Validate(config, catalog::Catalog::Builtin()).ok());
  EXPECT_EQ(config.default_mode, ControlMode::kManual);
  EXPECT_EQ(config.playbooks, std::vector<std::string>{"SC"});
}

TEST(RoutingConfigTest, ValidationNamesTheKey) {
  struct Case {
    std::string name;
    std::function<void(RoutingConfig&)> edit;
    std::string want;
  };
  const Case cases[] = {
      {"unknown playbook",
       [](RoutingConfig& c) {
         c.playbooks = {"SC", "CIS999"};
       },
       "playbooks[1]: unknown playbook \"CIS999\""},
      {"bad account", [](RoutingConfig& c) { c.filters.accounts.exclude = {"1234"}; },
       "filters.accounts.exclude[0]"},
      {"bad region", [](RoutingConfig& c) { c.filters.regions.include = {"US East"}; },
       "filters.regions.include[0]"},
      {"empty tag key", [](RoutingConfig& c) { c.filters.tags.include = {{.key = " "}}; },
       "filters.tags.include[0]"},
      {"empty resource pattern", [](RoutingConfig& c) { c.filters.resources.exclude = {""}; },
       "filters.resources.exclude[0]"},
      {"unknown playbook in control key",
       [](RoutingConfig& c) { c.control_modes["XYZ:1.1"] = ControlMode::kAuto; },
       "controls.XYZ:1.1"},
      {"unknown playbook in backend key",
       [](RoutingConfig& c) { c.backends["XYZ:1.1"] = Backend::kSsm; }, "backends.XYZ:1.1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RoutingConfig config;
    c.edit(config);
    const Status s = Validate(config, catalog::Catalog::Builtin());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace asr::routing
