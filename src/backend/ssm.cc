#include "backend/ssm.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "aws/crypto.h"
#include "common/strings.h"

namespace asr::backend {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kPlaceholderOutput =
    "No output available yet because the step is not successfully executed";
constexpr std::string_view kPlaceholderReplacement = "See Automation Execution output for details";

// The reference's terminal set first; then SSM's other final statuses (see the header).
constexpr std::array<std::string_view, 10> kTerminalStatuses = {"Success",
                                                                "TimedOut",
                                                                "Cancelled",
                                                                "Cancelling",
                                                                "Failed",
                                                                "CompletedWithSuccess",
                                                                "CompletedWithFailure",
                                                                "Exited",
                                                                "Rejected",
                                                                "ChangeCalendarOverrideRejected"};

bool IsTerminal(std::string_view status) {
  return std::ranges::any_of(kTerminalStatuses, [&](std::string_view s) { return s == status; });
}

bool IsSuccessStatus(std::string_view status) {
  return status == "Success" || status == "CompletedWithSuccess";
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsHex(char c) { return IsLowerHex(c) || (c >= 'A' && c <= 'F'); }

// 8-4-4-4-12 hex digits; `lower_only` for execution ids (the reference's pattern).
bool IsUuidShape(std::string_view s, bool lower_only) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !(lower_only ? IsLowerHex(s[i]) : IsHex(s[i]))) {
      return false;
    }
  }
  return true;
}

bool IsLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }

// ^[a-z]{2}(?:-gov)?-[a-z]+-\d$ without <regex> (which may throw).
bool MatchesReferenceRegion(std::string_view s) {
  if (s.size() < 2 || !IsLowerAlpha(s[0]) || !IsLowerAlpha(s[1])) {
    return false;
  }
  auto rest_matches = [](std::string_view r) {
    // -[a-z]+-\d
    if (r.size() < 4 || r[0] != '-' || r[r.size() - 2] != '-' || r.back() < '0' || r.back() > '9') {
      return false;
    }
    const std::string_view word = r.substr(1, r.size() - 3);
    return !word.empty() && std::ranges::all_of(word, IsLowerAlpha);
  };
  const std::string_view tail = s.substr(2);
  return rest_matches(tail) || (tail.starts_with("-gov") && rest_matches(tail.substr(4)));
}

// ---- UTF-8 and Python formatting -------------------------------------------------------------

// Decodes one code point at `i` (advancing it); invalid sequences give U+FFFD for one byte.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) -> int {
    if (i + k >= s.size()) {
      return -1;
    }
    const auto b = static_cast<unsigned char>(s[i + k]);
    return (b & 0xC0U) == 0x80U ? static_cast<int>(b & 0x3FU) : -1;
  };
  if (b0 < 0x80U) {
    ++i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0U) == 0xC0U) {
    len = 2;
    cp = b0 & 0x1FU;
  } else if ((b0 & 0xF0U) == 0xE0U) {
    len = 3;
    cp = b0 & 0x0FU;
  } else if ((b0 & 0xF8U) == 0xF0U) {
    len = 4;
    cp = b0 & 0x07U;
  } else {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const int c = cont(static_cast<size_t>(k));
    if (c < 0) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6U) | static_cast<char32_t>(c);
  }
  i += static_cast<size_t>(len);
  return cp;
}

// Python's str.isprintable() for the code points that occur in practice: controls (Cc), the
// common format characters (Cf), separators other than the ASCII space (Zs, Zl, Zp),
// surrogates, private use and the noncharacters U+FFFE/U+FFFF are not printable. Unassigned
// code points (Cn) are treated as printable: Python would escape them, which needs the Unicode
// database.
bool IsPythonPrintable(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) {
    return false;
  }
  if ((c >= 0x600 && c <= 0x605) || c == 0x61C || c == 0x6DD || c == 0x70F || c == 0x180E ||
      c == 0x1680) {
    return false;
  }
  if ((c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
      (c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0x3000) {
    return false;
  }
  if ((c >= 0xD800 && c <= 0xF8FF) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB) || c == 0xFFFE ||
      c == 0xFFFF || c >= 0xF0000) {
    return false;
  }
  return true;
}

void AppendHex(std::string& out, std::uint32_t v, int digits) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out.push_back(kHex[(v >> static_cast<unsigned>(shift)) & 0xFU]);
  }
}

void AppendUtf8(std::string& out, char32_t c) {
  const auto v = static_cast<std::uint32_t>(c);
  if (v < 0x80U) {
    out.push_back(static_cast<char>(v));
  } else if (v < 0x800U) {
    out.push_back(static_cast<char>(0xC0U | (v >> 6U)));
    out.push_back(static_cast<char>(0x80U | (v & 0x3FU)));
  } else if (v < 0x10000U) {
    out.push_back(static_cast<char>(0xE0U | (v >> 12U)));
    out.push_back(static_cast<char>(0x80U | ((v >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (v & 0x3FU)));
  } else {
    out.push_back(static_cast<char>(0xF0U | (v >> 18U)));
    out.push_back(static_cast<char>(0x80U | ((v >> 12U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | ((v >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (v & 0x3FU)));
  }
}

// repr(str).
void AppendPythonStringRepr(std::string& out, std::string_view s) {
  const char quote =
      (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"'
                                                                                        : '\'';
  out.push_back(quote);
  size_t i = 0;
  while (i < s.size()) {
    const char32_t c = NextCodePoint(s, i);
    if (c == static_cast<char32_t>(quote) || c == U'\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (c == U'\t') {
      out += "\\t";
    } else if (IsPythonPrintable(c)) {
      AppendUtf8(out, c);
    } else if (c < 0x100) {
      out += "\\x";
      AppendHex(out, static_cast<std::uint32_t>(c), 2);
    } else if (c < 0x10000) {
      out += "\\u";
      AppendHex(out, static_cast<std::uint32_t>(c), 4);
    } else {
      out += "\\U";
      AppendHex(out, static_cast<std::uint32_t>(c), 8);
    }
  }
  out.push_back(quote);
}

// float.__repr__: the shortest digits that round-trip, fixed notation for decimal exponents
// -4..15, otherwise d[.ddd]e±XX.
std::string PythonFloatRepr(double d) {
  std::array<char, 64> buf{};
  const auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific);
  if (ec != std::errc()) {
    return "nan";
  }
  const std::string_view sci(buf.data(), static_cast<size_t>(end - buf.data()));
  // sci is "-?D(.DDD)?e[+-]XX".
  const bool negative = sci.starts_with('-');
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') {
      digits.push_back(c);
    }
  }
  int exponent = 0;
  const std::string_view exp_text = sci.substr(e + 1);
  const size_t skip = exp_text.starts_with('+') ? 1 : 0;
  std::from_chars(exp_text.data() + skip, exp_text.data() + exp_text.size(), exponent);

  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) {
      out.push_back('0');
    }
    out += std::to_string(magnitude);
  } else if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
  } else {
    const auto int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
      out += digits;
      out.append(int_len - digits.size(), '0');
      out += ".0";
    } else {
      out.append(digits, 0, int_len);
      out.push_back('.');
      out.append(digits, int_len);
    }
  }
  return out;
}

// Nesting deeper than this is written as "..." (Python's json.loads gives up near 1000 levels), so
// a hostile runbook output cannot exhaust the stack.
constexpr int kMaxDepth = 256;

template <typename Json>
void AppendRepr(  // NOLINT(misc-no-recursion)
    std::string& out, const Json& value, int depth = 0) {
  if (depth > kMaxDepth) {
    out += "...";
    return;
  }
  switch (value.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendPythonStringRepr(out, it.key());
        out += ": ";
        AppendRepr(out, it.value(), depth + 1);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendRepr(out, item, depth + 1);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string:
      AppendPythonStringRepr(out, value.template get_ref<const std::string&>());
      return;
    case Json::value_t::boolean:
      out += value.template get<bool>() ? "True" : "False";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(value.template get<std::int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(value.template get<std::uint64_t>());
      return;
    case Json::value_t::number_float:
      out += PythonFloatRepr(value.template get<double>());
      return;
    default:  // null, discarded, binary
      out += "None";
      return;
  }
}

// json.dumps's string form with ensure_ascii.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const char32_t c = NextCodePoint(s, i);
    switch (c) {
      case U'"':
        out += "\\\"";
        break;
      case U'\\':
        out += "\\\\";
        break;
      case U'\n':
        out += "\\n";
        break;
      case U'\r':
        out += "\\r";
        break;
      case U'\t':
        out += "\\t";
        break;
      case U'\b':
        out += "\\b";
        break;
      case U'\f':
        out += "\\f";
        break;
      default:
        if (c >= 0x20 && c <= 0x7E) {
          out.push_back(static_cast<char>(c));
        } else if (c < 0x10000) {
          out += "\\u";
          AppendHex(out, static_cast<std::uint32_t>(c), 4);
        } else {
          const auto v = static_cast<std::uint32_t>(c) - 0x10000U;
          out += "\\u";
          AppendHex(out, 0xD800U + (v >> 10U), 4);
          out += "\\u";
          AppendHex(out, 0xDC00U + (v & 0x3FFU), 4);
        }
    }
  }
  out.push_back('"');
}

void AppendJsonDumps(std::string& out,  // NOLINT(misc-no-recursion): see AppendRepr.
                     const json& value, int depth = 0) {
  if (depth > kMaxDepth) {
    out += "...";
    return;
  }
  switch (value.type()) {
    case json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendJsonString(out, key);
        out += ": ";
        AppendJsonDumps(out, item, depth + 1);
      }
      out.push_back('}');
      return;
    }
    case json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const json& item : value) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendJsonDumps(out, item, depth + 1);
      }
      out.push_back(']');
      return;
    }
    case json::value_t::string:
      AppendJsonString(out, value.get_ref<const std::string&>());
      return;
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      AppendRepr(out, value);
      return;
    default:
      out += "null";
      return;
  }
}

// Python's str(value): a string as itself, anything else as its repr.
template <typename Json>
std::string PythonStr(const Json& value) {
  if (value.is_string()) {
    return value.template get<std::string>();
  }
  std::string out;
  AppendRepr(out, value);
  return out;
}

// ---- Interpretation ---------------------------------------------------------------------------

std::string AffectedObject(const json& outputs) {
  const auto it = outputs.find("ParseInput.AffectedObject");
  if (it == outputs.end() || !it->is_array() || it->empty()) {
    return "UNKNOWN";
  }
  const json& first = it->front();
  if (!first.is_string()) {
    return PythonStr(first);
  }
  const auto& text = first.get_ref<const std::string&>();
  const ordered_json parsed = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return text;
  }
  if (parsed.is_object() && parsed.contains("Type") && parsed.contains("Id")) {
    return PythonStr(parsed["Type"]) + " " + PythonStr(parsed["Id"]);
  }
  return PythonStr(parsed);
}

ordered_json MessageOnly(std::string text) {
  ordered_json out = ordered_json::object();
  out["message"] = std::move(text);
  return out;
}

// The runbook's response (get_remediation_response in the reference).
ordered_json RunbookResponse(const json& outputs) {
  const json* raw = nullptr;
  bool remediation_output = false;
  if (const auto it = outputs.find("Remediation.Output"); it != outputs.end()) {
    raw = &*it;
    remediation_output = true;
  } else if (const auto vit = outputs.find("VerifyRemediation.Output"); vit != outputs.end()) {
    raw = &*vit;
  } else {
    return MessageOnly(PythonJsonDumps(outputs));
  }
  if (raw->is_array()) {
    if (raw->empty()) {
      return ordered_json::object();
    }
    std::string text = PythonStr(raw->front());
    if (remediation_output && raw->size() == 1 && text == kPlaceholderOutput) {
      text = kPlaceholderReplacement;
    }
    ordered_json parsed = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) {
      return parsed;
    }
    return MessageOnly(std::move(text));
  }
  if (raw->is_string()) {
    return MessageOnly(raw->get<std::string>());
  }
  if (raw->is_object()) {
    return ordered_json::parse(raw->dump(), nullptr, /*allow_exceptions=*/false);
  }
  return ordered_json::object();
}

// Payload.response when it is an object, else null.
const ordered_json* PayloadResponse(const ordered_json& response) {
  const auto payload = response.find("Payload");
  if (payload == response.end() || !payload->is_object()) {
    return nullptr;
  }
  const auto inner = payload->find("response");
  return inner == payload->end() ? nullptr : &*inner;
}

std::string PayloadStatus(const ordered_json& payload_response) {
  if (payload_response.is_object()) {
    if (const auto it = payload_response.find("status"); it != payload_response.end()) {
      return PythonStr(*it);
    }
  }
  return "UNKNOWN";
}

// The first key equal to "message" ignoring case, in the runbook's key order.
ordered_json::const_iterator MessageKey(const ordered_json& response) {
  for (auto it = response.begin(); it != response.end(); ++it) {
    if (EqualsIgnoreCase(it.key(), "message")) {
      return it;
    }
  }
  return response.end();
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view part : Split(text, '\n')) {
    out.emplace_back(part);
  }
  return out;
}

Status AnnotateCall(const Status& status, std::string_view operation, std::string_view what) {
  return status.Annotate("ssm." + std::string(operation) + " " + std::string(what));
}

aws::CallOptions InRegion(const aws::CallOptions& call, std::string_view region) {
  aws::CallOptions out = call;
  out.region = std::string(region);
  return out;
}

}  // namespace

// ---- Names ------------------------------------------------------------------------------------

std::string ControlRunbookName(std::string_view short_name, std::string_view version,
                               std::string_view control) {
  std::string out = "ASR-";
  out += short_name;
  out += '_';
  out += version;
  out += '_';
  out += control;
  return out;
}

std::string AutomationRoleArn(std::string_view partition, std::string_view account,
                              std::string_view role_name) {
  std::string out = "arn:";
  out += partition;
  out += ":iam::";
  out += account;
  out += ":role/";
  out += role_name;
  return out;
}

std::string ClientTokenFor(std::string_view job_id) {
  std::string bytes = aws::Sha256("asr/ssm/" + std::string(job_id)).substr(0, 16);
  // RFC 9562 version 8 (custom) and variant 10xx, so the token is a well-formed UUID.
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0FU) | 0x80U);
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3FU) | 0x80U);
  const std::string hex = aws::HexLower(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// ---- Validation -------------------------------------------------------------------------------

Status ValidateExecutionId(std::string_view execution_id) {
  if (IsUuidShape(execution_id, /*lower_only=*/true)) {
    return Status::Ok();
  }
  return InvalidArgumentError("ssm execution id " + Quote(execution_id) +
                              " is not an automation execution id; want 8-4-4-4-12 lower-case "
                              "hex digits, e.g. 0c4b2a4e-1f2d-4e8a-9b1c-2d3e4f5a6b7c");
}

Status ValidateAccount(std::string_view account) {
  if (IsDigits(account, 12)) {
    return Status::Ok();
  }
  return InvalidArgumentError("ssm execution account " + Quote(account) +
                              " is not an AWS account id; want 12 digits");
}

Status ValidateRegion(std::string_view region) {
  if (MatchesReferenceRegion(region)) {
    return Status::Ok();
  }
  return InvalidArgumentError("ssm region " + Quote(region) +
                              " is not a region name; want e.g. us-east-1 or us-gov-west-1");
}

Status ValidateDocument(std::string_view document) {
  bool ok = document.size() >= 3 && document.size() <= 128;
  for (char c : document) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':' ||
                         c == '/';
    ok = ok && allowed;
  }
  if (ok) {
    return Status::Ok();
  }
  return InvalidArgumentError("ssm document name " + Quote(document) +
                              " is not valid; want 3 to 128 of a-z A-Z 0-9 _ - . : /");
}

// ---- Calls ------------------------------------------------------------------------------------

std::string_view RunbookStateName(RunbookState state) {
  switch (state) {
    case RunbookState::kActive:
      return "ACTIVE";
    case RunbookState::kNotActive:
      return "NOTACTIVE";
    case RunbookState::kNotFound:
      return "NOTFOUND";
    case RunbookState::kAccessDenied:
      return "ACCESSDENIED";
  }
  return "NOTFOUND";
}

Result<RunbookCheck> CheckRunbook(aws::Client& member, std::string_view region,
                                  std::string_view document, const aws::CallOptions& call) {
  ASR_RETURN_IF_ERROR(ValidateRegion(region));
  ASR_RETURN_IF_ERROR(ValidateDocument(document));
  const std::string name(document);
  Result<json> out =
      member.Call("ssm", "DescribeDocument", json{{"Name", name}}, InRegion(call, region));
  if (!out.ok()) {
    const Status status = out.status();
    if (status.aws_error_code() == "InvalidDocument") {
      return RunbookCheck{.state = RunbookState::kNotFound,
                          .message = "Document " + name + " does not exist."};
    }
    // AccessDenied and AccessDeniedException, and every other refusal of the member-account
    // credentials (a failed AssumeRole, an expired token): the job cannot act in that account.
    if (status.code() == StatusCode::kPermissionDenied ||
        status.aws_error_code().starts_with("AccessDenied")) {
      return RunbookCheck{.state = RunbookState::kAccessDenied,
                          .message = AnnotateCall(status, "DescribeDocument", name).message()};
    }
    return AnnotateCall(status, "DescribeDocument", name);
  }
  RunbookCheck check;
  const json& doc = out->contains("Document") ? (*out)["Document"] : json::object();
  if (doc.contains("Status") && doc["Status"].is_string()) {
    check.document_status = doc["Status"].get<std::string>();
  }
  if (doc.contains("DocumentType") && doc["DocumentType"].is_string()) {
    check.document_type = doc["DocumentType"].get<std::string>();
  }
  if (check.document_status == "Active" && check.document_type == "Automation") {
    check.state = RunbookState::kActive;
    return check;
  }
  check.state = RunbookState::kNotActive;
  check.message = "Document " + name + " is not an active Automation document (Status " +
                  Quote(check.document_status) + ", DocumentType " + Quote(check.document_type) +
                  ").";
  return check;
}

Result<std::string> StartRunbook(aws::Client& member, const StartRequest& request,
                                 const aws::CallOptions& call) {
  ASR_RETURN_IF_ERROR(ValidateRegion(request.region));
  ASR_RETURN_IF_ERROR(ValidateDocument(request.document));
  if (!IsUuidShape(request.client_token, /*lower_only=*/false)) {
    return InvalidArgumentError("ssm client token " + Quote(request.client_token) +
                                " is not a UUID; want the value of ClientTokenFor(job id)");
  }
  if (!request.automation_role_arn.starts_with("arn:")) {
    return InvalidArgumentError("ssm automation role " + Quote(request.automation_role_arn) +
                                " is not an ARN; want arn:<partition>:iam::<account>:role/<name>");
  }
  if (!request.finding.is_object()) {
    return InvalidArgumentError("ssm finding is a JSON " +
                                std::string(request.finding.type_name()) +
                                "; want the ASFF finding object");
  }
  // `replace` so that a finding with invalid UTF-8 cannot make dump() throw.
  const std::string finding_text =
      request.finding.dump(-1, ' ', false, json::error_handler_t::replace);
  const json params = {
      {"DocumentName", request.document},
      {"Parameters",
       {{"Finding", json::array({finding_text})},
        {"AutomationAssumeRole", json::array({request.automation_role_arn})}}},
      {"ClientToken", request.client_token},
  };
  Result<json> out =
      member.Call("ssm", "StartAutomationExecution", params, InRegion(call, request.region));
  if (!out.ok()) {
    const Status status = out.status();
    if (status.aws_error_code() == "IdempotentParameterMismatch") {
      return Status(StatusCode::kConflict,
                    "ssm.StartAutomationExecution " + request.document + ": client token " +
                        request.client_token +
                        " was used before with other parameters: " + status.message())
          .WithAwsError(status.aws_error_code(), status.request_id());
    }
    if (status.aws_error_code() == "AutomationExecutionLimitExceededException") {
      // Too many automations running in the account and region: one finishing frees a slot,
      // so this is worth retrying later (the client classifies it as a bad request).
      return Status(StatusCode::kUnavailable,
                    "ssm.StartAutomationExecution " + request.document + ": " + status.message())
          .WithRetryable(Retryable::kYes)
          .WithAwsError(status.aws_error_code(), status.request_id());
    }
    return AnnotateCall(status, "StartAutomationExecution", request.document);
  }
  const auto it = out->find("AutomationExecutionId");
  if (it == out->end() || !it->is_string() ||
      !IsUuidShape(it->get_ref<const std::string&>(), /*lower_only=*/false)) {
    return InternalError("ssm.StartAutomationExecution " + request.document +
                         ": the answer has no automation execution id: " +
                         Quote(out->dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  return it->get<std::string>();
}

// ---- Interpretation ---------------------------------------------------------------------------

ExecutionResult InterpretExecution(const json& metadata) {
  ExecutionResult r;
  r.ssm_status = "ERROR";
  if (metadata.is_object()) {
    if (const auto it = metadata.find("AutomationExecutionStatus");
        it != metadata.end() && it->is_string()) {
      r.ssm_status = it->get<std::string>();
    }
  }
  if (!IsTerminal(r.ssm_status)) {
    r.remediation_status = "running";
    r.message = "Waiting for completion";
    return r;
  }
  r.terminal = true;
  json outputs = json::object();
  if (const auto it = metadata.find("Outputs"); it != metadata.end() && it->is_object()) {
    outputs = *it;
  }
  r.affected_object = AffectedObject(outputs);
  ordered_json response = RunbookResponse(outputs);
  if (!response.is_object()) {
    response = ordered_json::object();
  }
  const ordered_json* payload_response = PayloadResponse(response);

  r.remediation_status = r.ssm_status;
  if (IsSuccessStatus(r.ssm_status)) {
    if (payload_response != nullptr) {
      r.remediation_status = PayloadStatus(*payload_response);
    } else if (const auto it = response.find("status"); it != response.end()) {
      r.remediation_status = PythonStr(*it);
    }
  }

  const auto message_key = MessageKey(response);
  if (payload_response != nullptr) {
    r.message = PayloadStatus(*payload_response);
  } else if (message_key != response.end()) {
    r.message = PythonStr(*message_key);
  } else {
    r.message = "Remediation status: " + r.remediation_status + " - please verify remediation";
  }
  if (message_key != response.end()) {
    response.erase(message_key.key());
  }
  r.remediation_output = PythonRepr(response);

  if (const auto it = response.find("ExecutionLog"); it != response.end() && it->is_string()) {
    r.log_lines = SplitLines(it->get_ref<const std::string&>());
  }
  if (const auto it = metadata.find("FailureMessage");
      it != metadata.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
    r.log_lines.push_back(it->get<std::string>());
  }
  r.succeeded = IsSuccessStatus(r.ssm_status) && !EqualsIgnoreCase(r.remediation_status, "failed");
  return r;
}

std::string OutcomeState(const ExecutionResult& result) {
  if (!result.terminal) {
    return "";
  }
  if (result.succeeded) {
    return "SUCCESS";
  }
  if (result.ssm_status == "TimedOut" || result.ssm_status == "Cancelled" ||
      result.ssm_status == "Cancelling") {
    return AsciiUpper(result.ssm_status);
  }
  return "FAILED";
}

Result<ExecutionResult> PollRunbook(aws::Client& member, std::string_view region,
                                    std::string_view execution_id, const aws::CallOptions& call) {
  ASR_RETURN_IF_ERROR(ValidateRegion(region));
  ASR_RETURN_IF_ERROR(ValidateExecutionId(execution_id));
  const std::string id(execution_id);
  const json params = {
      {"Filters", json::array({{{"Key", "ExecutionId"}, {"Values", json::array({id})}}})}};
  Result<json> out =
      member.Call("ssm", "DescribeAutomationExecutions", params, InRegion(call, region));
  if (!out.ok()) {
    return AnnotateCall(out.status(), "DescribeAutomationExecutions", id);
  }
  const auto list = out->find("AutomationExecutionMetadataList");
  if (list == out->end() || !list->is_array() || list->empty()) {
    return NotFoundError("ssm.DescribeAutomationExecutions: automation execution " + id +
                         " not found in " + std::string(region));
  }
  return InterpretExecution(list->front());
}

// ---- Python formatting ------------------------------------------------------------------------

std::string PythonRepr(const nlohmann::ordered_json& value) {
  std::string out;
  AppendRepr(out, value);
  return out;
}

std::string PythonRepr(const nlohmann::json& value) {
  std::string out;
  AppendRepr(out, value);
  return out;
}

std::string PythonJsonDumps(const nlohmann::json& value) {
  std::string out;
  AppendJsonDumps(out, value);
  return out;
}

}  // namespace asr::backend
