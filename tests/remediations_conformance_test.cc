// Walks the remediation registry (STYLE.md "Remediations"): every remediation's spec is
// well-formed and agrees with the catalogue, its example resource resolves, and an AccessDenied or
// a throttling error from AWS comes out of its plan with the right code and retryable flag, for
// every protocol its services use. Adding a remediation adds it to every check here.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <regex>
#include <set>
#include <string>

#include "aws/client.h"
#include "aws/testing/scripted_transport.h"
#include "catalog/catalog.h"
#include "common/arn.h"
#include "remediation/registry.h"
#include "remediation/roles.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

const std::vector<const Remediation*>& All() {
  static const std::vector<const Remediation*> all = Registry::Global().All();
  return all;
}

TEST(RemediationConformanceTest, RegistryHasNoProblemsAndAtLeastTheFirstRemediations) {
  EXPECT_TRUE(Registry::Global().problems().empty()) << Registry::Global().problems().front();
  EXPECT_GE(All().size(), 1u);
}

TEST(RemediationConformanceTest, IdsAreRunbookNamesThatMakeValidRoleNames) {
  std::set<std::string> seen;
  for (const Remediation* r : All()) {
    const RemediationSpec& s = r->spec();
    SCOPED_TRACE(s.id);
    EXPECT_TRUE(std::regex_match(s.id, std::regex("[A-Z][A-Za-z0-9]+")));
    EXPECT_TRUE(seen.insert(s.id).second);
    // The longest namespace (9 characters) must still give a legal role name.
    EXPECT_TRUE(ValidateRoleName(RemediationRoleName(s.id, "123456789")).ok());
    EXPECT_FALSE(s.title.empty());
    EXPECT_FALSE(s.resource_type.empty());
    if (s.reversible == Reversible::kNo) {
      EXPECT_FALSE(s.reversibility_note.empty()) << "say why it cannot be undone";
    }
  }
}

TEST(RemediationConformanceTest, PermissionsAreExactIamActions) {
  const std::regex action("[a-z0-9-]+:[A-Z][A-Za-z0-9]+");
  for (const Remediation* r : All()) {
    const RemediationSpec& s = r->spec();
    SCOPED_TRACE(s.id);
    EXPECT_FALSE(s.permissions.empty());
    std::set<std::string> seen;
    for (const std::string& p : s.permissions) {
      EXPECT_TRUE(std::regex_match(p, action)) << p << " is not service:Action (no wildcards)";
      EXPECT_TRUE(seen.insert(p).second) << p << " listed twice";
    }
  }
}

// Each declared control is a security control whose catalogue remediation is this one, and every
// security control the catalogue maps to this remediation is declared.
TEST(RemediationConformanceTest, ControlsAgreeWithTheCatalogue) {
  const catalog::Catalog& cat = catalog::Catalog::Builtin();
  const catalog::Playbook* sc = cat.FindPlaybook("SC");
  ASSERT_NE(sc, nullptr);
  for (const Remediation* r : All()) {
    const RemediationSpec& s = r->spec();
    SCOPED_TRACE(s.id);
    ASSERT_FALSE(s.controls.empty());
    std::set<std::string> declared;
    for (const ControlBinding& b : s.controls) {
      declared.insert(b.control_id);
      const catalog::Control* c = cat.FindControl(*sc, b.control_id);
      ASSERT_NE(c, nullptr) << b.control_id << " is not a security control";
      EXPECT_EQ(c->remediation_id, s.id) << b.control_id;
      for (const auto& [name, value] : b.defaults) {
        const bool known = std::any_of(s.parameters.begin(), s.parameters.end(),
                                       [&](const ParamSpec& p) { return p.name == name; });
        EXPECT_TRUE(known) << b.control_id << " sets unknown parameter " << name;
      }
    }
    for (const catalog::Control& c : cat.Controls(*sc)) {
      if (c.remediation_id == s.id) {
        EXPECT_TRUE(declared.count(std::string(c.control_id)) == 1)
            << "the catalogue maps " << c.control_id << " to " << s.id << " but it is not declared";
      }
    }
  }
}

TEST(RemediationConformanceTest, ParameterDefaultsResolveForEveryControl) {
  for (const Remediation* r : All()) {
    const RemediationSpec& s = r->spec();
    SCOPED_TRACE(s.id);
    std::set<std::string> names;
    for (const ParamSpec& p : s.parameters) {
      EXPECT_TRUE(names.insert(p.name).second) << p.name << " declared twice";
      EXPECT_TRUE(std::regex_match(p.name, std::regex("[A-Z][A-Za-z0-9]*"))) << p.name;
      EXPECT_LE(p.min, p.max) << p.name;
      EXPECT_FALSE(p.description.empty()) << p.name;
    }
    for (const ControlBinding& b : s.controls) {
      const Result<Params> params = ResolveParams(s, b.control_id, json::object(), json());
      EXPECT_TRUE(params.ok()) << b.control_id << ": " << params.status().ToString();
    }
  }
}

// A target for the spec's example resource: account, region and partition from the ARN when it
// has them.
Target ExampleTarget(const RemediationSpec& s) {
  Target t{.account_id = "111111111111",
           .region = "us-east-1",
           .partition = "aws",
           .control_id = s.controls.front().control_id,
           .resource_type = s.resource_type,
           .resource_id = s.example_resource_id};
  if (const std::optional<Arn> arn = ParseArn(s.example_resource_id)) {
    t.partition = std::string(arn->partition);
    if (!arn->account.empty()) {
      t.account_id = std::string(arn->account);
    }
    if (!arn->region.empty()) {
      t.region = std::string(arn->region);
    }
  }
  if (s.example_resource_id.empty()) {
    t.resource_id = "AWS::::Account:" + t.account_id;
  }
  return t;
}

TEST(RemediationConformanceTest, ExampleResourceResolvesAndGarbageIsRejected) {
  for (const Remediation* r : All()) {
    const RemediationSpec& s = r->spec();
    SCOPED_TRACE(s.id);
    const Result<json> ok = r->Resolve(ExampleTarget(s));
    EXPECT_TRUE(ok.ok()) << ok.status().ToString();
    if (s.resource_type != "AwsAccount") {
      Target bad = ExampleTarget(s);
      bad.resource_id = "not-a-resource-id";
      const Result<json> rejected = r->Resolve(bad);
      ASSERT_FALSE(rejected.ok());
      EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(rejected.status().message().find("not-a-resource-id"), std::string::npos)
          << "the error should name the resource id: " << rejected.status().message();
    }
  }
}

// Answers every request with an error of `kind` in the request's own protocol.
enum class ErrorKind { kAccessDenied, kThrottling };

aws::HttpResponse ErrorFor(const aws::HttpRequest& req, ErrorKind kind) {
  const bool denied = kind == ErrorKind::kAccessDenied;
  if (req.FindHeader("X-Amz-Target") != nullptr) {
    return aws::testing::JsonError(400, denied ? "AccessDeniedException" : "ThrottlingException",
                                   "scripted");
  }
  const std::string* type = req.FindHeader("Content-Type");
  if (type != nullptr && type->find("x-www-form-urlencoded") != std::string::npos) {
    if (req.host.starts_with("ec2.")) {
      return aws::testing::Ec2Error(denied ? 403 : 503,
                                    denied ? "UnauthorizedOperation" : "RequestLimitExceeded",
                                    "scripted");
    }
    return aws::testing::QueryError(denied ? 403 : 400, denied ? "AccessDenied" : "Throttling",
                                    "scripted");
  }
  if (req.host.find("s3") != std::string::npos) {
    return aws::testing::S3Error(denied ? 403 : 503, denied ? "AccessDenied" : "SlowDown",
                                 "scripted");
  }
  return aws::testing::RestJsonError(denied ? 403 : 429,
                                     denied ? "AccessDeniedException" : "TooManyRequestsException",
                                     "scripted");
}

class ErrorTransport final : public aws::Transport {
 public:
  explicit ErrorTransport(ErrorKind kind) : kind_(kind) {}
  Result<aws::HttpResponse> Send(const aws::HttpRequest& request,
                                 const aws::TransportOptions& /*options*/) override {
    ++requests_;
    return ErrorFor(request, kind_);
  }
  int requests_ = 0;

 private:
  ErrorKind kind_;
};

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*d*/) override {}
};

class ZeroRandom final : public aws::Random {
 public:
  double Uniform() override { return 0; }
};

Status PlanWith(const Remediation& r, ErrorKind kind, int* requests) {
  ErrorTransport transport(kind);
  aws::StaticCredentialsProvider creds(aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                                                        .secret_access_key = "secret",
                                                        .session_token = "",
                                                        .expiration = std::nullopt,
                                                        .source = "test"});
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1'795'000'000)));
  NoSleep sleeper;
  ZeroRandom random;
  MemoryLogSink sink;
  const Logger logger(sink, clock, LogLevel::kDebug);
  aws::Client client(transport, creds, aws::BuiltinModels(), clock, sleeper, random, &logger,
                     {.region = "us-east-1", .retry = {.max_attempts = 2}});
  const RemediationSpec& s = r.spec();
  const Target target = ExampleTarget(s);
  Result<json> resource = r.Resolve(target);
  if (!resource.ok()) {
    return resource.status();
  }
  Result<Params> params = ResolveParams(s, target.control_id, json::object(), json());
  if (!params.ok()) {
    return params.status();
  }
  Context ctx(client, s, clock, sleeper, logger, {.region = target.region, .credentials = &creds});
  ctx.set_phase(Phase::kPlan);
  const Invocation inv{.target = target, .params = *params, .resource = *resource};
  Result<Plan> plan = r.MakePlan(ctx, inv);
  *requests = transport.requests_;
  for (const CallRecord& c : ctx.calls()) {
    EXPECT_FALSE(c.mutating) << s.id << " plan called " << c.service << "." << c.operation;
  }
  return plan.ok() ? Status::Ok() : plan.status();
}

TEST(RemediationConformanceTest, AccessDeniedIsAClearNonRetryableFailure) {
  for (const Remediation* r : All()) {
    SCOPED_TRACE(r->spec().id);
    int requests = 0;
    const Status s = PlanWith(*r, ErrorKind::kAccessDenied, &requests);
    EXPECT_GT(requests, 0) << "the plan should read the resource";
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
    EXPECT_FALSE(s.retryable()) << s.ToString();
    EXPECT_EQ(requests, 1) << "AccessDenied must not be retried";
  }
}

TEST(RemediationConformanceTest, ThrottlingIsRetriedAndReportedRetryable) {
  for (const Remediation* r : All()) {
    SCOPED_TRACE(r->spec().id);
    int requests = 0;
    const Status s = PlanWith(*r, ErrorKind::kThrottling, &requests);
    EXPECT_EQ(s.code(), StatusCode::kThrottled) << s.ToString();
    EXPECT_TRUE(s.retryable()) << s.ToString();
    EXPECT_EQ(requests, 2) << "throttling is retried up to max_attempts";
  }
}

}  // namespace
}  // namespace asr::remediation
