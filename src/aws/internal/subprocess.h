#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/status.h"

namespace asr::aws::internal {

struct ShellCommandOptions {
  // The command is killed (with its whole process group) when it runs longer than this.
  std::chrono::milliseconds timeout{60000};
  // The command is killed when it writes more than this to stdout.
  size_t max_output_bytes = size_t{64} * 1024;
};

// Runs `/bin/sh -c command` and returns what it wrote to stdout. stdin is /dev/null; stderr is
// inherited. The command runs in its own process group so that a timeout kills its children too.
// Errors (messages never contain the output): Unavailable on timeout, FailedPrecondition for a
// non-zero exit, a signal or too much output, Internal when it cannot be started.
[[nodiscard]] Result<std::string> RunShellCommand(const std::string& command,
                                                  const ShellCommandOptions& options);

}  // namespace asr::aws::internal
