// Parse + route throughput over the reference fixture corpus (../shared/testdata/asr-findings):
// how many events per second one core turns into routing decisions. Run:
//   build/release/bench/parse_route_bench --benchmark_min_time=2
// Items/s in the output are events/s (ParseAndRoute) or findings/s (RouteOnly).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "finding/finding.h"
#include "routing/routing.h"

namespace {

namespace fs = std::filesystem;

struct Corpus {
  std::vector<std::string> events;  // inputs that parse
  size_t bytes = 0;
};

const Corpus& LoadCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once before benchmarks start.
    const char* env = std::getenv("ASR_BENCH_CORPUS");
    const fs::path dir =
        env != nullptr ? fs::path(env) : fs::path(ASR_SHARED_DIR) / "testdata" / "asr-findings";
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") {
        continue;
      }
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      if (asr::finding::ParseEvent(s.str()).ok()) {
        c.bytes += s.str().size();
        c.events.push_back(s.str());
      }
    }
    return c;
  }();
  return corpus;
}

asr::routing::RoutingConfig BenchConfig() {
  asr::routing::RoutingConfig config;
  config.playbooks = {"SC", "AFSBP", "CIS120", "CIS140", "CIS300", "PCI321", "NIST80053"};
  config.default_mode = asr::routing::ControlMode::kAuto;
  config.filters.accounts.exclude = {"999999999999"};
  config.filters.tags.exclude = {{.key = "asr:skip", .value = std::nullopt}};
  config.filters.resources.exclude = {"arn:aws:s3:::*-audit-logs"};
  return config;
}

// The intake path keeps each finding's raw JSON (for forwarding and audit); the decision path
// (`asr explain`) drops it.
void BM_ParseAndRoute(benchmark::State& state) {
  const asr::finding::ParseOptions parse_options{
      .raw_finding =
          state.range(0) == 1 ? asr::finding::RawFinding::kKeep : asr::finding::RawFinding::kDrop};
  const Corpus& corpus = LoadCorpus();
  if (corpus.events.empty()) {
    state.SkipWithError("empty corpus");
    return;
  }
  const asr::routing::RoutingConfig config = BenchConfig();
  const asr::catalog::Catalog& catalog = asr::catalog::Catalog::Builtin();
  size_t i = 0;
  size_t routed = 0;
  for (auto _ : state) {
    const std::string& input = corpus.events[i++ % corpus.events.size()];
    asr::Result<asr::finding::Event> event = asr::finding::ParseEvent(input, parse_options);
    for (const asr::finding::Finding& f : event->findings) {
      const asr::routing::Decision d =
          asr::routing::Decide(f, config, asr::routing::TriggerFor(event->kind), catalog);
      if (d.routed()) {
        ++routed;
      }
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.bytes / corpus.events.size()));
  state.counters["corpus_events"] = static_cast<double>(corpus.events.size());
  benchmark::DoNotOptimize(routed);
}
BENCHMARK(BM_ParseAndRoute)->ArgName("raw_json")->Arg(1)->Arg(0);

void BM_ParseOnly(benchmark::State& state) {
  const Corpus& corpus = LoadCorpus();
  size_t i = 0;
  for (auto _ : state) {
    asr::Result<asr::finding::Event> event =
        asr::finding::ParseEvent(corpus.events[i++ % corpus.events.size()]);
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseOnly);

void BM_RouteOnly(benchmark::State& state) {
  const Corpus& corpus = LoadCorpus();
  std::vector<std::pair<asr::finding::Finding, asr::routing::Trigger>> findings;
  for (const std::string& input : corpus.events) {
    asr::Result<asr::finding::Event> event = asr::finding::ParseEvent(input);
    for (asr::finding::Finding& f : event->findings) {
      findings.emplace_back(std::move(f), asr::routing::TriggerFor(event->kind));
    }
  }
  const asr::routing::RoutingConfig config = BenchConfig();
  const asr::catalog::Catalog& catalog = asr::catalog::Catalog::Builtin();
  size_t i = 0;
  for (auto _ : state) {
    const auto& [f, trigger] = findings[i++ % findings.size()];
    const asr::routing::Decision d = asr::routing::Decide(f, config, trigger, catalog);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RouteOnly);

}  // namespace

BENCHMARK_MAIN();
