#include "aws/testing/fake_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "common/strings.h"

namespace asr::aws::testing {
namespace {

constexpr size_t kMaxHeaderBytes = size_t{64} * 1024;

std::string ErrnoMessage(std::string_view what) {
  return std::string(what) + ": " + std::error_code(errno, std::generic_category()).message();
}

// Binds a TCP socket to 127.0.0.1:0 and listens; returns the fd and the port.
Result<std::pair<int, uint16_t>> ListenOnLoopback() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return UnavailableError(ErrnoMessage("socket"));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Status status = UnavailableError(ErrnoMessage("bind/listen on 127.0.0.1:0"));
    ::close(fd);
    return status;
  }
  return std::make_pair(fd, ntohs(addr.sin_port));
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string SerializeResponse(const HttpResponse& response, std::string_view method) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    std::string(ReasonPhrase(response.status)) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  const bool no_body_status = response.status == 204 || response.status == 304;
  if (!no_body_status && response.FindHeader("Content-Length") == nullptr) {
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  out += "\r\n";
  if (method != "HEAD" && !no_body_status) {
    out += response.body;
  }
  return out;
}

// Parses "METHOD target HTTP/1.x" and the header lines of `head` (without the final CRLFCRLF).
std::optional<HttpRequest> ParseHead(std::string_view head) {
  HttpRequest request;
  request.scheme = "http";
  const size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const std::vector<std::string_view> parts = Split(request_line, ' ');
  if (parts.size() != 3 || parts[0].empty() || !parts[2].starts_with("HTTP/1.")) {
    return std::nullopt;
  }
  std::string_view target = parts[1];
  // A client talking to us as a proxy sends the absolute form "http://host/path".
  if (target.starts_with("http://")) {
    const size_t slash = target.find('/', 7);
    target = slash == std::string_view::npos ? "/" : target.substr(slash);
  }
  if (!target.starts_with('/')) {
    return std::nullopt;
  }
  request.method = std::string(parts[0]);
  const size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  request.query =
      question == std::string_view::npos ? "" : std::string(target.substr(question + 1));
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return std::nullopt;
    }
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(TrimAscii(line.substr(colon + 1))));
  }
  if (const std::string* host = request.FindHeader("Host"); host != nullptr) {
    request.host = *host;
  }
  return request;
}

}  // namespace

Result<std::unique_ptr<FakeHttpServer>> FakeHttpServer::Start(Handler handler) {
  return Start(std::move(handler), Options{});
}

Result<std::unique_ptr<FakeHttpServer>> FakeHttpServer::Start(Handler handler, Options options) {
  ASR_ASSIGN_OR_RETURN(const auto listener, ListenOnLoopback());
  std::array<int, 2> wake{};
  if (::pipe2(wake.data(), O_CLOEXEC) != 0) {
    Status status = UnavailableError(ErrnoMessage("pipe2"));
    ::close(listener.first);
    return status;
  }
  std::unique_ptr<FakeHttpServer> server(new FakeHttpServer(  // private constructor
      listener.first, listener.second, wake[0], wake[1], std::move(handler), options));
  server->acceptor_ = std::thread([raw = server.get()] { raw->AcceptLoop(); });
  return server;
}

FakeHttpServer::FakeHttpServer(int listen_fd, uint16_t port, int wake_read_fd, int wake_write_fd,
                               Handler handler, Options options)
    : listen_fd_(listen_fd),
      port_(port),
      wake_read_fd_(wake_read_fd),
      wake_write_fd_(wake_write_fd),
      options_(options),
      handler_(std::move(handler)) {}

FakeHttpServer::~FakeHttpServer() {
  const char byte = 'x';
  // The byte is never read, so the pipe stays readable and wakes every poll() from now on.
  while (::write(wake_write_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
  if (acceptor_.joinable()) {
    acceptor_.join();
  }
  std::vector<std::thread> workers;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) {
    worker.join();
  }
  ::close(listen_fd_);
  ::close(wake_read_fd_);
  ::close(wake_write_fd_);
}

std::string FakeHttpServer::host() const { return "127.0.0.1:" + std::to_string(port_); }

std::string FakeHttpServer::url() const { return "http://" + host(); }

void FakeHttpServer::SetHandler(Handler handler) {
  const std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<HttpRequest> FakeHttpServer::requests() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t FakeHttpServer::connections_accepted() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return connections_accepted_;
}

void FakeHttpServer::AcceptLoop() {
  while (true) {
    std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    if (fds[1].revents != 0) {
      return;
    }
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;
    }
    const std::lock_guard<std::mutex> lock(mu_);
    ++connections_accepted_;
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

HttpResponse FakeHttpServer::Handle(const HttpRequest& request) {
  Handler handler;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    handler = handler_;
  }
  // Called without the lock so that handlers may inspect the server.
  return handler ? handler(request) : HttpResponse{.status = 404};
}

void FakeHttpServer::Serve(int fd) {
  std::string buffer;
  // Appends what arrives on the connection; false on close, error or server stop.
  auto read_more = [&]() {
    std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}}};
    while (true) {
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) {
          continue;
        }
        return false;
      }
      if (fds[1].revents != 0) {
        return false;
      }
      std::array<char, 16384> chunk{};
      const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return false;
      }
      buffer.append(chunk.data(), static_cast<size_t>(n));
      return true;
    }
  };

  while (true) {
    size_t head_end = buffer.find("\r\n\r\n");
    while (head_end == std::string::npos) {
      if (buffer.size() > kMaxHeaderBytes || !read_more()) {
        ::close(fd);
        return;
      }
      head_end = buffer.find("\r\n\r\n");
    }
    std::optional<HttpRequest> request = ParseHead(std::string_view(buffer).substr(0, head_end));
    size_t content_length = 0;
    if (request.has_value()) {
      if (const std::string* value = request->FindHeader("Content-Length"); value != nullptr) {
        const auto [ptr, ec] =
            std::from_chars(value->data(), value->data() + value->size(), content_length);
        if (ec != std::errc() || ptr != value->data() + value->size()) {
          request.reset();
        }
      }
    }
    if (!request.has_value()) {
      SendAll(fd, SerializeResponse(HttpResponse{.status = 400}, "GET"));
      ::close(fd);
      return;
    }
    const size_t body_start = head_end + 4;
    while (buffer.size() < body_start + content_length) {
      if (!read_more()) {
        ::close(fd);
        return;
      }
    }
    request->body = buffer.substr(body_start, content_length);
    buffer.erase(0, body_start + content_length);

    const HttpResponse response = Handle(*request);
    std::string out;
    if (options_.interim == Interim::kContinue) {
      out = "HTTP/1.1 100 Continue\r\n\r\n";
    }
    out += SerializeResponse(response, request->method);
    const std::string* connection = request->FindHeader("Connection");
    if (!SendAll(fd, out) || (connection != nullptr && EqualsIgnoreCase(*connection, "close"))) {
      ::close(fd);
      return;
    }
  }
}

uint16_t UnusedLoopbackPort() {
  auto listener = ListenOnLoopback();
  if (!listener.ok()) {
    return 0;
  }
  ::close(listener->first);
  return listener->second;
}

Result<std::unique_ptr<SilentListener>> SilentListener::Start() {
  ASR_ASSIGN_OR_RETURN(const auto listener, ListenOnLoopback());
  return std::unique_ptr<SilentListener>(new SilentListener(listener.first, listener.second));
}

SilentListener::~SilentListener() { ::close(fd_); }

std::string SilentListener::host() const { return "127.0.0.1:" + std::to_string(port_); }

}  // namespace asr::aws::testing
