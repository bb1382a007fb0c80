#pragma once

// Test support for the CloudTrail and Config remediation unit tests: a Context on a
// ScriptedTransport with every service behind one custom endpoint (so S3 uses path-style
// addressing) and no waiting between retries, plus matchers and canned AWS answers.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/model.h"
#include "aws/testing/scripted_transport.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/context.h"
#include "remediation/params.h"
#include "remediation/registry.h"
#include "remediation/runner.h"

namespace asr::cttest {

using aws::testing::ScriptedTransport;
using remediation::CallRecord;
using remediation::Context;
using remediation::ContextOptions;
using remediation::Params;
using remediation::Registry;
using remediation::Remediation;
using remediation::RunMode;
using remediation::RunOptions;
using remediation::RunRecord;
using remediation::Target;

class NoSleep final : public aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*d*/) override {}
};

class FixedRandom final : public aws::Random {
 public:
  double Uniform() override { return 0.0; }
};

// A target for `resource_id` in account 111111111111, region us-east-1.
inline Target MakeTarget(std::string resource_id, std::string resource_type,
                         std::string partition = "aws", std::string region = "us-east-1") {
  return Target{.account_id = "111111111111",
                .region = std::move(region),
                .partition = std::move(partition),
                .control_id = "",
                .resource_type = std::move(resource_type),
                .resource_id = std::move(resource_id)};
}

// An S3 request to `bucket` (path style) with `method` and, when not empty, the subresource
// `query_key` ("policy"); an empty key matches only requests without a subresource.
inline ScriptedTransport::Matcher S3Request(std::string method, std::string bucket,
                                            std::string query_key) {
  return [method = std::move(method), path = "/" + std::move(bucket),
          key = std::move(query_key)](const aws::HttpRequest& r) {
    if (r.method != method || (r.path != path && r.path != path + "/")) {
      return false;
    }
    const std::string first = r.query.substr(0, r.query.find('&'));
    const std::string name = first.substr(0, first.find('='));
    return name == key;
  };
}

inline aws::HttpResponse Json(const nlohmann::json& body) {
  return aws::testing::JsonResponse(200, body.dump());
}
inline aws::HttpResponse Xml(const std::string& body) {
  return aws::testing::XmlResponse(200, body);
}
inline aws::HttpResponse Empty(int status) { return {.status = status, .headers = {}, .body = ""}; }

// Runs one remediation against a ScriptedTransport.
class Env {
 public:
  Env()
      : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1800000000))),
        creds_(aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                                .secret_access_key = "secret",
                                .session_token = "",
                                .expiration = std::nullopt,
                                .source = "test"}),
        logger_(sink_, clock_, LogLevel::kError) {}

  ScriptedTransport& Transport() { return transport_; }

  // Resolve → Plan → Apply → Verify (or plan only for a dry run).
  RunRecord Run(std::string_view id, const Target& target, RunMode mode,
                const nlohmann::json& overrides = nlohmann::json::object()) {
    const Remediation* r = Registry::Global().Find(id);
    EXPECT_NE(r, nullptr) << id;
    Result<Params> params = remediation::ResolveParams(r->spec(), target.control_id,
                                                       nlohmann::json::object(), overrides);
    EXPECT_TRUE(params.ok()) << params.status().ToString();
    aws::Client client = MakeClient();
    Context ctx(client, r->spec(), clock_, sleeper_, logger_,
                ContextOptions{.region = target.region, .credentials = &creds_});
    return remediation::Run(
        *r, ctx, target, *params, sleeper_,
        RunOptions{
            .mode = mode, .verify_attempts = 1, .verify_delay = std::chrono::milliseconds(0)});
  }

  Result<RunRecord> Undo(std::string_view id, const RunRecord& record) {
    const Remediation* r = Registry::Global().Find(id);
    EXPECT_NE(r, nullptr) << id;
    aws::Client client = MakeClient();
    Context ctx(client, r->spec(), clock_, sleeper_, logger_,
                ContextOptions{.region = record.target.region, .credentials = &creds_});
    return remediation::UndoRun(*r, ctx, record);
  }

  // The requests sent, as "METHOD operation-ish" strings: X-Amz-Target's operation for JSON
  // protocols, Action= for query protocols, "S3 <METHOD> <path>?<query>" for S3.
  std::vector<std::string> Sent() const {
    std::vector<std::string> out;
    for (const aws::HttpRequest& r : transport_.requests()) {
      if (const std::string* target = r.FindHeader("X-Amz-Target")) {
        out.push_back(target->substr(target->rfind('.') + 1));
      } else if (const size_t at = r.body.find("Action="); at != std::string::npos) {
        out.push_back(r.body.substr(at + 7, r.body.find('&', at) - at - 7));
      } else {
        out.push_back("S3 " + r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query));
      }
    }
    return out;
  }

  // The region in the SigV4 credential scope of each request.
  std::vector<std::string> SignedRegions() const {
    std::vector<std::string> out;
    for (const aws::HttpRequest& r : transport_.requests()) {
      const std::string* auth = r.FindHeader("Authorization");
      std::string region;
      if (auth != nullptr) {
        // Credential=AKID/<date>/<region>/<service>/aws4_request
        const size_t cred = auth->find("Credential=");
        const size_t a = auth->find('/', cred);
        const size_t b = auth->find('/', a + 1);
        const size_t c = auth->find('/', b + 1);
        region = auth->substr(b + 1, c - b - 1);
      }
      out.push_back(region);
    }
    return out;
  }

 private:
  aws::Client MakeClient() {
    aws::ClientOptions o;
    o.region = "us-east-1";
    o.endpoints.global = "http://aws.test";
    o.retry.max_attempts = 2;
    return {transport_, creds_, aws::BuiltinModels(), clock_, sleeper_, random_, &logger_, o};
  }

  FakeClock clock_;
  aws::StaticCredentialsProvider creds_;
  MemoryLogSink sink_;
  Logger logger_;
  NoSleep sleeper_;
  FixedRandom random_;
  ScriptedTransport transport_;
};

// The operations of the mutating calls a run recorded.
inline std::vector<std::string> MutatingCalls(const RunRecord& record) {
  std::vector<std::string> out;
  for (const CallRecord& c : record.calls) {
    if (c.mutating) {
      out.push_back(c.service + "." + c.operation);
    }
  }
  return out;
}

}  // namespace asr::cttest
