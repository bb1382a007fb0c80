// Client overhead without the network: sign + serialize + parse for a small JSON call and a large
// EC2 XML response, through a transport that answers from memory; and connection reuse through
// libcurl against a loopback server. Run:
//   build/release/bench/aws_client_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "aws/client.h"
#include "aws/curl_transport.h"
#include "aws/testing/fake_http_server.h"

namespace {

using asr::aws::HttpRequest;
using asr::aws::HttpResponse;
using nlohmann::json;

class CannedTransport final : public asr::aws::Transport {
 public:
  explicit CannedTransport(HttpResponse response) : response_(std::move(response)) {}
  asr::Result<HttpResponse> Send(const HttpRequest& /*request*/,
                                 const asr::aws::TransportOptions& /*options*/) override {
    return response_;
  }

 private:
  HttpResponse response_;
};

class NoSleep final : public asr::aws::Sleeper {
 public:
  void Sleep(std::chrono::milliseconds /*d*/) override {}
};

class Half final : public asr::aws::Random {
 public:
  double Uniform() override { return 0.5; }
};

struct Fixture {
  explicit Fixture(HttpResponse response)
      : transport(std::move(response)),
        credentials(asr::aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                                          .secret_access_key = "secret",
                                          .session_token = "token"}),
        client(transport, credentials, asr::aws::BuiltinModels(), clock, sleeper, random, nullptr,
               {.region = "us-east-1"}) {}
  CannedTransport transport;
  asr::aws::StaticCredentialsProvider credentials;
  asr::SystemClock clock;
  NoSleep sleeper;
  Half random;
  asr::aws::Client client;
};

void BM_SmallJsonCall(benchmark::State& state) {
  Fixture f(HttpResponse{
      .status = 200,
      .headers = {{"x-amzn-RequestId", "r"}},
      .body = R"({"Item":{"pk":{"S":"finding-1"},"status":{"S":"SUCCESS"},"n":{"N":"3"}}})"});
  const json params = {{"TableName", "asr-jobs"}, {"Key", {{"pk", {{"S", "finding-1"}}}}}};
  for (auto _ : state) {
    asr::Result<json> r = f.client.Call("dynamodb", "GetItem", params);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SmallJsonCall);

std::string Ec2Instances(int count) {
  std::string body =
      "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
      "<requestId>r</requestId><reservationSet>";
  for (int i = 0; i < count; ++i) {
    const std::string id = "i-" + std::to_string(1000000 + i);
    body += "<item><reservationId>r-" + std::to_string(i) +
            "</reservationId><ownerId>111111111111</ownerId><instancesSet><item><instanceId>" + id +
            "</instanceId><imageId>ami-12345678</imageId><instanceState><code>16</code><name>"
            "running</name></instanceState><privateDnsName>ip-10-0-0-1.ec2.internal"
            "</privateDnsName><instanceType>t3.micro</instanceType><launchTime>"
            "2026-11-28T08:00:00.000Z</launchTime><placement><availabilityZone>us-east-1a"
            "</availabilityZone><tenancy>default</tenancy></placement><subnetId>subnet-1"
            "</subnetId><vpcId>vpc-1</vpcId><privateIpAddress>10.0.0.1</privateIpAddress>"
            "<groupSet><item><groupId>sg-1</groupId><groupName>default</groupName></item>"
            "</groupSet><tagSet><item><key>Name</key><value>web-" +
            std::to_string(i) +
            "</value></item><item><key>env</key><value>prod</value></item></tagSet>"
            "<metadataOptions><state>applied</state><httpTokens>required</httpTokens>"
            "</metadataOptions></item></instancesSet></item>";
  }
  body += "</reservationSet></DescribeInstancesResponse>";
  return body;
}

void BM_LargeEc2XmlResponse(benchmark::State& state) {
  const std::string body = Ec2Instances(static_cast<int>(state.range(0)));
  Fixture f(HttpResponse{.status = 200, .headers = {}, .body = body});
  for (auto _ : state) {
    asr::Result<json> r = f.client.Call("ec2", "DescribeInstances", json::object());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
  state.counters["response_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_LargeEc2XmlResponse)->Arg(200);

// 1,000 calls through libcurl to a loopback server: how many TCP connections were opened.
void BM_ConnectionReuse(benchmark::State& state) {
  auto server = asr::aws::testing::FakeHttpServer::Start([](const HttpRequest& /*r*/) {
    return HttpResponse{.status = 200,
                        .headers = {{"Content-Type", "application/x-amz-json-1.0"}},
                        .body = R"({"TableNames":[]})"};
  });
  auto transport = asr::aws::CurlTransport::Create();
  if (!server.ok() || !transport.ok()) {
    state.SkipWithError("cannot start the loopback server or libcurl");
    return;
  }
  asr::aws::StaticCredentialsProvider credentials(
      asr::aws::Credentials{.access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret"});
  asr::SystemClock clock;
  NoSleep sleeper;
  Half random;
  asr::aws::ClientOptions options{.region = "us-east-1"};
  options.endpoints.global = (*server)->url();
  asr::aws::Client client(**transport, credentials, asr::aws::BuiltinModels(), clock, sleeper,
                          random, nullptr, options);
  uint64_t calls = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) {
      asr::Result<json> r = client.Call("dynamodb", "ListTables", json::object());
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return;
      }
      ++calls;
    }
  }
  state.counters["connections_per_1000_calls"] =
      static_cast<double>((*transport)->connections_opened()) * 1000.0 / static_cast<double>(calls);
  state.counters["server_connections_accepted"] =
      static_cast<double>((*server)->connections_accepted());
  state.SetItemsProcessed(static_cast<int64_t>(calls));
}
BENCHMARK(BM_ConnectionReuse)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
