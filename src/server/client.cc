#include "server/client.h"

#include <httplib.h>

#include <cctype>

#include "common/strings.h"

namespace asr::server {

using nlohmann::json;

namespace {

// The Status the server answered with (its JSON error names the code).
Status StatusFromResponse(int http_status, const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  std::string message = body.substr(0, 500);
  std::string code;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    message = j["error"].value("message", message);
    code = j["error"].value("code", "");
  }
  switch (http_status) {
    case 400:
    case 413:
    case 415:
      return InvalidArgumentError(message);
    case 401:
      return PermissionDeniedError(
          "the server refused the credentials (set $ASR_TOKEN or "
          "--token-env): " +
          message);
    case 403:
      return PermissionDeniedError(message);
    case 404:
      return NotFoundError(message);
    case 409:
      return code == "CONFLICT" ? ConflictError(message) : FailedPreconditionError(message);
    case 429:
      return ThrottledError(message);
    case 503:
      return UnavailableError(message);
    default:
      return InternalError("HTTP " + std::to_string(http_status) + ": " + message);
  }
}

std::string Encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<HttpEngineClient>> HttpEngineClient::Create(const ClientOptions& options) {
  std::string rest = options.url;
  if (!rest.starts_with("http://")) {
    return InvalidArgumentError("server URL " + Quote(options.url) +
                                ": must start with http:// (e.g. http://127.0.0.1:8080)");
  }
  rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/') {
    rest.pop_back();
  }
  std::string host = rest;
  int port = 80;
  const size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    host = rest.substr(0, colon);
    const std::string port_text = rest.substr(colon + 1);
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgumentError("server URL " + Quote(options.url) + ": bad port");
    }
    port = std::stoi(port_text);
  }
  if (host.empty() || host.find('/') != std::string::npos) {
    return InvalidArgumentError("server URL " + Quote(options.url) +
                                ": expected http://host[:port]");
  }
  return std::unique_ptr<HttpEngineClient>(new HttpEngineClient(options, host, port));
}

Result<std::string> HttpEngineClient::Send(const std::string& method, const std::string& path,
                                           const std::string& body) {
  httplib::Client client(host_, port_);
  client.set_connection_timeout(options_.timeout_seconds, 0);
  client.set_read_timeout(options_.timeout_seconds, 0);
  httplib::Headers headers;
  if (!options_.token.empty()) {
    headers.emplace("Authorization", "Bearer " + options_.token);
  }
  httplib::Result r = method == "GET"    ? client.Get(path, headers)
                      : method == "POST" ? client.Post(path, headers, body, "application/json")
                                         : client.Put(path, headers, body, "application/json");
  if (!r) {
    return UnavailableError("cannot reach asr serve at " + options_.url + ": " +
                            httplib::to_string(r.error()));
  }
  if (r->status < 200 || r->status >= 300) {
    return StatusFromResponse(r->status, r->body);
  }
  return r->body;
}

Result<json> HttpEngineClient::SendJson(const std::string& method, const std::string& path,
                                        const json& body) {
  ASR_ASSIGN_OR_RETURN(const std::string text,
                       Send(method, path, body.is_null() ? std::string() : body.dump()));
  json out = json::parse(text, nullptr, false);
  if (out.is_discarded()) {
    return InternalError("the server's answer to " + method + " " + path + " is not JSON");
  }
  return out;
}

Result<workflow::SubmitResult> HttpEngineClient::Submit(std::string_view body,
                                                        const workflow::SubmitOptions&) {
  ASR_ASSIGN_OR_RETURN(const std::string text, Send("POST", "/v1/events", std::string(body)));
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return InternalError("the server's answer to POST /v1/events is not a JSON object");
  }
  workflow::SubmitResult out;
  out.event_id = j.value("event_id", "");
  out.duplicate = j.value("duplicate", false);
  out.findings = j.value("findings", json::array());
  return out;
}

Result<json> HttpEngineClient::ListJobs(const workflow::JobFilter& f) {
  std::string q = "?limit=" + std::to_string(f.limit);
  const auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) {
      q += std::string("&") + key + "=" + Encode(value);
    }
  };
  add("state", f.state);
  add("control", f.control_id);
  add("account", f.account_id);
  add("finding", f.finding_id);
  add("before", f.before_id);
  if (f.active_only) {
    q += "&active=true";
  }
  return SendJson("GET", "/v1/jobs" + q, json());
}

Result<json> HttpEngineClient::GetJob(const std::string& id) {
  return SendJson("GET", "/v1/jobs/" + Encode(id), json());
}

Result<json> HttpEngineClient::Approve(const std::string& id, const workflow::Principal&,
                                       const std::string& comment) {
  return SendJson("POST", "/v1/jobs/" + Encode(id) + "/approve", {{"comment", comment}});
}

Result<json> HttpEngineClient::Reject(const std::string& id, const workflow::Principal&,
                                      const std::string& comment) {
  return SendJson("POST", "/v1/jobs/" + Encode(id) + "/reject", {{"comment", comment}});
}

Result<json> HttpEngineClient::Undo(const std::string& id, const workflow::Principal&) {
  return SendJson("POST", "/v1/jobs/" + Encode(id) + "/undo", json());
}

Result<json> HttpEngineClient::Controls() { return SendJson("GET", "/v1/controls", json()); }

Result<json> HttpEngineClient::SetControlMode(const std::string& control, std::string_view mode,
                                              const workflow::Principal&) {
  return SendJson("PUT", "/v1/controls/" + Encode(control), {{"mode", std::string(mode)}});
}

Result<json> HttpEngineClient::SetKillSwitch(bool engaged, const workflow::Principal&) {
  return SendJson("PUT", "/v1/kill-switch", {{"engaged", engaged}});
}

json HttpEngineClient::Health(bool& ok) {
  Result<json> h = SendJson("GET", "/healthz", json());
  ok = h.ok();
  return h.ok() ? *h : json{{"status", "unreachable"}, {"error", h.status().ToString()}};
}

std::string HttpEngineClient::MetricsText() {
  Result<std::string> text = Send("GET", "/metrics", "");
  return text.ok() ? *text : "";
}

}  // namespace asr::server
