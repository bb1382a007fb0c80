// Input-shape detection and envelopes (EventBridge, SQS, ASR orchestrator state); the finding
// mappers live in internal/.

#include "finding/finding.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "common/strings.h"
#include "finding/internal/json.h"
#include "finding/internal/mappers.h"

namespace asr::finding {
namespace {

using internal::Element;
using internal::Member;
using internal::MissingError;
using internal::OptionalArray;
using internal::OptionalObject;
using internal::OptionalString;
using internal::Pick;
using internal::RequiredString;
using internal::Slot;
using internal::TypeError;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct DetailType {
  std::string_view name;
  EventKind kind;
};
// The first four are the canonical values listed in errors. "Imported Finding" is what the
// reference pre-processor's own tests send; it treats every detail-type other than the custom /
// API actions as automatic, so accepting it as kImported keeps those inputs working.
constexpr std::array<DetailType, 5> kDetailTypes = {{
    {"Security Hub Findings - Imported", EventKind::kImported},
    {"Findings Imported V2", EventKind::kImportedV2},
    {"Security Hub Findings - Custom Action", EventKind::kCustomAction},
    {"Security Hub Findings - API Action", EventKind::kApiAction},
    {"Imported Finding", EventKind::kImported},
}};
constexpr size_t kCanonicalDetailTypes = 4;

// Simdjson allocates per-depth state; cap what callers can ask for.
constexpr size_t kMaxSupportedDepth = 4096;

std::string AcceptedDetailTypes() {
  std::string out;
  for (size_t i = 0; i < kCanonicalDetailTypes; ++i) {
    out += i == 0 ? "" : ", ";
    out += '"';
    out += kDetailTypes[i].name;
    out += '"';
  }
  return out;
}

Result<EventKind> KindFromDetailType(std::string_view value, std::string_view path) {
  for (const DetailType& d : kDetailTypes) {
    if (d.name == value) {
      return d.kind;
    }
  }
  return InvalidArgumentError(std::string(path) + ": unsupported value " + Quote(value) +
                              "; accepted: " + AcceptedDetailTypes());
}

// One parser per SQS body nesting level, so that a body can be parsed while the enclosing
// document (whose string buffer holds the body) stays valid. Reused across calls: allocation
// happens once per thread, not per event.
simdjson::dom::parser& ParserFor(size_t level) {
  thread_local std::array<simdjson::dom::parser, kMaxBodyNesting + 1> parsers;
  return parsers.at(level);
}

// Parses `json` with the parser of `level`, enforcing max_bytes and max_depth.
Result<element> ParseJson(std::string_view json, size_t level, const ParseOptions& options) {
  if (json.size() > options.max_bytes) {
    return InvalidArgumentError("input is " + std::to_string(json.size()) +
                                " bytes, larger than max_bytes " +
                                std::to_string(options.max_bytes));
  }
  if (TrimAscii(json).empty()) {
    return InvalidArgumentError("empty input: expected a JSON object");
  }
  const size_t max_depth = std::min(options.max_depth, kMaxSupportedDepth);
  simdjson::dom::parser& parser = ParserFor(level);
  // simdjson refuses a document once its count of open non-empty arrays/objects reaches its
  // max_depth, so max_depth + 1 allows exactly options.max_depth of them. (Empty containers are
  // not counted: they hold nothing that could nest further.)
  if (parser.max_depth() != max_depth + 1 || parser.capacity() == 0) {
    if (parser.allocate(std::max(json.size(), parser.capacity()), max_depth + 1) !=
        simdjson::SUCCESS) {
      return InternalError("cannot allocate the JSON parser");
    }
  }
  element root;
  const simdjson::error_code error = parser.parse(json.data(), json.size()).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return InvalidArgumentError("JSON nesting deeper than max_depth " + std::to_string(max_depth));
  }
  if (error != simdjson::SUCCESS) {
    return InvalidArgumentError(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  return root;
}

// Keys that decide the input's shape, read in one pass over the top-level object.
constexpr std::array<std::string_view, 14> kShapeKeys = {
    "detail-type", "detail",  "id",        "account",   "region",        "Records", "body",
    "Body",        "Finding", "EventType", "class_uid", "SchemaVersion", "Id",      "GeneratorId"};
constexpr size_t kDetailType = 0;
constexpr size_t kDetail = 1;
constexpr size_t kEventId = 2;
constexpr size_t kAccount = 3;
constexpr size_t kRegion = 4;
constexpr size_t kRecords = 5;
constexpr size_t kBody = 6;
constexpr size_t kBodyUpper = 7;
constexpr size_t kFinding = 8;
constexpr size_t kEventType = 9;
constexpr size_t kClassUid = 10;
constexpr size_t kSchemaVersion = 11;
constexpr size_t kId = 12;
constexpr size_t kGeneratorId = 13;

using Shape = std::array<Slot, kShapeKeys.size()>;

// Fills raw_json from the parsed element unless the caller opted out.
template <typename JsonValue>  // simdjson::dom::element or simdjson::dom::object
void KeepRaw(JsonValue value, const ParseOptions& options, Finding& f) {
  if (options.raw_finding == RawFinding::kKeep) {
    f.raw_json = internal::Minify(value);
  }
}

class EventParser {
 public:
  explicit EventParser(const ParseOptions& options) : options_(options) {}

  // Parses JSON text at SQS body nesting `level` (0 for the caller's input).
  Result<Event> ParseText(std::string_view json, size_t level) {
    ASR_ASSIGN_OR_RETURN(const element root, ParseJson(json, level, options_));
    object fields;
    if (root.get_object().get(fields) != simdjson::SUCCESS) {
      return InvalidArgumentError(
          "top level: must be a JSON object (an event, SQS message or finding), got " +
          std::string(internal::JsonTypeName(root.type())));
    }
    return ParseObject(fields, level);
  }

 private:
  Result<Event> ParseObject(object root, size_t level) {
    const Shape shape = Pick(root, kShapeKeys);
    if (shape[kDetailType].present || shape[kDetail].present) {
      return ParseEventBridge(shape);
    }
    if (shape[kRecords].present) {
      return ParseRecords(shape[kRecords], level);
    }
    if (shape[kBody].present || shape[kBodyUpper].present) {
      const bool lower = shape[kBody].present;
      return ParseBody(lower ? shape[kBody] : shape[kBodyUpper], "", lower ? "body" : "Body",
                       level);
    }
    if (shape[kFinding].present) {
      return ParseOrchestratorState(shape);
    }
    if (shape[kClassUid].present || shape[kSchemaVersion].present || shape[kId].present ||
        shape[kGeneratorId].present) {
      ASR_ASSIGN_OR_RETURN(Finding f, shape[kClassUid].present
                                          ? internal::ParseOcsfFinding(root, "")
                                          : internal::ParseAsffFinding(root, ""));
      KeepRaw(root, options_, f);
      Event event;
      event.kind = EventKind::kBareFinding;
      event.findings.push_back(std::move(f));
      return event;
    }
    return InvalidArgumentError(
        "not a Security Hub event or finding: expected an EventBridge event (\"detail-type\", "
        "\"detail\"), an SQS message (\"body\" or \"Records\"), an ASR orchestrator state "
        "(\"Finding\", \"EventType\"), an ASFF finding (\"SchemaVersion\", \"Id\", "
        "\"GeneratorId\") or an OCSF finding (\"class_uid\")");
  }

  Result<Event> ParseEventBridge(const Shape& shape) {
    Event event;
    ASR_ASSIGN_OR_RETURN(const std::string_view detail_type,
                         RequiredString(shape[kDetailType], "", "detail-type"));
    ASR_ASSIGN_OR_RETURN(event.kind, KindFromDetailType(detail_type, "detail-type"));
    event.detail_type = detail_type;
    ASR_ASSIGN_OR_RETURN(const std::string_view id, OptionalString(shape[kEventId], "", "id"));
    ASR_ASSIGN_OR_RETURN(const std::string_view account,
                         OptionalString(shape[kAccount], "", "account"));
    ASR_ASSIGN_OR_RETURN(const std::string_view region,
                         OptionalString(shape[kRegion], "", "region"));
    event.event_id = id;
    event.account = account;
    event.region = region;

    if (!shape[kDetail].present) {
      return MissingError("detail");
    }
    ASR_ASSIGN_OR_RETURN(const std::optional<object> detail,
                         OptionalObject(shape[kDetail], "", "detail"));
    const auto d = Pick(*detail, std::array<std::string_view, 2>{"findings", "actionName"});
    if (!d[0].present) {
      return MissingError("detail.findings");
    }
    ASR_ASSIGN_OR_RETURN(const std::optional<array> findings,
                         OptionalArray(d[0], "detail", "findings"));
    ASR_ASSIGN_OR_RETURN(const std::string_view action_name,
                         OptionalString(d[1], "detail", "actionName"));
    if (event.kind == EventKind::kCustomAction || event.kind == EventKind::kApiAction) {
      event.action_name = action_name;
    }
    ASR_RETURN_IF_ERROR(AddFindings(*findings, "detail.findings", event));
    return event;
  }

  Status AddFindings(array findings, std::string_view path, Event& event) const {
    const size_t count = findings.size();
    if (count == 0) {
      return InvalidArgumentError(std::string(path) + ": must be a non-empty array");
    }
    if (count > options_.max_findings) {
      return InvalidArgumentError(std::string(path) + ": " + std::to_string(count) +
                                  " findings, more than max_findings " +
                                  std::to_string(options_.max_findings));
    }
    event.findings.reserve(count);
    size_t index = 0;
    for (const element value : findings) {
      ASR_ASSIGN_OR_RETURN(Finding f, internal::ParseAnyFinding(value, Element(path, index)));
      KeepRaw(value, options_, f);
      event.findings.push_back(std::move(f));
      ++index;
    }
    return Status::Ok();
  }

  // An SQS message: its body (a string) holds the event.
  Result<Event> ParseBody(const Slot& slot, std::string_view path, std::string_view key,
                          size_t level) {
    const std::string body_path = Member(path, key);
    ASR_ASSIGN_OR_RETURN(const std::string_view body, OptionalString(slot, path, key));
    if (level + 1 > kMaxBodyNesting) {
      return InvalidArgumentError(body_path + ": SQS bodies nested more than " +
                                  std::to_string(kMaxBodyNesting) + " levels deep");
    }
    Result<Event> event = ParseText(body, level + 1);
    if (!event.ok()) {
      return event.status().Annotate(body_path);
    }
    return event;
  }

  // {"Records": [record, ...]}: every record's findings, in order.
  Result<Event> ParseRecords(const Slot& slot, size_t level) {
    ASR_ASSIGN_OR_RETURN(const std::optional<array> records, OptionalArray(slot, "", "Records"));
    if (records->size() == 0) {
      return InvalidArgumentError("Records: must be a non-empty array");
    }
    Event merged;
    size_t index = 0;
    for (const element value : *records) {
      const std::string record_path = Element("Records", index);
      object record;
      if (value.get_object().get(record) != simdjson::SUCCESS) {
        return TypeError(record_path, "an object", value);
      }
      const auto r = Pick(record, std::array<std::string_view, 2>{"body", "Body"});
      if (!r[0].present && !r[1].present) {
        return MissingError(Member(record_path, "body"));
      }
      const bool lower = r[0].present;
      ASR_ASSIGN_OR_RETURN(
          Event event, ParseBody(lower ? r[0] : r[1], record_path, lower ? "body" : "Body", level));
      if (index == 0) {
        merged = std::move(event);
      } else {
        if (event.kind != merged.kind) {
          return InvalidArgumentError(
              Member(record_path, "body") + ": event kind " + Quote(EventKindName(event.kind)) +
              " differs from Records[0]'s " + Quote(EventKindName(merged.kind)) +
              "; a batch must hold one kind of event");
        }
        for (Finding& f : event.findings) {
          merged.findings.push_back(std::move(f));
        }
      }
      if (merged.findings.size() > options_.max_findings) {
        return InvalidArgumentError("Records: more than max_findings " +
                                    std::to_string(options_.max_findings) + " findings in total");
      }
      ++index;
    }
    return merged;
  }

  // {"Finding": {...}, "EventType": "..."}: the orchestrator's state-machine input. Without an
  // EventType (control-runbook inputs, notification payloads) nothing says who triggered it, so
  // the finding is taken as a bare finding, which routing holds to the automatic trigger's gates.
  Result<Event> ParseOrchestratorState(const Shape& shape) {
    ASR_ASSIGN_OR_RETURN(const std::string_view event_type,
                         OptionalString(shape[kEventType], "", "EventType"));
    ASR_ASSIGN_OR_RETURN(Finding f, internal::ParseAnyFinding(shape[kFinding].value, "Finding"));
    KeepRaw(shape[kFinding].value, options_, f);
    Event event;
    if (shape[kEventType].present) {
      // Checked after the finding, whose errors say more about a broken state.
      ASR_ASSIGN_OR_RETURN(event.kind, KindFromDetailType(event_type, "EventType"));
      event.detail_type = event_type;
    }
    event.findings.push_back(std::move(f));
    return event;
  }

  const ParseOptions& options_;
};

}  // namespace

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kImported:
      return "Security Hub Findings - Imported";
    case EventKind::kImportedV2:
      return "Findings Imported V2";
    case EventKind::kCustomAction:
      return "Security Hub Findings - Custom Action";
    case EventKind::kApiAction:
      return "Security Hub Findings - API Action";
    case EventKind::kBareFinding:
      return "bare finding";
  }
  return "unknown";
}

std::string_view ComplianceStatusName(ComplianceStatus s) {
  switch (s) {
    case ComplianceStatus::kMissing:
      return "";
    case ComplianceStatus::kPassed:
      return "PASSED";
    case ComplianceStatus::kWarning:
      return "WARNING";
    case ComplianceStatus::kFailed:
      return "FAILED";
    case ComplianceStatus::kNotAvailable:
      return "NOT_AVAILABLE";
  }
  return "";
}

std::string_view WorkflowStatusName(WorkflowStatus s) {
  switch (s) {
    case WorkflowStatus::kMissing:
      return "";
    case WorkflowStatus::kNew:
      return "NEW";
    case WorkflowStatus::kNotified:
      return "NOTIFIED";
    case WorkflowStatus::kResolved:
      return "RESOLVED";
    case WorkflowStatus::kSuppressed:
      return "SUPPRESSED";
  }
  return "";
}

std::string_view RecordStateName(RecordState s) {
  switch (s) {
    case RecordState::kMissing:
      return "";
    case RecordState::kActive:
      return "ACTIVE";
    case RecordState::kArchived:
      return "ARCHIVED";
  }
  return "";
}

Result<Event> ParseEvent(std::string_view json, const ParseOptions& options) {
  return EventParser(options).ParseText(json, 0);
}

Result<Finding> ParseFinding(std::string_view json, const ParseOptions& options) {
  ASR_ASSIGN_OR_RETURN(const element root, ParseJson(json, 0, options));
  if (!root.is_object()) {
    return InvalidArgumentError("top level: must be a JSON object (a finding), got " +
                                std::string(internal::JsonTypeName(root.type())));
  }
  ASR_ASSIGN_OR_RETURN(Finding f, internal::ParseAnyFinding(root, ""));
  KeepRaw(root, options, f);
  return f;
}

}  // namespace asr::finding
