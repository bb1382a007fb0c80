#include "aws/testing/scripted_transport.h"

#include <utility>

namespace asr::aws::testing {

void ScriptedTransport::On(Matcher matcher, std::vector<Result<HttpResponse>> responses) {
  const std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(
      {.matcher = std::move(matcher), .responses = {responses.begin(), responses.end()}});
}

void ScriptedTransport::Always(Result<HttpResponse> response) {
  On([](const HttpRequest&) { return true; }, {std::move(response)});
}

Result<HttpResponse> ScriptedTransport::Send(const HttpRequest& request,
                                             const TransportOptions& /*options*/) {
  const std::lock_guard<std::mutex> lock(mu_);
  requests_.push_back(request);
  for (Rule& rule : rules_) {
    if (!rule.matcher(request) || rule.responses.empty()) {
      continue;
    }
    Result<HttpResponse> response = rule.responses.front();
    if (rule.responses.size() > 1) {
      rule.responses.pop_front();
    }
    return response;
  }
  const std::string* target = request.FindHeader("X-Amz-Target");
  return HttpResponse{.status = 500,
                      .headers = {{"Content-Type", "text/plain"}},
                      .body = "ScriptedTransport: no rule for " + request.method + " " +
                              request.host + request.path +
                              (target != nullptr ? " target=" + *target : "") +
                              " body=" + request.body.substr(0, 200)};
}

std::vector<HttpRequest> ScriptedTransport::requests() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

ScriptedTransport::Matcher JsonTarget(std::string_view operation) {
  return [suffix = "." + std::string(operation)](const HttpRequest& r) {
    const std::string* target = r.FindHeader("X-Amz-Target");
    return target != nullptr && target->ends_with(suffix);
  };
}

ScriptedTransport::Matcher QueryAction(std::string_view operation) {
  return [action = "Action=" + std::string(operation)](const HttpRequest& r) {
    const size_t at = r.body.find(action);
    return at != std::string::npos && (at == 0 || r.body[at - 1] == '&') &&
           (at + action.size() == r.body.size() || r.body[at + action.size()] == '&');
  };
}

ScriptedTransport::Matcher Rest(std::string_view method, std::string_view path_prefix,
                                std::string_view query_key) {
  return [method = std::string(method), prefix = std::string(path_prefix),
          key = std::string(query_key)](const HttpRequest& r) {
    if (r.method != method) {
      return false;
    }
    // Serialized requests keep the query apart (HttpRequest::query); a path that still carries
    // one is split here too.
    const size_t q = r.path.find('?');
    const std::string path = r.path.substr(0, q);
    if (!path.starts_with(prefix)) {
      return false;
    }
    if (key.empty()) {
      return true;
    }
    const std::string query =
        !r.query.empty() ? r.query : (q == std::string::npos ? "" : r.path.substr(q + 1));
    size_t start = 0;
    while (start <= query.size()) {
      const size_t amp = query.find('&', start);
      const std::string item =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (item == key || item.starts_with(key + "=")) {
        return true;
      }
      if (amp == std::string::npos) {
        break;
      }
      start = amp + 1;
    }
    return false;
  };
}

HttpResponse JsonResponse(int status, const std::string& body) {
  return {.status = status,
          .headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "req"}},
          .body = body};
}

HttpResponse XmlResponse(int status, const std::string& body) {
  return {.status = status,
          .headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", "req"}},
          .body = body};
}

HttpResponse JsonError(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, R"({"__type":")" + std::string(code) + R"(","message":")" +
                                  std::string(message) + R"("})");
}

HttpResponse RestJsonError(int status, std::string_view code, std::string_view message) {
  return {.status = status,
          .headers = {{"Content-Type", "application/json"},
                      {"x-amzn-ErrorType", std::string(code)},
                      {"x-amzn-RequestId", "req"}},
          .body = R"({"Type":"User","message":")" + std::string(message) + R"("})"};
}

HttpResponse QueryError(int status, std::string_view code, std::string_view message) {
  return XmlResponse(status, "<ErrorResponse><Error><Type>Sender</Type><Code>" + std::string(code) +
                                 "</Code><Message>" + std::string(message) +
                                 "</Message></Error><RequestId>req</RequestId></ErrorResponse>");
}

HttpResponse Ec2Error(int status, std::string_view code, std::string_view message) {
  return XmlResponse(status,
                     "<Response><Errors><Error><Code>" + std::string(code) + "</Code><Message>" +
                         std::string(message) +
                         "</Message></Error></Errors><RequestID>req</RequestID></Response>");
}

HttpResponse S3Error(int status, std::string_view code, std::string_view message) {
  return XmlResponse(status, "<Error><Code>" + std::string(code) + "</Code><Message>" +
                                 std::string(message) +
                                 "</Message><RequestId>req</RequestId></Error>");
}

}  // namespace asr::aws::testing
