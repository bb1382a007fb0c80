#include "aws/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <atomic>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aws/curl_transport.h"
#include "aws/internal/ini.h"
#include "aws/internal/iso8601.h"
#include "aws/testing/fake_http_server.h"
#include "common/clock.h"

namespace asr::aws {
namespace {

using ::asr::aws::testing::FakeHttpServer;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;
using Env = std::map<std::string, std::string>;

const std::chrono::system_clock::time_point kStart =
    std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year(2026),
                                                      std::chrono::November, std::chrono::day(28)}};

std::string Iso(std::chrono::system_clock::time_point t) { return FormatRfc3339Millis(t); }

// A directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "asr_credentials_XXXXXX").string();
    const char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] std::string Path(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to `name` and returns the full path.
  std::string Write(const std::string& name, const std::string& contents) const {
    std::ofstream out(Path(name), std::ios::binary | std::ios::trunc);
    out << contents;
    return Path(name);
  }

 private:
  std::string path_;
};

// Records calls and hands out numbered credentials that expire after `lifetime`.
class FakeSts final : public StsApi {
 public:
  struct AssumeRoleCall {
    Credentials source;
    AssumeRoleRequest request;
  };

  explicit FakeSts(const Clock& clock) : clock_(clock) {}

  Result<Credentials> AssumeRole(const Credentials& source,
                                 const AssumeRoleRequest& request) override {
    const std::lock_guard<std::mutex> lock(mu_);
    assume_role_calls_.push_back({source, request});
    if (!failure_.ok()) {
      return failure_;
    }
    return Issue("ASIA-" + request.role_arn + "-" + std::to_string(assume_role_calls_.size()));
  }

  Result<Credentials> AssumeRoleWithWebIdentity(const WebIdentityRequest& request) override {
    const std::lock_guard<std::mutex> lock(mu_);
    web_identity_calls_.push_back(request);
    if (!failure_.ok()) {
      return failure_;
    }
    return Issue("ASIA-WEB-" + std::to_string(web_identity_calls_.size()));
  }

  void Fail(Status status) {
    const std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::move(status);
  }
  std::vector<AssumeRoleCall> assume_role_calls() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return assume_role_calls_;
  }
  std::vector<WebIdentityRequest> web_identity_calls() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return web_identity_calls_;
  }

 private:
  Credentials Issue(std::string key) const {
    return Credentials{.access_key_id = std::move(key),
                       .secret_access_key = "assumed-secret",
                       .session_token = "assumed-token",
                       .expiration = clock_.Now() + std::chrono::hours(1)};
  }

  const Clock& clock_;
  mutable std::mutex mu_;
  Status failure_;
  std::vector<AssumeRoleCall> assume_role_calls_;
  std::vector<WebIdentityRequest> web_identity_calls_;
};

// Everything a provider needs, with the shared files in a temp dir and the metadata endpoints on
// a loopback port nobody listens on, so no test ever reaches a real 169.254.x.x address.
class ProviderTest : public ::testing::Test {
 protected:
  ProviderTest() {
    auto transport = CurlTransport::Create();
    EXPECT_TRUE(transport.ok());
    if (transport.ok()) {
      transport_ = std::move(transport).value();
    }
    dead_endpoint_ = "http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  }

  ProviderContext Context(Env env) {
    env.emplace("HOME", dir_.Path("home"));
    return ProviderContext{.env = MapEnv(std::move(env)),
                           .transport = transport_.get(),
                           .sts = &sts_,
                           .clock = &clock_,
                           .files = SharedConfigFiles{.config = dir_.Path("config"),
                                                      .credentials = dir_.Path("credentials")},
                           .container_endpoint = dead_endpoint_,
                           .instance_metadata_endpoint = dead_endpoint_,
                           .credential_process_timeout = std::chrono::milliseconds(5000)};
  }

  std::unique_ptr<FakeHttpServer> StartServer(FakeHttpServer::Handler handler) {
    auto server = FakeHttpServer::Start(std::move(handler));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(server).value() : nullptr;
  }

  FakeClock clock_{kStart};
  FakeSts sts_{clock_};
  std::unique_ptr<CurlTransport> transport_;
  TempDir dir_;
  std::string dead_endpoint_;
};

std::string CredentialsJson(std::string_view key, std::string_view token_field,
                            std::chrono::system_clock::time_point expiration) {
  return std::string(R"({"AccessKeyId": ")") + std::string(key) +
         R"(", "SecretAccessKey": "remote-secret", ")" + std::string(token_field) +
         R"(": "remote-token", "Expiration": ")" + Iso(expiration) + R"("})";
}

// ------------------------------------------------------------------------------------------------

TEST(CredentialsTimeTest, ParsesIso8601) {
  struct Case {
    std::string input;
    std::optional<std::chrono::system_clock::time_point> want;  // nullopt: error
  };
  const auto at = [](int h, int m, int s) {
    return kStart + std::chrono::hours(h) + minutes(m) + seconds(s);
  };
  const std::vector<Case> cases = {
      {"2026-11-28T09:00:00Z", at(9, 0, 0)},
      {"2026-11-28T09:00:00.250Z", at(9, 0, 0) + std::chrono::milliseconds(250)},
      {"2026-11-28T09:00:00.123456789Z",
       at(9, 0, 0) + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         std::chrono::nanoseconds(123456789))},
      {"2026-11-28T11:30:00+02:30", at(9, 0, 0)},
      {"2026-11-28T08:00:00-01:00", at(9, 0, 0)},
      {"2026-11-28t09:00:00z", at(9, 0, 0)},
      {"2026-11-28 09:00:00Z", at(9, 0, 0)},
      {"2026-11-28T09:00:00", std::nullopt},
      {"2026-02-30T09:00:00Z", std::nullopt},
      {"2026-11-28T24:00:00Z", std::nullopt},
      {"2026-11-28T09:00:00.Z", std::nullopt},
      {"2026-11-28T09:00:00+0200", std::nullopt},
      {"tomorrow", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    auto got = internal::ParseIso8601(c.input);
    if (!c.want.has_value()) {
      EXPECT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, *c.want);
  }
}

TEST(CredentialsIniTest, ParsesSharedFileSyntax) {
  const std::string text =
      "# comment\n"
      "; another\n"
      "[default]\n"
      "  aws_access_key_id = AKIDDEFAULT\r\n"
      "  AWS_Secret_Access_Key=secret with spaces  \n"
      "\n"
      "[profile dev] ; trailing comment\n"
      "region: eu-west-1\n"
      "s3 =\n"
      "  max_concurrent_requests = 10\n"
      "  addressing_style = path\n"
      "output = json\n";
  auto ini = internal::ParseIni(text, "config");
  ASSERT_TRUE(ini.ok()) << ini.status().ToString();
  const internal::IniFile want = {
      {"default",
       {{"aws_access_key_id", "AKIDDEFAULT"}, {"aws_secret_access_key", "secret with spaces"}}},
      {"profile dev", {{"region", "eu-west-1"}, {"s3", ""}, {"output", "json"}}},
  };
  EXPECT_EQ(*ini, want);
}

TEST(CredentialsIniTest, RejectsMalformedLinesWithoutQuotingThem) {
  struct Case {
    std::string name;
    std::string text;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"key before section", "aws_secret_access_key = TOPSECRET\n", "f:1:"},
      {"no separator", "[default]\nTOPSECRET\n", "f:2:"},
      {"unclosed header", "[default\n", "f:1:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto ini = internal::ParseIni(c.text, "f");
    ASSERT_FALSE(ini.ok());
    EXPECT_EQ(ini.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(ini.status().message(), HasSubstr(c.want_message));
    EXPECT_THAT(ini.status().message(), Not(HasSubstr("TOPSECRET")));
  }
}

TEST(CredentialsIniTest, MergesProfilesWithCredentialsFileWinning) {
  const internal::IniFile config = {
      {"default", {{"region", "us-east-1"}, {"aws_access_key_id", "FROMCONFIG"}}},
      {"profile dev", {{"role_arn", "arn:aws:iam::1:role/r"}}},
      {"profile default", {{"output", "json"}}},
      {"sso-session corp", {{"sso_region", "us-east-1"}}},
      {"notaprofile", {{"x", "y"}}},
  };
  const internal::IniFile credentials = {
      {"default", {{"aws_access_key_id", "FROMCREDS"}}},
      {"prod", {{"aws_access_key_id", "PROD"}}},
  };
  const internal::Profiles want = {
      {"default",
       {{"region", "us-east-1"}, {"aws_access_key_id", "FROMCREDS"}, {"output", "json"}}},
      {"dev", {{"role_arn", "arn:aws:iam::1:role/r"}}},
      {"prod", {{"aws_access_key_id", "PROD"}}},
  };
  EXPECT_EQ(internal::MergeProfiles(config, credentials), want);
}

// ------------------------------------------------------------------------------------------------

TEST(EnvironmentCredentialsTest, ReadsVariables) {
  struct Case {
    std::string name;
    Env env;
    StatusCode want_code;
    Credentials want;
    std::string want_message;  // substring, for errors
  };
  const std::vector<Case> cases = {
      {"long-term",
       {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "SECRETVALUE"}},
       StatusCode::kOk,
       {.access_key_id = "AKID", .secret_access_key = "SECRETVALUE"}},
      {"session token",
       {{"AWS_ACCESS_KEY_ID", "ASIA"},
        {"AWS_SECRET_ACCESS_KEY", "SECRETVALUE"},
        {"AWS_SESSION_TOKEN", "tok"},
        {"AWS_SECURITY_TOKEN", "legacy"},
        {"AWS_CREDENTIAL_EXPIRATION", "2026-11-28T09:00:00Z"}},
       StatusCode::kOk,
       {.access_key_id = "ASIA",
        .secret_access_key = "SECRETVALUE",
        .session_token = "tok",
        .expiration = kStart + std::chrono::hours(9)}},
      {"legacy token",
       {{"AWS_ACCESS_KEY_ID", "ASIA"},
        {"AWS_SECRET_ACCESS_KEY", "SECRETVALUE"},
        {"AWS_SECURITY_TOKEN", "legacy"}},
       StatusCode::kOk,
       {.access_key_id = "ASIA", .secret_access_key = "SECRETVALUE", .session_token = "legacy"}},
      {"nothing set", {}, StatusCode::kNotFound, {}, "AWS_ACCESS_KEY_ID"},
      {"empty values are unset",
       {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}},
       StatusCode::kNotFound,
       {},
       "not set"},
      {"missing secret",
       {{"AWS_ACCESS_KEY_ID", "AKIDVALUE"}},
       StatusCode::kInvalidArgument,
       {},
       "AWS_SECRET_ACCESS_KEY is not"},
      {"missing key id",
       {{"AWS_SECRET_ACCESS_KEY", "SECRETVALUE"}},
       StatusCode::kInvalidArgument,
       {},
       "AWS_ACCESS_KEY_ID is not"},
      {"bad expiration",
       {{"AWS_ACCESS_KEY_ID", "AKID"},
        {"AWS_SECRET_ACCESS_KEY", "SECRETVALUE"},
        {"AWS_CREDENTIAL_EXPIRATION", "soon"}},
       StatusCode::kInvalidArgument,
       {},
       "AWS_CREDENTIAL_EXPIRATION"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EnvironmentCredentialsProvider provider(MapEnv(c.env));
    auto got = provider.Get();
    if (c.want_code != StatusCode::kOk) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), c.want_code);
      EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
      EXPECT_THAT(got.status().message(), Not(HasSubstr("SECRETVALUE")));
      EXPECT_THAT(got.status().message(), Not(HasSubstr("AKIDVALUE")));
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->access_key_id, c.want.access_key_id);
    EXPECT_EQ(got->secret_access_key, c.want.secret_access_key);
    EXPECT_EQ(got->session_token, c.want.session_token);
    EXPECT_EQ(got->expiration, c.want.expiration);
    EXPECT_EQ(got->source, "environment");
  }
}

// ------------------------------------------------------------------------------------------------

using ProfileCredentialsTest = ProviderTest;

TEST_F(ProfileCredentialsTest, ResolvesStaticKeys) {
  struct Case {
    std::string name;
    std::string config;
    std::string credentials;
    Env env;
    std::string profile;  // "" = from the environment
    StatusCode want_code;
    std::string want_key;
    std::string want_token;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"default from credentials file",
       "",
       "[default]\naws_access_key_id=A1\naws_secret_access_key=S\n",
       {},
       "",
       StatusCode::kOk,
       "A1",
       ""},
      {"default from config file",
       "[default]\naws_access_key_id=A2\naws_secret_access_key=S\n"
       "aws_session_token=T2\n",
       "",
       {},
       "",
       StatusCode::kOk,
       "A2",
       "T2"},
      {"credentials file wins",
       "[default]\naws_access_key_id=CFG\naws_secret_access_key=S\n",
       "[default]\naws_access_key_id=CRED\n",
       {},
       "",
       StatusCode::kOk,
       "CRED",
       ""},
      {"AWS_PROFILE selects",
       "[profile dev]\naws_access_key_id=DEV\naws_secret_access_key=S\n",
       "[default]\naws_access_key_id=DEF\naws_secret_access_key=S\n",
       {{"AWS_PROFILE", "dev"}},
       "",
       StatusCode::kOk,
       "DEV",
       ""},
      {"AWS_DEFAULT_PROFILE selects",
       "",
       "[ops]\naws_access_key_id=OPS\naws_secret_access_key=S\naws_security_token=LEG\n",
       {{"AWS_DEFAULT_PROFILE", "ops"}},
       "",
       StatusCode::kOk,
       "OPS",
       "LEG"},
      {"AWS_PROFILE beats AWS_DEFAULT_PROFILE",
       "",
       "[a]\naws_access_key_id=A\naws_secret_access_key=S\n"
       "[b]\naws_access_key_id=B\naws_secret_access_key=S\n",
       {{"AWS_PROFILE", "a"}, {"AWS_DEFAULT_PROFILE", "b"}},
       "",
       StatusCode::kOk,
       "A",
       ""},
      {"given name beats AWS_PROFILE",
       "",
       "[a]\naws_access_key_id=A\naws_secret_access_key=S\n"
       "[b]\naws_access_key_id=B\naws_secret_access_key=S\n",
       {{"AWS_PROFILE", "a"}},
       "b",
       StatusCode::kOk,
       "B",
       ""},
      {"config header without 'profile' is ignored",
       "[dev]\naws_access_key_id=X\naws_secret_access_key=S\n",
       "",
       {},
       "dev",
       StatusCode::kFailedPrecondition,
       "",
       "",
       "\"dev\""},
      {"no files", "", "", {}, "", StatusCode::kNotFound, "", "", "\"default\""},
      {"selected profile missing",
       "",
       "[default]\naws_access_key_id=A\naws_secret_access_key=S\n",
       {{"AWS_PROFILE", "nope"}},
       "",
       StatusCode::kFailedPrecondition,
       "",
       "",
       "AWS_PROFILE"},
      {"profile without credentials",
       "[default]\nregion=us-east-1\n",
       "",
       {},
       "",
       StatusCode::kNotFound,
       "",
       "",
       "no aws_access_key_id"},
      {"key without secret",
       "",
       "[default]\naws_access_key_id=AKIDVALUE\n",
       {},
       "",
       StatusCode::kInvalidArgument,
       "",
       "",
       "aws_secret_access_key"},
      {"malformed file",
       "",
       "[default]\nSECRETVALUE\n",
       {},
       "",
       StatusCode::kInvalidArgument,
       "",
       "",
       "credentials:2"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    dir_.Write("config", c.config);
    dir_.Write("credentials", c.credentials);
    if (c.config.empty()) {
      std::filesystem::remove(dir_.Path("config"));
    }
    const ProviderContext context = Context(c.env);
    auto provider = c.profile.empty()
                        ? std::make_unique<ProfileCredentialsProvider>(context)
                        : std::make_unique<ProfileCredentialsProvider>(context, c.profile);
    auto got = provider->Get();
    if (c.want_code != StatusCode::kOk) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), c.want_code) << got.status().ToString();
      EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
      EXPECT_THAT(got.status().message(), Not(HasSubstr("SECRETVALUE")));
      EXPECT_THAT(got.status().message(), Not(HasSubstr("AKIDVALUE")));
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->access_key_id, c.want_key);
    EXPECT_EQ(got->secret_access_key, "S");
    EXPECT_EQ(got->session_token, c.want_token);
    EXPECT_THAT(got->source, HasSubstr("profile"));
  }
}

TEST_F(ProfileCredentialsTest, AssumesRoleWithSourceProfile) {
  dir_.Write("config",
             "[profile admin]\n"
             "role_arn = arn:aws:iam::111122223333:role/Admin\n"
             "source_profile = base\n"
             "external_id = ext-123\n"
             "role_session_name = job-42\n"
             "duration_seconds = 1800\n"
             "region = eu-central-1\n");
  dir_.Write("credentials",
             "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = BASESECRET\n");
  ProfileCredentialsProvider provider(Context({{"AWS_PROFILE", "admin"}}));

  auto got = provider.Get();

  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->access_key_id, "ASIA-arn:aws:iam::111122223333:role/Admin-1");
  const auto calls = sts_.assume_role_calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].source.access_key_id, "BASEKEY");
  EXPECT_EQ(calls[0].source.secret_access_key, "BASESECRET");
  EXPECT_EQ(calls[0].request.role_arn, "arn:aws:iam::111122223333:role/Admin");
  EXPECT_EQ(calls[0].request.external_id, "ext-123");
  EXPECT_EQ(calls[0].request.session_name, "job-42");
  EXPECT_EQ(calls[0].request.duration, seconds(1800));
  EXPECT_EQ(calls[0].request.region, "eu-central-1");

  // Cached: no second STS call while the session is fresh.
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(sts_.assume_role_calls().size(), 1U);
}

TEST_F(ProfileCredentialsTest, ChainsRolesThroughSourceProfiles) {
  dir_.Write("config",
             "[profile member]\nrole_arn = arn:aws:iam::2:role/Member\nsource_profile = hub\n"
             "[profile hub]\nrole_arn = arn:aws:iam::1:role/Hub\nsource_profile = base\n"
             "[profile selfref]\nrole_arn = arn:aws:iam::3:role/Self\nsource_profile = selfref\n"
             "aws_access_key_id = SELFKEY\naws_secret_access_key = SELFSECRET\n");
  dir_.Write("credentials", "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = S\n");

  ProfileCredentialsProvider member(Context({}), "member");
  auto got = member.Get();

  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto calls = sts_.assume_role_calls();
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(calls[0].request.role_arn, "arn:aws:iam::1:role/Hub");
  EXPECT_EQ(calls[0].source.access_key_id, "BASEKEY");
  EXPECT_EQ(calls[1].request.role_arn, "arn:aws:iam::2:role/Member");
  EXPECT_EQ(calls[1].source.access_key_id, "ASIA-arn:aws:iam::1:role/Hub-1");
  EXPECT_EQ(got->access_key_id, "ASIA-arn:aws:iam::2:role/Member-2");
  EXPECT_THAT(calls[1].request.session_name, HasSubstr("asr-session-"));

  // A profile naming itself as source uses its own static keys.
  ProfileCredentialsProvider self(Context({}), "selfref");
  ASSERT_TRUE(self.Get().ok());
  calls = sts_.assume_role_calls();
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[2].source.access_key_id, "SELFKEY");
}

TEST_F(ProfileCredentialsTest, RejectsMalformedRoleProfiles) {
  struct Case {
    std::string name;
    std::string config;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"cycle",
       "[profile a]\nrole_arn=arn:aws:iam::1:role/A\nsource_profile=b\n"
       "[profile b]\nrole_arn=arn:aws:iam::1:role/B\nsource_profile=c\n"
       "[profile c]\nrole_arn=arn:aws:iam::1:role/C\nsource_profile=a\n",
       "cycle: a -> b -> c -> a"},
      {"missing source profile",
       "[profile a]\nrole_arn=arn:aws:iam::1:role/A\nsource_profile=gone\n",
       "source_profile \"gone\" does not exist"},
      {"source profile without credentials",
       "[profile a]\nrole_arn=arn:aws:iam::1:role/A\nsource_profile=empty\n[profile "
       "empty]\nregion=x\n",
       "source_profile \"empty\" has no credentials"},
      {"both sources",
       "[profile "
       "a]\nrole_arn=arn:aws:iam::1:role/A\nsource_profile=b\ncredential_source=Environment\n"
       "[profile b]\naws_access_key_id=K\naws_secret_access_key=S\n",
       "mutually exclusive"},
      {"unknown credential_source",
       "[profile a]\nrole_arn=arn:aws:iam::1:role/A\ncredential_source=Magic\n",
       "credential_source \"Magic\" is not one of Environment"},
      {"role without source", "[profile a]\nrole_arn=arn:aws:iam::1:role/A\n",
       "needs source_profile, credential_source or web_identity_token_file"},
      {"bad duration",
       "[profile a]\nrole_arn=arn:aws:iam::1:role/A\ncredential_source=Environment\n"
       "duration_seconds=60\n",
       "duration_seconds \"60\""},
      {"self reference without keys",
       "[profile a]\nrole_arn=arn:aws:iam::1:role/A\nsource_profile=a\n",
       "names the profile itself"},
  };
  dir_.Write("credentials", "");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    dir_.Write("config", c.config);
    ProfileCredentialsProvider provider(Context({}), "a");
    auto got = provider.Get();
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr("profile a"));
    EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
  }
  EXPECT_TRUE(sts_.assume_role_calls().empty());
}

TEST_F(ProfileCredentialsTest, AssumesRoleFromCredentialSource) {
  auto server = StartServer([this](const HttpRequest& request) {
    if (request.path == "/ecs/creds") {
      return HttpResponse{.status = 200,
                          .body = CredentialsJson("ECSKEY", "Token", clock_.Now() + minutes(60))};
    }
    return HttpResponse{.status = 404};
  });
  ASSERT_NE(server, nullptr);
  struct Case {
    std::string name;
    std::string credential_source;
    Env env;
    std::string want_source_key;
    StatusCode want_code;
  };
  const std::vector<Case> cases = {
      {"environment",
       "Environment",
       {{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "S"}},
       "ENVKEY",
       StatusCode::kOk},
      {"container",
       "EcsContainer",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/ecs/creds"}},
       "ECSKEY",
       StatusCode::kOk},
      // A configured source that has nothing is an error, not "try the next provider".
      {"environment empty", "Environment", {}, "", StatusCode::kFailedPrecondition},
  };
  dir_.Write("credentials", "");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    dir_.Write("config", "[default]\nrole_arn=arn:aws:iam::1:role/R\ncredential_source=" +
                             c.credential_source + "\n");
    const size_t before = sts_.assume_role_calls().size();
    ProfileCredentialsProvider provider(Context(c.env));
    auto got = provider.Get();
    if (c.want_code != StatusCode::kOk) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), c.want_code) << got.status().ToString();
      EXPECT_EQ(sts_.assume_role_calls().size(), before);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const auto calls = sts_.assume_role_calls();
    ASSERT_EQ(calls.size(), before + 1);
    EXPECT_EQ(calls.back().source.access_key_id, c.want_source_key);
  }
}

TEST_F(ProfileCredentialsTest, AssumesRoleWithWebIdentityTokenFile) {
  const std::string token_file = dir_.Write("token", "eyJ.token.sig\n");
  dir_.Write("config",
             "[profile eks]\nrole_arn = arn:aws:iam::1:role/Eks\nweb_identity_token_file = " +
                 token_file + "\nrole_session_name = pod\n");
  ProfileCredentialsProvider provider(Context({}), "eks");

  auto got = provider.Get();

  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->access_key_id, "ASIA-WEB-1");
  const auto calls = sts_.web_identity_calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].role_arn, "arn:aws:iam::1:role/Eks");
  EXPECT_EQ(calls[0].token, "eyJ.token.sig");
  EXPECT_EQ(calls[0].session_name, "pod");
}

// ------------------------------------------------------------------------------------------------

using CredentialProcessTest = ProviderTest;

TEST_F(CredentialProcessTest, RunsCommandAndParsesItsOutput) {
  struct Case {
    std::string name;
    std::string command;
    std::chrono::milliseconds timeout;
    StatusCode want_code;
    std::string want_message;
  };
  const std::string expiration = Iso(kStart + std::chrono::hours(2));
  const std::string good_json = R"({"Version": 1, "AccessKeyId": "PROCKEY", )"
                                R"("SecretAccessKey": "SECRETVALUE", "SessionToken": "PT", )"
                                R"("Expiration": ")" +
                                expiration + R"("})";
  const std::string script = dir_.Write("good.json", good_json);
  const std::vector<Case> cases = {
      {"success", "cat '" + script + "'", std::chrono::milliseconds(5000), StatusCode::kOk, ""},
      {"non-zero exit", "echo SECRETVALUE; exit 3", std::chrono::milliseconds(5000),
       StatusCode::kFailedPrecondition, "exited with status 3"},
      {"bad json", "echo '{\"AccessKeyId\": \"SECRETVALUE'", std::chrono::milliseconds(5000),
       StatusCode::kInvalidArgument, "not valid JSON"},
      {"wrong version",
       R"(echo '{"Version": 2, "AccessKeyId": "K", "SecretAccessKey": "SECRETVALUE"}')",
       std::chrono::milliseconds(5000), StatusCode::kInvalidArgument, "Version"},
      {"missing secret", R"(echo '{"Version": 1, "AccessKeyId": "K"}')",
       std::chrono::milliseconds(5000), StatusCode::kInvalidArgument, "SecretAccessKey"},
      {"too much output", "head -c 100000 /dev/zero", std::chrono::milliseconds(5000),
       StatusCode::kFailedPrecondition, "more than"},
      {"timeout", "sleep 30", std::chrono::milliseconds(200), StatusCode::kUnavailable,
       "timed out"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    dir_.Write("config", "[profile proc]\ncredential_process = " + c.command + "\n");
    ProviderContext context = Context({});
    context.credential_process_timeout = c.timeout;
    ProfileCredentialsProvider provider(context, "proc");
    auto got = provider.Get();
    if (c.want_code != StatusCode::kOk) {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), c.want_code) << got.status().ToString();
      EXPECT_THAT(got.status().message(), HasSubstr("profile proc: credential_process"));
      EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
      EXPECT_THAT(got.status().message(), Not(HasSubstr("SECRETVALUE")));
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->access_key_id, "PROCKEY");
    EXPECT_EQ(got->secret_access_key, "SECRETVALUE");
    EXPECT_EQ(got->session_token, "PT");
    EXPECT_EQ(got->expiration, kStart + std::chrono::hours(2));
  }
}

// ------------------------------------------------------------------------------------------------

using WebIdentityCredentialsTest = ProviderTest;

TEST_F(WebIdentityCredentialsTest, ReadsEnvironmentAndRereadsTokenOnRefresh) {
  const std::string token_file = dir_.Write("token", "first-token");
  WebIdentityCredentialsProvider provider(Context({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                                                   {"AWS_ROLE_ARN", "arn:aws:iam::1:role/Web"},
                                                   {"AWS_ROLE_SESSION_NAME", "sess"},
                                                   {"AWS_REGION", "ap-south-1"}}));

  auto first = provider.Get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  dir_.Write("token", "second-token");
  clock_.Advance(minutes(56));  // 4 minutes left: refresh
  auto second = provider.Get();
  ASSERT_TRUE(second.ok()) << second.status().ToString();

  const auto calls = sts_.web_identity_calls();
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(calls[0].token, "first-token");
  EXPECT_EQ(calls[1].token, "second-token");
  EXPECT_EQ(calls[0].role_arn, "arn:aws:iam::1:role/Web");
  EXPECT_EQ(calls[0].session_name, "sess");
  EXPECT_EQ(calls[0].region, "ap-south-1");
  EXPECT_EQ(second->access_key_id, "ASIA-WEB-2");
}

TEST_F(WebIdentityCredentialsTest, ReportsMissingOrPartialConfiguration) {
  struct Case {
    std::string name;
    Env env;
    StatusCode want_code;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"unset", {}, StatusCode::kNotFound, "AWS_WEB_IDENTITY_TOKEN_FILE"},
      {"role only",
       {{"AWS_ROLE_ARN", "arn:aws:iam::1:role/W"}},
       StatusCode::kInvalidArgument,
       "AWS_WEB_IDENTITY_TOKEN_FILE is not"},
      {"file only",
       {{"AWS_WEB_IDENTITY_TOKEN_FILE", "/x"}},
       StatusCode::kInvalidArgument,
       "AWS_ROLE_ARN is not"},
      {"file missing",
       {{"AWS_WEB_IDENTITY_TOKEN_FILE", dir_.Path("absent")},
        {"AWS_ROLE_ARN", "arn:aws:iam::1:role/W"}},
       StatusCode::kFailedPrecondition,
       "token file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WebIdentityCredentialsProvider provider(Context(c.env));
    auto got = provider.Get();
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), c.want_code) << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
  }
  EXPECT_TRUE(sts_.web_identity_calls().empty());
}

// ------------------------------------------------------------------------------------------------

using EcsCredentialsTest = ProviderTest;

TEST_F(EcsCredentialsTest, FetchesFromRelativeAndFullUris) {
  auto server = StartServer([this](const HttpRequest& request) {
    if (request.path == "/v2/credentials/abc" || request.path == "/full") {
      return HttpResponse{.status = 200,
                          .body = CredentialsJson("ECSKEY", "Token", clock_.Now() + minutes(60))};
    }
    return HttpResponse{.status = 404};
  });
  ASSERT_NE(server, nullptr);
  const std::string token_file = dir_.Write("auth", "file-token\n");
  struct Case {
    std::string name;
    Env env;
    std::string want_path;
    std::optional<std::string> want_authorization;
  };
  const std::vector<Case> cases = {
      {"relative",
       {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-for-relative"}},
       "/v2/credentials/abc",
       std::nullopt},
      {"full without token",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/full"}},
       "/full",
       std::nullopt},
      {"full with token",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/full"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}},
       "/full",
       "Basic abc"},
      {"token file wins",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/full"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}},
       "/full",
       "file-token"},
      {"relative beats full",
       {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/credentials/abc"},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/other"}},
       "/v2/credentials/abc",
       std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const size_t before = server->requests().size();
    ProviderContext context = Context(c.env);
    context.container_endpoint = server->url();
    ContainerCredentialsProvider provider(context);
    auto got = provider.Get();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->access_key_id, "ECSKEY");
    EXPECT_EQ(got->secret_access_key, "remote-secret");
    EXPECT_EQ(got->session_token, "remote-token");
    EXPECT_EQ(got->expiration, kStart + minutes(60));
    const auto requests = server->requests();
    ASSERT_EQ(requests.size(), before + 1);
    EXPECT_EQ(requests.back().method, "GET");
    EXPECT_EQ(requests.back().path, c.want_path);
    const std::string* authorization = requests.back().FindHeader("Authorization");
    if (c.want_authorization.has_value()) {
      ASSERT_NE(authorization, nullptr);
      EXPECT_EQ(*authorization, *c.want_authorization);
    } else {
      EXPECT_EQ(authorization, nullptr);
    }
  }
}

TEST_F(EcsCredentialsTest, RejectsBadConfigurationAndResponses) {
  auto server = StartServer([](const HttpRequest& request) {
    if (request.path == "/forbidden") {
      return HttpResponse{.status = 403, .body = "SECRETVALUE"};
    }
    if (request.path == "/garbage") {
      return HttpResponse{.status = 200, .body = "{\"AccessKeyId\": \"SECRETVALUE\""};
    }
    return HttpResponse{.status = 500};
  });
  ASSERT_NE(server, nullptr);
  struct Case {
    std::string name;
    Env env;
    StatusCode want_code;
    std::string want_message;
  };
  const std::vector<Case> cases = {
      {"unset", {}, StatusCode::kNotFound, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"},
      {"http to a remote host",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}},
       StatusCode::kInvalidArgument,
       "not allowed over http"},
      {"not a URL",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://x/y"}},
       StatusCode::kInvalidArgument,
       "AWS_CONTAINER_CREDENTIALS_FULL_URI"},
      {"token with newline",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/x"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: SECRETVALUE"}},
       StatusCode::kInvalidArgument,
       "line break"},
      {"forbidden",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/forbidden"}},
       StatusCode::kFailedPrecondition,
       "HTTP 403"},
      {"server error",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/broken"}},
       StatusCode::kUnavailable,
       "HTTP 500"},
      {"bad json",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/garbage"}},
       StatusCode::kInvalidArgument,
       "not valid JSON"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ContainerCredentialsProvider provider(Context(c.env));
    auto got = provider.Get();
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), c.want_code) << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
    EXPECT_THAT(got.status().message(), Not(HasSubstr("SECRETVALUE")));
  }
  // The 500 was retried once.
  size_t broken = 0;
  for (const HttpRequest& request : server->requests()) {
    broken += request.path == "/broken" ? 1U : 0U;
  }
  EXPECT_EQ(broken, 2U);
}

// ------------------------------------------------------------------------------------------------

// An IMDSv2 endpoint: tokens from PUT /latest/api/token ("tok-1", "tok-2", ...); GETs need the
// current token. `rejected` tokens get a 401 as if they had expired.
class FakeImds {
 public:
  explicit FakeImds(const Clock& clock) : clock_(clock) {}

  HttpResponse Handle(const HttpRequest& request) {
    const std::lock_guard<std::mutex> lock(mu_);
    if (request.path == "/latest/api/token") {
      const std::string* ttl = request.FindHeader("X-aws-ec2-metadata-token-ttl-seconds");
      if (request.method != "PUT" || ttl == nullptr || *ttl != "21600") {
        return HttpResponse{.status = 400};
      }
      token_ = "tok-" + std::to_string(++tokens_issued_);
      return HttpResponse{.status = 200, .body = token_};
    }
    const std::string* token = request.FindHeader("X-aws-ec2-metadata-token");
    if (request.method != "GET" || token == nullptr || *token != token_ ||
        rejected_.contains(*token)) {
      return HttpResponse{.status = 401};
    }
    if (request.path == "/latest/meta-data/iam/security-credentials/") {
      return role_.empty() ? HttpResponse{.status = 404}
                           : HttpResponse{.status = 200, .body = role_ + "\n"};
    }
    if (!role_.empty() && request.path == "/latest/meta-data/iam/security-credentials/" + role_) {
      return HttpResponse{
          .status = 200,
          .body =
              R"({"Code": "Success", "Type": "AWS-HMAC", )" +
              CredentialsJson("IMDSKEY", "Token", clock_.Now() + std::chrono::hours(1)).substr(1)};
    }
    return HttpResponse{.status = 404};
  }

  void Reject(const std::string& token) {
    const std::lock_guard<std::mutex> lock(mu_);
    rejected_.insert(token);
  }
  void SetRole(std::string role) {
    const std::lock_guard<std::mutex> lock(mu_);
    role_ = std::move(role);
  }

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::string token_;
  int tokens_issued_ = 0;
  std::set<std::string> rejected_;
  std::string role_ = "InstanceRole";
};

using ImdsCredentialsTest = ProviderTest;

// method + path + token header of each request, for compact assertions.
std::vector<std::string> Summarize(const std::vector<HttpRequest>& requests) {
  std::vector<std::string> out;
  for (const HttpRequest& r : requests) {
    const std::string* token = r.FindHeader("X-aws-ec2-metadata-token");
    out.push_back(r.method + " " + r.path + (token != nullptr ? " [" + *token + "]" : ""));
  }
  return out;
}

TEST_F(ImdsCredentialsTest, GetsTokenFirstAndSendsItOnEveryGet) {
  FakeImds imds(clock_);
  auto server = StartServer([&imds](const HttpRequest& r) { return imds.Handle(r); });
  ASSERT_NE(server, nullptr);
  InstanceMetadataCredentialsProvider provider(
      Context({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server->url() + "/"}}));

  auto got = provider.Get();

  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->access_key_id, "IMDSKEY");
  EXPECT_EQ(got->session_token, "remote-token");
  EXPECT_EQ(got->expiration, kStart + std::chrono::hours(1));
  EXPECT_THAT(
      Summarize(server->requests()),
      ::testing::ElementsAre(
          "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/ [tok-1]",
          "GET /latest/meta-data/iam/security-credentials/InstanceRole [tok-1]"));

  // Fresh credentials: no requests. Near expiry: new credentials with the cached token.
  ASSERT_TRUE(provider.Get().ok());
  EXPECT_EQ(server->requests().size(), 3U);
  clock_.Advance(minutes(56));  // 4 minutes left on the credentials, hours on the token
  ASSERT_TRUE(provider.Get().ok());
  const auto summary = Summarize(server->requests());
  ASSERT_EQ(summary.size(), 5U);
  EXPECT_EQ(summary[3], "GET /latest/meta-data/iam/security-credentials/ [tok-1]");
}

TEST_F(ImdsCredentialsTest, ReplacesRejectedToken) {
  FakeImds imds(clock_);
  imds.Reject("tok-1");
  auto server = StartServer([&imds](const HttpRequest& r) { return imds.Handle(r); });
  ASSERT_NE(server, nullptr);
  ProviderContext context = Context({});
  context.instance_metadata_endpoint = server->url();
  InstanceMetadataCredentialsProvider provider(context);

  auto got = provider.Get();

  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_THAT(
      Summarize(server->requests()),
      ::testing::ElementsAre(
          "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/ [tok-1]",
          "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/ [tok-2]",
          "GET /latest/meta-data/iam/security-credentials/InstanceRole [tok-2]"));
}

TEST_F(ImdsCredentialsTest, ReportsNotFoundWhenDisabledUnreachableOrWithoutRole) {
  FakeImds imds(clock_);
  imds.SetRole("");
  auto server = StartServer([&imds](const HttpRequest& r) { return imds.Handle(r); });
  ASSERT_NE(server, nullptr);
  struct Case {
    std::string name;
    Env env;
    std::string want_message;
    size_t want_requests;
  };
  const std::vector<Case> cases = {
      {"disabled",
       {{"AWS_EC2_METADATA_DISABLED", "TRUE"},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server->url()}},
       "AWS_EC2_METADATA_DISABLED",
       0},
      {"unreachable", {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", dead_endpoint_}}, "not reachable", 0},
      {"no role", {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server->url()}}, "no IAM role", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const size_t before = server->requests().size();
    InstanceMetadataCredentialsProvider provider(Context(c.env));
    auto got = provider.Get();
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kNotFound) << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr(c.want_message));
    EXPECT_EQ(server->requests().size() - before, c.want_requests);
  }
}

// ------------------------------------------------------------------------------------------------

// Counts Get() calls; answers with fixed credentials or an error.
class CountingProvider final : public CredentialsProvider {
 public:
  explicit CountingProvider(Result<Credentials> answer) : answer_(std::move(answer)) {}
  Result<Credentials> Get() override {
    ++calls_;
    return answer_;
  }
  [[nodiscard]] int calls() const { return calls_.load(); }

 private:
  Result<Credentials> answer_;
  std::atomic<int> calls_{0};
};

TEST(AssumeRoleCredentialsTest, RefreshesOnlyWhenLessThanFiveMinutesRemain) {
  FakeClock clock(kStart);
  FakeSts sts(clock);
  StaticCredentialsProvider source({.access_key_id = "ADMIN", .secret_access_key = "S"});
  AssumeRoleCredentialsProvider provider(source, sts, {.role_arn = "arn:aws:iam::1:role/R"}, clock);
  struct Step {
    std::string name;
    std::chrono::system_clock::duration advance;
    size_t want_calls;
  };
  const std::vector<Step> steps = {
      {"first use", {}, 1},
      {"fresh", minutes(30), 1},
      {"six minutes left", minutes(24), 1},
      {"four minutes left", minutes(2), 2},
      {"new session fresh", minutes(10), 2},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    clock.Advance(step.advance);
    auto got = provider.Get();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(sts.assume_role_calls().size(), step.want_calls);
    EXPECT_EQ(got->access_key_id, "ASIA-arn:aws:iam::1:role/R-" + std::to_string(step.want_calls));
  }
  EXPECT_EQ(sts.assume_role_calls().front().source.access_key_id, "ADMIN");
}

TEST(AssumeRoleCredentialsTest, ConcurrentCallersShareOneRefresh) {
  FakeClock clock(kStart);
  FakeSts sts(clock);
  StaticCredentialsProvider source({.access_key_id = "ADMIN", .secret_access_key = "S"});
  AssumeRoleCredentialsProvider provider(source, sts, {.role_arn = "arn:aws:iam::1:role/R"}, clock);
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      if (!provider.Get().ok()) {
        ++failures;
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sts.assume_role_calls().size(), 1U);
}

TEST(AssumeRoleCredentialsTest, KeepsValidSessionWhenRefreshFails) {
  FakeClock clock(kStart);
  FakeSts sts(clock);
  StaticCredentialsProvider source({.access_key_id = "ADMIN", .secret_access_key = "S"});
  AssumeRoleCredentialsProvider provider(source, sts, {.role_arn = "arn:aws:iam::1:role/R"}, clock);
  ASSERT_TRUE(provider.Get().ok());
  sts.Fail(ThrottledError("Rate exceeded"));

  clock.Advance(minutes(57));  // 3 minutes left: refresh fails, old session still good
  auto kept = provider.Get();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->access_key_id, "ASIA-arn:aws:iam::1:role/R-1");
  EXPECT_EQ(sts.assume_role_calls().size(), 2U);

  clock.Advance(seconds(150));  // 30 seconds left: too close to use
  auto failed = provider.Get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kThrottled);
  EXPECT_TRUE(failed.status().retryable());
  EXPECT_THAT(failed.status().message(), HasSubstr("assume role arn:aws:iam::1:role/R"));

  sts.Fail(Status());
  auto recovered = provider.Get();
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(recovered->access_key_id, "ASIA-arn:aws:iam::1:role/R-4");
}

TEST(AssumeRoleCredentialsTest, ChainsRolesAndReportsMissingSource) {
  FakeClock clock(kStart);
  FakeSts sts(clock);
  auto hub = std::make_unique<AssumeRoleCredentialsProvider>(
      std::make_unique<StaticCredentialsProvider>(
          Credentials{.access_key_id = "ADMIN", .secret_access_key = "S"}),
      sts, AssumeRoleRequest{.role_arn = "arn:aws:iam::1:role/Hub"}, clock);
  AssumeRoleCredentialsProvider member(std::move(hub), sts,
                                       {.role_arn = "arn:aws:iam::2:role/Member"}, clock);
  auto got = member.Get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const auto calls = sts.assume_role_calls();
  ASSERT_EQ(calls.size(), 2U);
  EXPECT_EQ(calls[1].source.access_key_id, "ASIA-arn:aws:iam::1:role/Hub-1");

  CountingProvider nothing(NotFoundError("no credentials"));
  AssumeRoleCredentialsProvider orphan(nothing, sts, {.role_arn = "arn:aws:iam::3:role/X"}, clock);
  auto missing = orphan.Get();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("source credentials"));
}

TEST(RoleSessionCacheCredentialsTest, ReturnsSameProviderForSameKey) {
  FakeClock clock(kStart);
  FakeSts sts(clock);
  StaticCredentialsProvider admin({.access_key_id = "ADMIN", .secret_access_key = "S"});
  RoleSessionCache cache(sts, clock);
  const AssumeRoleRequest base{.role_arn = "arn:aws:iam::1:role/Member", .session_name = "job-1"};
  AssumeRoleCredentialsProvider& first = cache.GetOrCreate("admin", admin, base);

  struct Case {
    std::string name;
    std::string source_identity;
    AssumeRoleRequest request;
    bool want_same;
  };
  const std::vector<Case> cases = {
      {"same key, other session name",
       "admin",
       {.role_arn = "arn:aws:iam::1:role/Member", .session_name = "job-2"},
       true},
      {"other role", "admin", {.role_arn = "arn:aws:iam::2:role/Member"}, false},
      {"other external id",
       "admin",
       {.role_arn = "arn:aws:iam::1:role/Member", .external_id = "x"},
       false},
      {"other source", "hub", {.role_arn = "arn:aws:iam::1:role/Member"}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    AssumeRoleCredentialsProvider& got = cache.GetOrCreate(c.source_identity, admin, c.request);
    EXPECT_EQ(&got == &first, c.want_same);
  }
  EXPECT_EQ(cache.size(), 4U);
  EXPECT_EQ(first.request().session_name, "job-1");

  ASSERT_TRUE(first.Get().ok());
  ASSERT_TRUE(cache.GetOrCreate("admin", admin, base).Get().ok());
  EXPECT_EQ(sts.assume_role_calls().size(), 1U);
}

// ------------------------------------------------------------------------------------------------

using ChainCredentialsTest = ProviderTest;

TEST_F(ChainCredentialsTest, TakesFirstSourceThatHasCredentials) {
  FakeImds imds(clock_);
  auto server = StartServer([&](const HttpRequest& r) {
    if (r.path == "/ecs") {
      return HttpResponse{.status = 200,
                          .body = CredentialsJson("ECSKEY", "Token", clock_.Now() + minutes(60))};
    }
    return imds.Handle(r);
  });
  ASSERT_NE(server, nullptr);
  const Env env_keys = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "S"}};
  const Env ecs = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server->url() + "/ecs"}};
  const Env imds_env = {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server->url()}};
  const auto merge = [](std::initializer_list<Env> parts) {
    Env out;
    for (const Env& part : parts) {
      out.insert(part.begin(), part.end());
    }
    return out;
  };
  const std::string profile = "[default]\naws_access_key_id=PROFILEKEY\naws_secret_access_key=S\n";
  struct Case {
    std::string name;
    Env env;
    std::string credentials_file;
    std::string want_key;
  };
  const std::vector<Case> cases = {
      {"env beats everything", merge({env_keys, ecs, imds_env}), profile, "ENVKEY"},
      {"profile beats container", merge({ecs, imds_env}), profile, "PROFILEKEY"},
      {"container beats imds", merge({ecs, imds_env}), "", "ECSKEY"},
      {"imds last", imds_env, "", "IMDSKEY"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    dir_.Write("credentials", c.credentials_file);
    auto chain = DefaultCredentialsChain::Create(Context(c.env));
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    auto got = (*chain)->Get();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->access_key_id, c.want_key);
  }
}

TEST_F(ChainCredentialsTest, WebIdentityFromEnvironmentBeatsProfile) {
  dir_.Write("credentials", "[default]\naws_access_key_id=PROFILEKEY\naws_secret_access_key=S\n");
  const std::string token = dir_.Write("token", "jwt");
  auto chain = DefaultCredentialsChain::Create(
      Context({{"AWS_WEB_IDENTITY_TOKEN_FILE", token}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/W"}}));
  ASSERT_TRUE(chain.ok());
  auto got = (*chain)->Get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->access_key_id, "ASIA-WEB-1");
}

TEST_F(ChainCredentialsTest, NotFoundEverywhereListsSourcesTried) {
  auto chain = DefaultCredentialsChain::Create(Context({{"AWS_EC2_METADATA_DISABLED", "true"}}));
  ASSERT_TRUE(chain.ok());
  auto got = (*chain)->Get();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  for (const char* source :
       {"environment (", "web identity (", "profile (", "container (", "instance metadata ("}) {
    EXPECT_THAT(got.status().message(), HasSubstr(source));
  }
}

TEST_F(ChainCredentialsTest, ConfiguredSourceErrorIsReturnedNotSkipped) {
  dir_.Write("config", "[default]\nrole_arn=arn:aws:iam::1:role/R\nsource_profile=missing\n");
  FakeImds imds(clock_);
  auto server = StartServer([&imds](const HttpRequest& r) { return imds.Handle(r); });
  ASSERT_NE(server, nullptr);
  auto chain = DefaultCredentialsChain::Create(
      Context({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server->url()}}));
  ASSERT_TRUE(chain.ok());
  auto got = (*chain)->Get();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(got.status().message(), HasSubstr("source_profile \"missing\" does not exist"));
  EXPECT_TRUE(server->requests().empty());
}

TEST_F(ChainCredentialsTest, KeepsUsingTheWinningProvider) {
  auto first = std::make_unique<CountingProvider>(NotFoundError("nothing"));
  auto second = std::make_unique<CountingProvider>(
      Credentials{.access_key_id = "SECOND", .secret_access_key = "S"});
  CountingProvider* first_raw = first.get();
  CountingProvider* second_raw = second.get();
  std::vector<NamedCredentialsProvider> providers;
  providers.push_back({"first", std::move(first)});
  providers.push_back({"second", std::move(second)});
  DefaultCredentialsChain chain(std::move(providers));

  for (int i = 0; i < 3; ++i) {
    auto got = chain.Get();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->access_key_id, "SECOND");
  }
  EXPECT_EQ(first_raw->calls(), 1);
  EXPECT_EQ(second_raw->calls(), 3);
}

TEST(ChainCredentialsCreateTest, RequiresCompleteContext) {
  auto chain = DefaultCredentialsChain::Create(ProviderContext{.env = MapEnv({})});
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace asr::aws
