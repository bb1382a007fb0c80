#pragma once

#include <string>

#include "app/config.h"

namespace asr::app {

// Command-line overrides of `asr serve`.
struct ServeFlags {
  std::string listen;      // --listen host:port (port 0 = any free port)
  std::string store_path;  // --store PATH
  std::string region;      // --region (default $AWS_REGION)
  std::string port_file;   // --port-file: write the bound port here once listening
};

// Runs the engine, the outbox dispatcher and the HTTP API until SIGINT/SIGTERM. Returns the
// process exit code (0 after a clean stop, 3 for configuration or start-up errors).
int RunServe(const Config& config, const ServeFlags& flags);

}  // namespace asr::app
