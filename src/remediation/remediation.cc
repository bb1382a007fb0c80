#include "remediation/remediation.h"

namespace asr::remediation {

using nlohmann::json;

json ToJson(const Target& t) {
  json j = {{"account_id", t.account_id},       {"region", t.region},
            {"partition", t.partition},         {"control_id", t.control_id},
            {"resource_type", t.resource_type}, {"resource_id", t.resource_id}};
  if (!t.resource_details.is_null()) {
    j["resource_details"] = t.resource_details;
  }
  return j;
}

namespace {

Result<std::string> StringField(const json& j, std::string_view object, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return InvalidArgumentError(std::string(object) + "." + key + " is missing or not a string");
  }
  return it->get<std::string>();
}

}  // namespace

Result<Target> TargetFromJson(const json& j) {
  if (!j.is_object()) {
    return InvalidArgumentError("target is not a JSON object");
  }
  Target t;
  ASR_ASSIGN_OR_RETURN(t.account_id, StringField(j, "target", "account_id"));
  ASR_ASSIGN_OR_RETURN(t.region, StringField(j, "target", "region"));
  ASR_ASSIGN_OR_RETURN(t.partition, StringField(j, "target", "partition"));
  ASR_ASSIGN_OR_RETURN(t.control_id, StringField(j, "target", "control_id"));
  ASR_ASSIGN_OR_RETURN(t.resource_type, StringField(j, "target", "resource_type"));
  ASR_ASSIGN_OR_RETURN(t.resource_id, StringField(j, "target", "resource_id"));
  if (const auto it = j.find("resource_details"); it != j.end()) {
    t.resource_details = *it;
  }
  return t;
}

json ToJson(const Change& c) {
  return {{"action", c.action}, {"summary", c.summary}, {"detail", c.detail}};
}

Result<Change> ChangeFromJson(const json& j) {
  if (!j.is_object()) {
    return InvalidArgumentError("change is not a JSON object");
  }
  Change c;
  ASR_ASSIGN_OR_RETURN(c.action, StringField(j, "change", "action"));
  ASR_ASSIGN_OR_RETURN(c.summary, StringField(j, "change", "summary"));
  if (const auto it = j.find("detail"); it != j.end()) {
    c.detail = *it;
  }
  return c;
}

Result<Plan> Remediation::Verify(Context& ctx, const Invocation& inv) const {
  return MakePlan(ctx, inv);
}

Result<std::vector<Change>> Remediation::Undo(Context& /*ctx*/, const Invocation& /*inv*/,
                                              const json& /*before*/) const {
  const RemediationSpec& s = spec();
  return FailedPreconditionError(s.id + " is not reversible" +
                                 (s.reversibility_note.empty() ? "" : ": " + s.reversibility_note));
}

}  // namespace asr::remediation
