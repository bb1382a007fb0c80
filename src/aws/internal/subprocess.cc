#include "aws/internal/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <system_error>

namespace asr::aws::internal {
namespace {

std::string ErrnoMessage(const char* what) {
  return std::string(what) + ": " + std::error_code(errno, std::generic_category()).message();
}

// Waits for `pid` and returns its wait status, retrying on EINTR.
int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

void KillGroup(pid_t pid) {
  // The child made itself a group leader; kill the group, then the child in case setpgid lost
  // the race with us.
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

}  // namespace

Result<std::string> RunShellCommand(const std::string& command,
                                    const ShellCommandOptions& options) {
  std::array<int, 2> out{};
  if (::pipe2(out.data(), O_CLOEXEC) != 0) {
    return InternalError(ErrnoMessage("pipe2"));
  }
  const int dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (dev_null < 0) {
    const Status status = InternalError(ErrnoMessage("open /dev/null"));
    ::close(out[0]);
    ::close(out[1]);
    return status;
  }
  // Everything the child needs is prepared before fork: after fork in a threaded process only
  // async-signal-safe calls are allowed.
  std::string shell = "/bin/sh";
  std::string dash_c = "-c";
  std::string command_copy = command;
  std::array<char*, 4> argv = {shell.data(), dash_c.data(), command_copy.data(), nullptr};

  const pid_t pid = ::fork();
  if (pid < 0) {
    const Status status = InternalError(ErrnoMessage("fork"));
    ::close(out[0]);
    ::close(out[1]);
    ::close(dev_null);
    return status;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    // dup2 clears FD_CLOEXEC on the new descriptors; the originals close on exec.
    if (::dup2(dev_null, STDIN_FILENO) < 0 || ::dup2(out[1], STDOUT_FILENO) < 0) {
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so the group exists before we might kill it
  ::close(out[1]);
  ::close(dev_null);

  using Clock = std::chrono::steady_clock;  // a timeout, not a timestamp: monotonic on purpose
  const auto deadline = Clock::now() + options.timeout;
  std::string output;
  std::array<char, 4096> chunk{};
  Status failure;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      failure =
          UnavailableError("timed out after " + std::to_string(options.timeout.count()) + " ms");
      break;
    }
    pollfd pfd{out[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
      failure = InternalError(ErrnoMessage("poll"));
      break;
    }
    if (ready <= 0) {
      continue;
    }
    const ssize_t n = ::read(out[0], chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      failure = InternalError(ErrnoMessage("read"));
      break;
    }
    if (n == 0) {
      break;  // stdout closed
    }
    output.append(chunk.data(), static_cast<size_t>(n));
    if (output.size() > options.max_output_bytes) {
      failure = FailedPreconditionError(
          "wrote more than " + std::to_string(options.max_output_bytes) + " bytes to stdout");
      break;
    }
  }
  ::close(out[0]);
  if (!failure.ok()) {
    KillGroup(pid);
    Reap(pid);
    return failure;
  }
  // stdout is closed, but the process may still be running (it could have closed stdout and
  // carried on); give it until the deadline.
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      break;
    }
    if (done < 0 && errno != EINTR) {
      return InternalError(ErrnoMessage("waitpid"));
    }
    if (Clock::now() >= deadline) {
      KillGroup(pid);
      Reap(pid);
      return UnavailableError("timed out after " + std::to_string(options.timeout.count()) + " ms");
    }
    // No child-exit notification without a signal handler; poll at a short interval.
    ::poll(nullptr, 0, 5);
  }
  if (WIFSIGNALED(status)) {
    return FailedPreconditionError("killed by signal " + std::to_string(WTERMSIG(status)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return FailedPreconditionError("exited with status " + std::to_string(WEXITSTATUS(status)));
  }
  return output;
}

}  // namespace asr::aws::internal
