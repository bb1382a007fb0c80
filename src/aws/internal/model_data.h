#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace asr::aws::internal {

// One service model embedded at build time from models/<service>.json (tools/embed_models.py).
// The JSON text is split into chunks (each a separate string literal, to stay clear of compiler
// limits on literal length); concatenating `chunks` in order gives the file's exact bytes.
struct EmbeddedModel {
  std::string_view service;  // boto3 name, e.g. "s3"
  std::span<const std::string_view> chunks;
  std::size_t size = 0;  // total bytes of all chunks
};

// Every embedded model, sorted by service name. The data is static and lives for the program.
std::span<const EmbeddedModel> EmbeddedModels();

}  // namespace asr::aws::internal
