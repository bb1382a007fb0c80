// libFuzzer target for the event parser: any byte string must yield a Result (never a crash,
// hang, leak or undefined behaviour), and a parsed event must route without trouble.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/catalog.h"
#include "finding/finding.h"
#include "routing/routing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const asr::Result<asr::finding::Event> event = asr::finding::ParseEvent(input);
  if (!event.ok()) {
    return 0;
  }
  asr::routing::RoutingConfig config;
  config.playbooks = {"SC", "AFSBP", "CIS120", "CIS140", "CIS300", "PCI321", "NIST80053"};
  config.default_mode = asr::routing::ControlMode::kAuto;
  config.filters.resources.exclude = {"arn:aws:s3:::*-logs"};
  config.filters.tags.exclude = {{.key = "asr:skip", .value = std::nullopt}};
  for (const asr::finding::Finding& f : event->findings) {
    const asr::routing::Decision d = asr::routing::Decide(
        f, config, asr::routing::TriggerFor(event->kind), asr::catalog::Catalog::Builtin());
    if (d.routed() && d.route().remediation_id.empty()) {
      __builtin_trap();  // a route must always name its remediation
    }
  }
  return 0;
}
