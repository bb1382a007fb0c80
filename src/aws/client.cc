#include "aws/client.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "aws/protocol.h"
#include "aws/sigv4.h"
#include "common/strings.h"

namespace asr::aws {

Client::Client(Transport& transport, CredentialsProvider& credentials, const ModelRegistry& models,
               const Clock& clock, Sleeper& sleeper, Random& random, const Logger* logger,
               ClientOptions options)
    : transport_(transport),
      credentials_(credentials),
      models_(models),
      clock_(clock),
      sleeper_(sleeper),
      random_(random),
      logger_(logger),
      options_(std::move(options)),
      quota_(options_.retry) {}

namespace {

SigningParams SigningFor(const ServiceModel& model, const Operation& op, const Endpoint& endpoint,
                         std::chrono::system_clock::time_point now) {
  SigningParams p;
  p.service = endpoint.signing_name;
  p.region = endpoint.signing_region;
  p.time = now;
  const std::string& name = model.metadata().service_name;
  if (name == "s3" || name == "s3control") {
    p.path_style = PathStyle::kS3;
    // S3 over TLS does not need the payload in the signature; over plain http (moto, custom
    // endpoints) sign it, like botocore.
    p.payload = endpoint.scheme == "https" ? PayloadSigning::kUnsigned : PayloadSigning::kSigned;
  }
  if (op.auth_type == "v4-unsigned-body") {
    p.payload = PayloadSigning::kUnsigned;
  }
  return p;
}

std::string RequestIdOf(const HttpResponse& r) {
  for (const char* name : {"x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"}) {
    if (const std::string* v = r.FindHeader(name); v != nullptr) {
      return *v;
    }
  }
  return "";
}

}  // namespace

Result<nlohmann::json> Client::Call(std::string_view service, std::string_view operation,
                                    const nlohmann::json& params, const CallOptions& options) {
  if (options.observer == nullptr) {
    CallEvent ignored;
    return CallOnce(service, operation, params, options, ignored);
  }
  CallEvent event{.service = service, .operation = operation};
  event.region = options.region.empty() ? std::string_view(options_.region) : options.region;
  const auto started = clock_.Now();
  Result<nlohmann::json> result = CallOnce(service, operation, params, options, event);
  event.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - started);
  event.status = result.status();
  if (!result.ok() && !result.status().request_id().empty()) {
    event.request_id = result.status().request_id();
  }
  options.observer->OnCall(event);
  return result;
}

Result<nlohmann::json> Client::CallOnce(std::string_view service, std::string_view operation,
                                        const nlohmann::json& params, const CallOptions& options,
                                        CallEvent& event) {
  const std::string context = std::string(service) + "." + std::string(operation);
  ASR_ASSIGN_OR_RETURN(const ServiceModel* model, models_.Get(service));
  const Operation* op = model->FindOperation(operation);
  if (op == nullptr) {
    return InvalidArgumentError(context + ": unknown operation for " + std::string(service) +
                                " (asr's trimmed models include only the operations it uses; "
                                "add it to tools/models.txt and regenerate)");
  }
  const std::string& region = options.region.empty() ? options_.region : options.region;
  ASR_ASSIGN_OR_RETURN(const Endpoint endpoint,
                       ResolveEndpoint(model->metadata(), region, options_.endpoints));
  ASR_ASSIGN_OR_RETURN(HttpRequest unsigned_request,
                       SerializeRequest(*model, *op, params, endpoint));
  unsigned_request.SetHeader("User-Agent", options_.user_agent);

  CredentialsProvider& provider =
      options.credentials != nullptr ? *options.credentials : credentials_;
  const bool anonymous = op->auth_type == "none";
  const auto first_start = clock_.Now();
  Status last_error;
  int retry_cost = 0;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    HttpRequest request = unsigned_request;
    if (!anonymous) {
      Result<Credentials> creds = provider.Get();
      if (!creds.ok()) {
        return creds.status().Annotate(context + ": credentials");
      }
      ASR_RETURN_IF_ERROR(
          SignRequest(request, *creds, SigningFor(*model, *op, endpoint, clock_.Now()))
              .Annotate(context + ": signing"));
    }
    const auto started = clock_.Now();
    Result<HttpResponse> response = transport_.Send(request, options_.transport);
    event.attempts = attempt;
    event.http_status = response.ok() ? response->status : 0;
    event.request_id = response.ok() ? RequestIdOf(*response) : "";
    const auto latency_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - started).count();
    Status error;
    if (!response.ok()) {
      error = response.status().Annotate(context);
    } else if (response->status >= 200 && response->status < 300) {
      if (logger_ != nullptr) {
        logger_->Debug("aws call", {{"service", std::string(service)},
                                    {"operation", std::string(operation)},
                                    {"http_status", std::to_string(response->status)},
                                    {"request_id", RequestIdOf(*response)},
                                    {"attempt", std::to_string(attempt)},
                                    {"latency_ms", std::to_string(latency_ms)}});
      }
      quota_.Release(retry_cost);
      return ParseResponse(*model, *op, *response);
    } else {
      error = ParseErrorResponse(*model, *op, *response);
    }
    if (logger_ != nullptr) {
      logger_->Debug("aws call failed",
                     {{"service", std::string(service)},
                      {"operation", std::string(operation)},
                      {"http_status", response.ok() ? std::to_string(response->status) : "-"},
                      {"aws_error", error.aws_error_code()},
                      {"request_id", error.request_id()},
                      {"attempt", std::to_string(attempt)},
                      {"latency_ms", std::to_string(latency_ms)}});
    }
    last_error = error;
    if (!IsRetryable(error) || attempt == options_.retry.max_attempts) {
      break;
    }
    if (!quota_.Acquire(error)) {
      last_error = error.Annotate("retry quota exhausted");
      break;
    }
    retry_cost = quota_.CostOf(error);
    const std::chrono::milliseconds delay = BackoffDelay(options_.retry, attempt, random_);
    if (options_.retry.total_deadline.count() > 0 &&
        clock_.Now() + delay - first_start > options_.retry.total_deadline) {
      last_error = error.Annotate("retry deadline reached");
      break;
    }
    sleeper_.Sleep(delay);
  }
  return last_error.WithRetryable(IsRetryable(last_error) ? Retryable::kYes : Retryable::kNo);
}

namespace {

// Parses one step of the JMESPath subset: NAME, NAME[], NAME[N], [], [N].
struct Step {
  std::string field;  // "" for a bare bracket
  bool flatten = false;
  std::optional<long> index;
};

Result<std::vector<Step>> ParsePath(std::string_view expr) {
  std::vector<Step> steps;
  size_t i = 0;
  while (i < expr.size()) {
    Step step;
    while (i < expr.size() && expr[i] != '.' && expr[i] != '[') {
      step.field += expr[i++];
    }
    while (i < expr.size() && expr[i] == '[') {
      const size_t close = expr.find(']', i);
      if (close == std::string_view::npos) {
        return InvalidArgumentError("path " + Quote(expr) + ": unclosed '['");
      }
      const std::string_view inside = expr.substr(i + 1, close - i - 1);
      Step bracket = step;
      if (inside.empty()) {
        bracket.flatten = true;
      } else {
        char* end = nullptr;
        const std::string text(inside);
        const long n = std::strtol(text.c_str(), &end, 10);
        if (end == text.c_str() || *end != '\0') {
          return InvalidArgumentError("path " + Quote(expr) + ": unsupported index " +
                                      Quote(inside));
        }
        bracket.index = n;
      }
      steps.push_back(bracket);
      step = Step{};
      i = close + 1;
    }
    if (!step.field.empty()) {
      steps.push_back(step);
    }
    if (i < expr.size() && expr[i] == '.') {
      ++i;
    }
  }
  return steps;
}

bool HasProjectionAfter(const std::vector<Step>& steps, size_t s) {
  return std::any_of(steps.begin() + static_cast<std::ptrdiff_t>(s) + 1, steps.end(),
                     [](const Step& step) { return step.flatten; });
}

nlohmann::json Apply(const nlohmann::json& data, const std::vector<Step>& steps, size_t from) {
  nlohmann::json cur = data;
  for (size_t s = from; s < steps.size(); ++s) {
    const Step& step = steps[s];
    if (!step.field.empty()) {
      if (!cur.is_object() || !cur.contains(step.field)) {
        return nullptr;
      }
      nlohmann::json next = cur[step.field];
      cur = std::move(next);
    }
    if (step.flatten) {
      if (!cur.is_array()) {
        return nullptr;
      }
      nlohmann::json out = nlohmann::json::array();
      for (const nlohmann::json& item : cur) {
        const nlohmann::json v = Apply(item, steps, s + 1);
        if (v.is_array() && HasProjectionAfter(steps, s)) {
          for (const nlohmann::json& x : v) {
            out.push_back(x);
          }
        } else if (!v.is_null()) {
          out.push_back(v);
        }
      }
      return out;
    }
    if (step.index.has_value()) {
      if (!cur.is_array()) {
        return nullptr;
      }
      const long size = static_cast<long>(cur.size());
      const long idx = *step.index < 0 ? size + *step.index : *step.index;
      if (idx < 0 || idx >= size) {
        return nullptr;
      }
      nlohmann::json next = cur[static_cast<size_t>(idx)];
      cur = std::move(next);
    }
  }
  return cur;
}

}  // namespace

Result<nlohmann::json> SearchPath(const nlohmann::json& data, std::string_view expression) {
  std::string_view expr = TrimAscii(expression);
  if (expr.starts_with("length(") && expr.ends_with(")")) {
    ASR_ASSIGN_OR_RETURN(const nlohmann::json inner,
                         SearchPath(data, expr.substr(7, expr.size() - 8)));
    if (inner.is_array() || inner.is_object() || inner.is_string()) {
      return nlohmann::json(inner.is_string() ? inner.get<std::string>().size() : inner.size());
    }
    return nlohmann::json(nullptr);
  }
  for (const char c : expr) {
    if (c == '|' || c == '?' || c == '(' || c == '&' || c == '=' || c == '<' || c == '>' ||
        c == '`' || c == '*') {
      return InvalidArgumentError("path " + Quote(expr) +
                                  ": only field access, [], [N] and length() are supported");
    }
  }
  ASR_ASSIGN_OR_RETURN(const std::vector<Step> steps, ParsePath(expr));
  return Apply(data, steps, 0);
}

Status Client::Paginate(std::string_view service, std::string_view operation,
                        const nlohmann::json& params,
                        const std::function<Status(const nlohmann::json& page)>& on_page,
                        const CallOptions& options) {
  const std::string context = std::string(service) + "." + std::string(operation);
  ASR_ASSIGN_OR_RETURN(const ServiceModel* model, models_.Get(service));
  const PaginatorConfig* paginator = model->FindPaginator(operation);
  if (paginator == nullptr) {
    return InvalidArgumentError(context + ": the model has no paginator for this operation");
  }
  nlohmann::json request = params.is_null() ? nlohmann::json::object() : params;
  // Guards against a service that keeps returning the same token.
  std::vector<nlohmann::json> seen_tokens;
  for (int page = 0;; ++page) {
    ASR_ASSIGN_OR_RETURN(const nlohmann::json result, Call(service, operation, request, options));
    ASR_RETURN_IF_ERROR(on_page(result));
    if (!paginator->more_results.empty()) {
      ASR_ASSIGN_OR_RETURN(const nlohmann::json more, SearchPath(result, paginator->more_results));
      if (!more.is_boolean() || !more.get<bool>()) {
        return Status::Ok();
      }
    }
    bool any_token = false;
    nlohmann::json tokens = nlohmann::json::array();
    for (size_t i = 0; i < paginator->output_token.size(); ++i) {
      ASR_ASSIGN_OR_RETURN(const nlohmann::json token,
                           SearchPath(result, paginator->output_token[i]));
      tokens.push_back(token);
      if (i < paginator->input_token.size()) {
        if (token.is_null() || (token.is_string() && token.get<std::string>().empty())) {
          request.erase(paginator->input_token[i]);
        } else {
          request[paginator->input_token[i]] = token;
          any_token = true;
        }
      }
    }
    if (!any_token) {
      return Status::Ok();
    }
    for (const nlohmann::json& t : seen_tokens) {
      if (t == tokens) {
        return InternalError(context + ": the service returned the same pagination token twice");
      }
    }
    seen_tokens.push_back(std::move(tokens));
  }
}

Result<nlohmann::json> Client::PaginateAll(std::string_view service, std::string_view operation,
                                           const nlohmann::json& params,
                                           const CallOptions& options) {
  ASR_ASSIGN_OR_RETURN(const ServiceModel* model, models_.Get(service));
  const PaginatorConfig* paginator = model->FindPaginator(operation);
  nlohmann::json merged = nlohmann::json::object();
  const Status s = Paginate(
      service, operation, params,
      [&](const nlohmann::json& page) -> Status {
        for (const auto& [key, value] : page.items()) {
          const bool is_result_key =
              paginator != nullptr &&
              std::find(paginator->result_key.begin(), paginator->result_key.end(), key) !=
                  paginator->result_key.end();
          if (is_result_key && value.is_array() && merged.contains(key) && merged[key].is_array()) {
            for (const nlohmann::json& item : value) {
              merged[key].push_back(item);
            }
          } else {
            merged[key] = value;
          }
        }
        return Status::Ok();
      },
      options);
  if (!s.ok()) {
    return s;
  }
  // The merged result is complete: pagination markers from earlier pages would mislead.
  if (paginator != nullptr) {
    std::vector<std::string> markers = paginator->output_token;
    markers.push_back(paginator->more_results);
    for (const std::string& marker : markers) {
      const std::string top = marker.substr(0, marker.find_first_of(".["));
      if (!top.empty() && std::find(paginator->result_key.begin(), paginator->result_key.end(),
                                    top) == paginator->result_key.end()) {
        merged.erase(top);
      }
    }
  }
  return merged;
}

namespace {

// Evaluates one waiter acceptor against a result or an error. Returns true when it matches.
Result<bool> Matches(const nlohmann::json& acceptor, const Result<nlohmann::json>& outcome) {
  const std::string matcher = acceptor.value("matcher", "");
  const nlohmann::json& expected =
      acceptor.contains("expected") ? acceptor["expected"] : nlohmann::json(nullptr);
  if (matcher == "error") {
    if (outcome.ok()) {
      return expected.is_boolean() && !expected.get<bool>();
    }
    if (expected.is_boolean()) {
      return expected.get<bool>();
    }
    return expected.is_string() && outcome.status().aws_error_code() == expected.get<std::string>();
  }
  if (matcher == "status") {
    if (!expected.is_number_integer()) {
      return false;
    }
    const int want = expected.get<int>();
    if (outcome.ok()) {
      return want >= 200 && want < 300;
    }
    // A Status keeps the error's category, not its HTTP status; the categories that waiters
    // test (404 "does not exist", 403, 409) map one to one.
    switch (outcome.status().code()) {
      case StatusCode::kNotFound:
        return want == 404;
      case StatusCode::kPermissionDenied:
        return want == 403;
      case StatusCode::kConflict:
        return want == 409;
      default:
        return false;
    }
  }
  if (!outcome.ok()) {
    return false;
  }
  ASR_ASSIGN_OR_RETURN(const nlohmann::json value,
                       SearchPath(*outcome, acceptor.value("argument", "")));
  if (matcher == "path") {
    return value == expected;
  }
  if (matcher == "pathAll") {
    if (!value.is_array() || value.empty()) {
      return false;
    }
    return std::all_of(value.begin(), value.end(),
                       [&](const nlohmann::json& v) { return v == expected; });
  }
  if (matcher == "pathAny") {
    return value.is_array() && std::any_of(value.begin(), value.end(),
                                           [&](const nlohmann::json& v) { return v == expected; });
  }
  return InvalidArgumentError("waiter matcher " + Quote(matcher) + " is not supported");
}

}  // namespace

Status Client::Wait(std::string_view service, std::string_view waiter, const nlohmann::json& params,
                    std::chrono::seconds max_wait, const CallOptions& options) {
  const std::string context = std::string(service) + " waiter " + std::string(waiter);
  ASR_ASSIGN_OR_RETURN(const ServiceModel* model, models_.Get(service));
  const nlohmann::json* config = model->FindWaiter(waiter);
  if (config == nullptr) {
    return InvalidArgumentError(context + ": the model has no such waiter");
  }
  const std::string operation = config->value("operation", "");
  const int delay_s = config->value("delay", 15);
  const int max_attempts = config->value("maxAttempts", 40);
  const auto start = clock_.Now();
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    const Result<nlohmann::json> outcome = Call(service, operation, params, options);
    bool matched_retry = false;
    for (const nlohmann::json& acceptor : config->value("acceptors", nlohmann::json::array())) {
      ASR_ASSIGN_OR_RETURN(const bool matched, Matches(acceptor, outcome));
      if (!matched) {
        continue;
      }
      const std::string state = acceptor.value("state", "");
      if (state == "success") {
        return Status::Ok();
      }
      if (state == "failure") {
        return FailedPreconditionError(context + ": reached a failure state" +
                                       (outcome.ok() ? "" : ": " + outcome.status().message()));
      }
      matched_retry = true;
      break;
    }
    // An error no acceptor expects ends the wait, unless retrying the call itself may help.
    if (!outcome.ok() && !matched_retry && !IsRetryable(outcome.status())) {
      return outcome.status().Annotate(context);
    }
    const auto delay = std::chrono::seconds(delay_s);
    if (clock_.Now() + delay - start > max_wait) {
      return UnavailableError(context + ": not done after " + std::to_string(max_wait.count()) +
                              " s");
    }
    sleeper_.Sleep(delay);
  }
  return UnavailableError(context + ": not done after " + std::to_string(max_attempts) +
                          " attempts");
}

}  // namespace asr::aws
