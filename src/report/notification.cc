#include "report/notification.h"

#include <cstdint>
#include <utility>

#include "common/strings.h"
#include "report/internal/utf8.h"

namespace asr::report {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kHex = "0123456789abcdef";

void AppendU16Escape(std::string& out, uint32_t unit) {
  out += "\\u";
  out += kHex[(unit >> 12U) & 0xFU];
  out += kHex[(unit >> 8U) & 0xFU];
  out += kHex[(unit >> 4U) & 0xFU];
  out += kHex[unit & 0xFU];
}

// Python's py_encode_basestring_ascii.
void AppendPythonString(std::string& out, std::string_view s) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const internal::CodePoint cp = internal::DecodeUtf8(s, i);
    i += cp.length;
    const uint32_t c = cp.value;
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (c >= 0x20 && c <= 0x7E) {
      out += static_cast<char>(c);
    } else if (c <= 0xFFFF) {
      AppendU16Escape(out, c);
    } else {
      const uint32_t v = c - 0x10000;
      AppendU16Escape(out, 0xD800 | (v >> 10U));
      AppendU16Escape(out, 0xDC00 | (v & 0x3FFU));
    }
  }
  out += '"';
}

void AppendNewline(std::string& out, int indent, int level) {
  out += '\n';
  out.append(static_cast<size_t>(indent) * static_cast<size_t>(level), ' ');
}

// NOLINTNEXTLINE(misc-no-recursion): recursion follows the JSON tree (nlohmann caps its depth).
void AppendPython(std::string& out, const ordered_json& v, int indent, int level) {
  switch (v.type()) {
    case ordered_json::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) {
          out += indent >= 0 ? "," : ", ";
        }
        first = false;
        if (indent >= 0) {
          AppendNewline(out, indent, level + 1);
        }
        AppendPythonString(out, key);
        out += ": ";
        AppendPython(out, item, indent, level + 1);
      }
      if (indent >= 0) {
        AppendNewline(out, indent, level);
      }
      out += '}';
      return;
    }
    case ordered_json::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) {
          out += indent >= 0 ? "," : ", ";
        }
        first = false;
        if (indent >= 0) {
          AppendNewline(out, indent, level + 1);
        }
        AppendPython(out, item, indent, level + 1);
      }
      if (indent >= 0) {
        AppendNewline(out, indent, level);
      }
      out += ']';
      return;
    }
    case ordered_json::value_t::string:
      AppendPythonString(out, v.get_ref<const std::string&>());
      return;
    case ordered_json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case ordered_json::value_t::null:
    case ordered_json::value_t::discarded:
      out += "null";
      return;
    default:
      // Numbers (and binary, which JSON text never holds): nlohmann's form.
      out += v.dump();
      return;
  }
}

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view p : parts) {
    out += p;
  }
  return out;
}

}  // namespace

void FillFindingFacts(const finding::Finding& finding, NotificationFacts& facts) {
  facts.finding_id = finding.uuid.empty() ? finding.id : finding.uuid;
  facts.finding_description = finding.description;
  facts.standard_name = finding.standard.long_name;
  facts.standard_version = finding.standard.version;
  facts.standard_control = finding.standard.control;
  facts.title = finding.title;
  facts.account = finding.aws_account_id;
  facts.finding_arn = finding.id;
}

std::string_view NotificationSeverity(std::string_view state) {
  const std::string upper = AsciiUpper(state);
  return (upper == "SUCCESS" || upper == "QUEUED") ? "INFO" : "ERROR";
}

ordered_json SnsMessageObject(const NotificationFacts& facts) {
  std::string message;
  if (!facts.execution_id.empty()) {
    message = facts.execution_id + ": ";
  }
  message += facts.message;
  if (!facts.affected_object.empty()) {
    message += " (" + facts.affected_object + ")";
  }
  std::string alias = facts.account_alias;
  if (alias.empty()) {
    alias = facts.account.empty() ? "Unknown" : facts.account;
  }

  ordered_json finding = ordered_json::object();
  finding["finding_id"] = facts.finding_id;
  finding["finding_description"] = facts.finding_description;
  finding["standard_name"] = facts.standard_name;
  finding["standard_version"] = facts.standard_version;
  finding["standard_control"] = facts.standard_control;
  finding["title"] = facts.title;
  finding["region"] = facts.region;
  finding["account"] = facts.account;
  finding["finding_arn"] = facts.finding_arn;

  ordered_json obj = ordered_json::object();
  obj["Remediation_Status"] = facts.state;
  obj["Severity"] = std::string(NotificationSeverity(facts.state));
  obj["Account_Alias"] = std::move(alias);
  obj["Remediation_Output"] = facts.remediation_output;
  obj["Message"] = std::move(message);
  obj["Finding_Link"] =
      FindingLink(facts.finding_arn, facts.region, facts.partition, facts.console);
  obj["Finding"] = std::move(finding);
  obj["StepFunctions_Execution_Id"] = facts.job_id;
  if (facts.ticket_url.has_value() && !facts.ticket_url->empty()) {
    obj["Ticket_URL"] = *facts.ticket_url;
  }
  return obj;
}

std::string SnsMessageText(const NotificationFacts& facts) {
  return PythonJsonDumps(SnsMessageObject(facts), 2);
}

std::string PythonJsonDumps(const ordered_json& value, int indent) {
  std::string out;
  AppendPython(out, value, indent, 0);
  return out;
}

std::string QuotePlus(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || c == '_' || c == '.' || c == '-' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      constexpr std::string_view kUpperHex = "0123456789ABCDEF";
      out += '%';
      out += kUpperHex[c >> 4U];
      out += kUpperHex[c & 0xFU];
    }
  }
  return out;
}

std::string_view ConsoleHost(std::string_view partition) {
  if (partition == "aws-us-gov") {
    return "console.amazonaws-us-gov.com";
  }
  if (partition == "aws-cn") {
    return "console.amazonaws.cn";
  }
  return "console.aws.amazon.com";
}

std::string FindingLink(std::string_view finding_arn, std::string_view region,
                        std::string_view partition, SecurityHubConsole console) {
  const bool v2 = console == SecurityHubConsole::kV2;
  return Cat({"https://", ConsoleHost(partition),
              v2 ? "/securityhub/v2/home?region=" : "/securityhub/home?region=", region,
              "#/findings?search=", v2 ? "finding_info.uid" : "Id",
              "%3D%255Coperator%255C%253AEQUALS%255C%253A", QuotePlus(finding_arn)});
}

std::string ReferenceTopicArn(std::string_view partition, std::string_view region,
                              std::string_view account) {
  return Cat({"arn:", partition, ":sns:", region, ":", account, ":SO0111-ASR_Topic"});
}

nlohmann::json SnsOutboxPayload(std::string_view topic_arn, std::string_view region,
                                std::string_view message) {
  return {{"topic_arn", std::string(topic_arn)},
          {"region", std::string(region)},
          {"message", std::string(message)}};
}

std::string QueuedMessage(std::string_view standard, std::string_view control,
                          std::string_view account) {
  return Cat({"Remediation queued for ", standard, " control ", control, " in account ", account});
}

std::string SucceededMessage(std::string_view standard, std::string_view control,
                             std::string_view account, std::string_view detail) {
  return Cat({"Remediation succeeded for ", standard, " control ", control, " in account ", account,
              ": ", detail});
}

std::string FailedMessage(std::string_view standard, std::string_view control,
                          std::string_view account, std::string_view detail) {
  return Cat({"Remediation failed for ", standard, " control ", control, " in account ", account,
              ": ", detail});
}

std::string NoRunbookMessage(std::string_view control, std::string_view standard,
                             std::string_view version, std::string_view account,
                             std::string_view region) {
  constexpr std::string_view kAdvice =
      ". Verify that the member stacks are deployed in this account & region, and that this "
      "control is supported by ASR.";
  return Cat({"ASR runbook for control ", control, " in Security Standard ", standard, " v",
              version, " could not be found in account ", account, " in region ", region, kAdvice});
}

std::string PlaybookNotEnabledMessage(std::string_view standard, std::string_view version) {
  return Cat({"ASR playbook for (", standard, ") v", version, " is not enabled."});
}

std::string AssumeRoleFailureMessage(std::string_view account, std::string_view role_name) {
  constexpr std::string_view kAdvice =
      ". Please verify that the automated-security-response-member-roles stack is deployed in "
      "the account and the Orchestrator Member Role is valid.";
  return Cat({"Unable to assume the Orchestrator Member Role (", role_name, ") in account ",
              account, kAdvice});
}

std::string NotNewMessage(std::string_view workflow_status) {
  return Cat({"Finding Workflow State is not NEW (", workflow_status, ")."});
}

std::string RunbookNotActiveMessage(std::string_view document, std::string_view status,
                                    std::string_view account) {
  return Cat({"Automation Document (", document, ") is not active (", status,
              ") in the member account(", account, ")."});
}

}  // namespace asr::report
