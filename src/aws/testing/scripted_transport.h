#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http.h"
#include "common/status.h"

namespace asr::aws::testing {

// A Transport for tests that answers from a script instead of the network. Each rule matches
// requests (by predicate) and answers with its responses in order, the last one repeating.
// Requests no rule matches get a 500 whose body names the request, so a test sees what it
// forgot to script. Records every request. Thread-safe.
class ScriptedTransport final : public Transport {
 public:
  using Matcher = std::function<bool(const HttpRequest&)>;

  // Adds a rule; rules are tried in the order added.
  void On(Matcher matcher, std::vector<Result<HttpResponse>> responses);
  // Answers every request with `response` (e.g. an AccessDenied for each call).
  void Always(Result<HttpResponse> response);

  Result<HttpResponse> Send(const HttpRequest& request, const TransportOptions& options) override;

  [[nodiscard]] std::vector<HttpRequest> requests() const;

 private:
  struct Rule {
    Matcher matcher;
    std::deque<Result<HttpResponse>> responses;
  };
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::vector<HttpRequest> requests_;
};

// Matchers for the common protocols.
// JSON protocols: the X-Amz-Target header ends with ".<operation>".
ScriptedTransport::Matcher JsonTarget(std::string_view operation);
// query/ec2 protocols: the form body has "Action=<operation>".
ScriptedTransport::Matcher QueryAction(std::string_view operation);
// REST protocols: method, and the path (without query) starts with `path_prefix`; `query_key`
// (if not empty) must appear in the query string ("policy" for S3 GetBucketPolicy).
ScriptedTransport::Matcher Rest(std::string_view method, std::string_view path_prefix,
                                std::string_view query_key = {});

// Responses.
HttpResponse JsonResponse(int status, const std::string& body);  // application/x-amz-json-1.1
HttpResponse XmlResponse(int status, const std::string& body);   // text/xml
// A JSON-protocol error {"__type": code, "message": message}.
HttpResponse JsonError(int status, std::string_view code, std::string_view message);
// A REST-JSON error (x-amzn-ErrorType header and JSON body).
HttpResponse RestJsonError(int status, std::string_view code, std::string_view message);
// Query-protocol <ErrorResponse>, EC2 <Response><Errors>, and S3 <Error> bodies.
HttpResponse QueryError(int status, std::string_view code, std::string_view message);
HttpResponse Ec2Error(int status, std::string_view code, std::string_view message);
HttpResponse S3Error(int status, std::string_view code, std::string_view message);

}  // namespace asr::aws::testing
