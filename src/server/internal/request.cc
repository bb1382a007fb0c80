#include "server/internal/request.h"

#include <charconv>
#include <cstddef>
#include <set>

#include "common/strings.h"

namespace asr::server::internal {

using nlohmann::json;

Result<HostPort> ParseListen(std::string_view listen) {
  const std::string shown = Quote(listen);
  HostPort out;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return InvalidArgumentError("server.listen " + shown +
                                  ": expected \"[ipv6]:port\", e.g. \"[::1]:8080\"");
    }
    out.host = std::string(listen.substr(1, close - 1));
    port_text = listen.substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError("server.listen " + shown +
                                  ": expected \"host:port\", e.g. \"127.0.0.1:8080\"");
    }
    out.host = std::string(listen.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return InvalidArgumentError("server.listen " + shown +
                                  ": put an IPv6 address in brackets, e.g. \"[::1]:8080\"");
    }
    port_text = listen.substr(colon + 1);
  }
  if (out.host.empty()) {
    return InvalidArgumentError("server.listen " + shown +
                                ": the host is empty; use e.g. \"127.0.0.1\" or \"0.0.0.0\"");
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || port_text.size() > 5 || ec != std::errc() ||
      end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgumentError("server.listen " + shown +
                                ": the port must be a number from 0 to 65535 (0 = any free port)");
  }
  out.port = static_cast<int>(port);
  return out;
}

Status CheckJsonContentType(const std::optional<std::string>& content_type) {
  if (!content_type.has_value()) {
    return Status::Ok();
  }
  const auto reject = [&]() {
    return InvalidArgumentError("Content-Type " + Quote(*content_type) +
                                " is not accepted; send application/json (charset utf-8 if "
                                "any) or leave Content-Type out");
  };
  const std::vector<std::string_view> parts = Split(*content_type, ';');
  const std::string type = AsciiLower(TrimAscii(parts.front()));
  constexpr std::string_view kApp = "application/";
  constexpr std::string_view kSuffix = "+json";
  const bool is_json =
      type == "application/json" || (type.starts_with(kApp) && type.ends_with(kSuffix) &&
                                     type.size() > kApp.size() + kSuffix.size());
  if (!is_json) {
    return reject();
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t eq = parts[i].find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    if (AsciiLower(TrimAscii(parts[i].substr(0, eq))) != "charset") {
      continue;
    }
    std::string_view value = TrimAscii(parts[i].substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const std::string charset = AsciiLower(value);
    if (charset != "utf-8" && charset != "utf8") {
      return reject();
    }
  }
  return Status::Ok();
}

namespace {

// A SAX consumer that keeps nothing: it checks syntax (done by nlohmann's lexer and parser) and
// nesting depth, and records the first error.
class Validator final : public json::json_sax_t {
 public:
  bool null() override { return true; }
  bool boolean(bool /*val*/) override { return true; }
  bool number_integer(number_integer_t /*val*/) override { return true; }
  bool number_unsigned(number_unsigned_t /*val*/) override { return true; }
  bool number_float(number_float_t /*val*/, const string_t& /*s*/) override { return true; }
  bool string(string_t& /*val*/) override { return true; }
  bool binary(binary_t& /*val*/) override { return true; }
  bool start_object(std::size_t /*elements*/) override { return Enter(); }
  bool key(string_t& /*val*/) override { return true; }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t /*elements*/) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) override {
    // ex.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
    // drop the library's bracketed prefix.
    std::string what = ex.what();
    const size_t close = what.find("] ");
    if (what.starts_with("[json.exception") && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    error_ = "request body is not valid JSON (byte " + std::to_string(position) + "): " + what;
    return false;
  }

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ > kMaxJsonDepth) {
      error_ = "request body nests JSON objects and arrays deeper than " +
               std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  size_t depth_ = 0;
  std::string error_;
};

// Rejects every member of `obj` not in `allowed`.
Status CheckFields(const json& obj, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (std::string_view a : allowed) {
      known = known || key == a;
    }
    if (!known) {
      std::string names;
      for (std::string_view a : allowed) {
        names += names.empty() ? "" : ", ";
        names += "\"" + std::string(a) + "\"";
      }
      return InvalidArgumentError("request body has unknown field " + Quote(key) +
                                  "; accepted: " + (names.empty() ? "none" : names));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateJson(std::string_view body) {
  Validator v;
  bool ok = false;
  try {
    ok = json::sax_parse(body, &v, json::input_format_t::json, /*strict=*/true);
  } catch (const std::exception& e) {  // nlohmann reports through the SAX; this is a backstop
    return InvalidArgumentError(std::string("request body is not valid JSON: ") + e.what());
  }
  if (!ok) {
    return InvalidArgumentError(v.error().empty() ? "request body is not valid JSON" : v.error());
  }
  return Status::Ok();
}

Result<json> ParseJsonObject(std::string_view body) {
  ASR_RETURN_IF_ERROR(ValidateJson(body));
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) {
    return InvalidArgumentError(std::string("request body must be a JSON object, not ") +
                                (value.is_discarded() ? "invalid JSON" : value.type_name()));
  }
  return value;
}

Result<workflow::JobFilter> ParseJobFilter(const QueryParams& params) {
  workflow::JobFilter filter;
  std::set<std::string, std::less<>> seen;
  for (const auto& [name, value] : params) {
    if (!seen.insert(name).second) {
      return InvalidArgumentError("query parameter " + Quote(name) + " is given more than once");
    }
    if (value.size() > 1024) {
      return InvalidArgumentError("query parameter " + Quote(name) +
                                  " is longer than 1024 characters");
    }
    if (name == "state") {
      filter.state = value;
    } else if (name == "control") {
      filter.control_id = value;
    } else if (name == "account") {
      if (!value.empty() && !IsDigits(value, 12)) {
        return InvalidArgumentError("query parameter \"account\" " + Quote(value) +
                                    " is not an AWS account id (12 digits)");
      }
      filter.account_id = value;
    } else if (name == "finding") {
      filter.finding_id = value;
    } else if (name == "before") {
      filter.before_id = value;
    } else if (name == "active") {
      if (value == "true") {
        filter.active_only = true;
      } else if (value == "false") {
        filter.active_only = false;
      } else {
        return InvalidArgumentError("query parameter \"active\" " + Quote(value) +
                                    " must be true or false");
      }
    } else if (name == "limit") {
      unsigned long long limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > 500) {
        return InvalidArgumentError("query parameter \"limit\" " + Quote(value) +
                                    " must be a whole number from 1 to 500");
      }
      filter.limit = static_cast<size_t>(limit);
    } else {
      return InvalidArgumentError(
          "unknown query parameter " + Quote(name) +
          "; accepted: state, control, account, finding, active, before, limit");
    }
  }
  return filter;
}

Result<std::string> ParseCommentBody(std::string_view body) {
  if (body.empty()) {
    return std::string();
  }
  ASR_ASSIGN_OR_RETURN(json obj, ParseJsonObject(body));
  ASR_RETURN_IF_ERROR(CheckFields(obj, {"comment"}));
  const auto it = obj.find("comment");
  if (it == obj.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return InvalidArgumentError(std::string("field \"comment\" must be a string, not ") +
                                it->type_name());
  }
  std::string comment = it->get<std::string>();
  if (comment.size() > 4096) {
    return InvalidArgumentError("field \"comment\" is longer than 4096 bytes");
  }
  return comment;
}

Status ParseEmptyBody(std::string_view body) {
  if (body.empty()) {
    return Status::Ok();
  }
  ASR_ASSIGN_OR_RETURN(json obj, ParseJsonObject(body));
  return CheckFields(obj, {});
}

Result<std::string> ParseModeBody(std::string_view body) {
  if (body.empty()) {
    return InvalidArgumentError(
        "request body is empty; send {\"mode\": \"off\"|\"manual\"|\"approve\"|\"auto\"}");
  }
  ASR_ASSIGN_OR_RETURN(json obj, ParseJsonObject(body));
  ASR_RETURN_IF_ERROR(CheckFields(obj, {"mode"}));
  const auto it = obj.find("mode");
  if (it == obj.end()) {
    return InvalidArgumentError(
        "field \"mode\" is missing; send {\"mode\": \"off\"|\"manual\"|\"approve\"|\"auto\"}");
  }
  if (!it->is_string()) {
    return InvalidArgumentError(std::string("field \"mode\" must be a string, not ") +
                                it->type_name());
  }
  std::string mode = it->get<std::string>();
  if (mode != "off" && mode != "manual" && mode != "approve" && mode != "auto") {
    return InvalidArgumentError("field \"mode\" " + Quote(mode) +
                                " is not a mode; accepted: off, manual, approve, auto");
  }
  return mode;
}

Result<bool> ParseKillSwitchBody(std::string_view body) {
  if (body.empty()) {
    return InvalidArgumentError("request body is empty; send {\"engaged\": true|false}");
  }
  ASR_ASSIGN_OR_RETURN(json obj, ParseJsonObject(body));
  ASR_RETURN_IF_ERROR(CheckFields(obj, {"engaged"}));
  const auto it = obj.find("engaged");
  if (it == obj.end()) {
    return InvalidArgumentError("field \"engaged\" is missing; send {\"engaged\": true|false}");
  }
  if (!it->is_boolean()) {
    return InvalidArgumentError(std::string("field \"engaged\" must be true or false, not ") +
                                it->type_name());
  }
  return it->get<bool>();
}

}  // namespace asr::server::internal
