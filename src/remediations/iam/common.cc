#include "remediations/iam/common.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

#include "common/strings.h"
#include "remediation/resource.h"

namespace asr::remediation {

using nlohmann::json;

namespace {

// IAM unique ids of users start with AIDA (IAM User Guide, "Unique identifiers").
bool LooksLikeUserId(const std::string& s) {
  return std::regex_match(s, std::regex("AIDA[A-Z0-9]{12,124}"));
}

std::string StringMember(const json& object, const char* key) {
  if (!object.is_object()) {
    return "";
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Parses exactly `n` digits at `pos` of `s`.
std::optional<int> Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) {
      return std::nullopt;
    }
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

Status CheckUserAgainstFinding(const json& user, const json& resource) {
  const std::string name = StringMember(user, "UserName");
  const std::string want_id = StringMember(resource, "UserId");
  if (!want_id.empty() && StringMember(user, "UserId") != want_id) {
    return FailedPreconditionError(
        "IAM user " + Quote(name) + " has unique id " + Quote(StringMember(user, "UserId")) +
        " but the finding is about user id " + Quote(want_id) +
        " (the user was deleted and recreated?); not acting on a different user");
  }
  if (resource.value("CheckArn", false) &&
      StringMember(user, "Arn") != StringMember(resource, "UserArn")) {
    return FailedPreconditionError("IAM user " + Quote(name) + " has ARN " +
                                   Quote(StringMember(user, "Arn")) + ", not the finding's " +
                                   Quote(StringMember(resource, "UserArn")) +
                                   "; not acting on a different user");
  }
  return Status::Ok();
}

}  // namespace

Result<json> IamResolveUser(const Target& target) {
  if (target.resource_type == "AwsAccount" || target.resource_id.starts_with("AWS::::Account:")) {
    return InvalidArgumentError(
        "resource id " + Quote(target.resource_id) +
        " names the account, not an IAM user (older CIS 1.3/1.4 findings do this); the "
        "remediation needs the user: expected an ARN like " +
        Quote(kIamUserExample));
  }
  ASR_ASSIGN_OR_RETURN(const std::string rest,
                       ArnResourceAfter(target, "iam", "user/", kIamUserExample));
  const size_t slash = rest.rfind('/');
  const std::string segment = slash == std::string::npos ? rest : rest.substr(slash + 1);
  const std::string path = slash == std::string::npos ? "/" : "/" + rest.substr(0, slash + 1);
  if (path.size() > 512 ||
      !std::all_of(path.begin(), path.end(), [](char c) { return c >= '!' && c <= '~'; })) {
    return InvalidArgumentError("resource id " + Quote(target.resource_id) +
                                " has an invalid IAM path " + Quote(path) +
                                " (printable ASCII, at most 512 characters)");
  }
  ASR_RETURN_IF_ERROR(CheckPattern("IAM user name", segment, "[\\w+=,.@-]{1,64}"));

  json details;
  if (target.resource_details.is_object()) {
    details = target.resource_details.value("AwsIamUser", json());
  }
  const std::string detail_name = StringMember(details, "UserName");
  const std::string detail_id = StringMember(details, "UserId");
  if (!detail_id.empty()) {
    ASR_RETURN_IF_ERROR(CheckPattern("user id in the finding's details", detail_id, "\\w{16,128}"));
  }

  json out = {{"UserArn", target.resource_id}};
  if (!detail_id.empty()) {
    out["UserId"] = detail_id;
  }
  if (!detail_name.empty()) {
    ASR_RETURN_IF_ERROR(
        CheckPattern("user name in the finding's details", detail_name, "[\\w+=,.@-]{1,64}"));
    if (segment == detail_name) {
      out["UserName"] = segment;
      out["CheckArn"] = true;
    } else if (segment == detail_id) {
      out["UserName"] = detail_name;  // the ARN carries the id; the details the name
      out["CheckArn"] = false;
    } else {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) + " names " +
                                  Quote(segment) + " but the finding's details describe user " +
                                  Quote(detail_name) + " (id " + Quote(detail_id) + ")");
    }
    return out;
  }
  if (!detail_id.empty() && segment == detail_id) {
    out["CheckArn"] = false;  // only the id is known: IamLookUpUser finds the name
    return out;
  }
  if (detail_id.empty() && LooksLikeUserId(segment)) {
    out["UserNameOrId"] = segment;
    return out;
  }
  out["UserName"] = segment;
  out["CheckArn"] = true;
  return out;
}

Result<json> IamLookUpUser(Context& ctx, const json& resource) {
  const std::string name = StringMember(resource, "UserName");
  if (!name.empty()) {
    Result<json> out = ctx.Call("iam", "GetUser", {{"UserName", name}});
    if (!out.ok()) {
      if (out.status().code() == StatusCode::kNotFound) {
        return out.status().Annotate("IAM user " + Quote(name) +
                                     " does not exist (deleted since the finding?)");
      }
      return out.status().Annotate("read IAM user " + Quote(name));
    }
    json user = out->value("User", json::object());
    ASR_RETURN_IF_ERROR(CheckUserAgainstFinding(user, resource));
    return user;
  }

  // Only a unique id, or a segment that may be an id or a name: IAM has no GetUser by id, so
  // look through the account's users.
  const std::string id = StringMember(resource, "UserId");
  const std::string name_or_id = StringMember(resource, "UserNameOrId");
  const std::string key = id.empty() ? name_or_id : id;
  if (key.empty()) {
    return InternalError("resolved IAM user has neither a name nor an id");
  }
  ASR_ASSIGN_OR_RETURN(const json users, ctx.CallAll("iam", "ListUsers", json::object()));
  std::vector<json> matches;
  bool by_name = false;
  for (const json& user : users.value("Users", json::array())) {
    if (StringMember(user, "UserId") == key) {
      matches.push_back(user);
    } else if (!name_or_id.empty() && StringMember(user, "UserName") == key) {
      matches.push_back(user);
      by_name = true;
    }
  }
  if (matches.empty()) {
    return NotFoundError("no IAM user has the " +
                         std::string(id.empty() ? "name or unique id " : "unique id ") +
                         Quote(key) + " (deleted since the finding?)");
  }
  if (matches.size() > 1) {
    return FailedPreconditionError("resource id segment " + Quote(key) +
                                   " is ambiguous: it is the name of one IAM user and the unique "
                                   "id of another (" +
                                   Quote(StringMember(matches[0], "UserName")) + ", " +
                                   Quote(StringMember(matches[1], "UserName")) +
                                   "); not guessing which one is meant");
  }
  json check = resource;
  check["CheckArn"] = by_name;
  ASR_RETURN_IF_ERROR(CheckUserAgainstFinding(matches[0], check));
  return matches[0];
}

Result<json> IamListAccessKeys(Context& ctx, const std::string& user_name) {
  Result<json> listed = ctx.CallAll("iam", "ListAccessKeys", {{"UserName", user_name}});
  if (!listed.ok()) {
    return listed.status().Annotate("list the access keys of IAM user " + Quote(user_name));
  }
  return listed->value("AccessKeyMetadata", json::array());
}

Result<json> IamListAccessKeysWithLastUse(Context& ctx, const std::string& user_name,
                                          std::string_view only_status) {
  ASR_ASSIGN_OR_RETURN(const json listed, IamListAccessKeys(ctx, user_name));
  json keys = json::array();
  for (json key : listed) {
    const std::string id = StringMember(key, "AccessKeyId");
    if (StringMember(key, "Status") == only_status) {
      Result<json> used = ctx.Call("iam", "GetAccessKeyLastUsed", {{"AccessKeyId", id}});
      if (!used.ok()) {
        return used.status().Annotate("read when access key " + Quote(id) + " was last used");
      }
      const json last = used->value("AccessKeyLastUsed", json::object());
      if (const std::string date = StringMember(last, "LastUsedDate"); !date.empty()) {
        key["LastUsedDate"] = date;
        key["LastUsedService"] = StringMember(last, "ServiceName");
      }
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<std::vector<Change>> IamReactivateAccessKeys(Context& ctx, const std::string& user_name,
                                                    const json& key_ids) {
  ASR_ASSIGN_OR_RETURN(const json keys, IamListAccessKeys(ctx, user_name));
  std::vector<Change> changes;
  std::vector<std::string> missing;
  for (const json& id_json : key_ids.is_array() ? key_ids : json::array()) {
    if (!id_json.is_string()) {
      return InvalidArgumentError("the record's deactivated key ids are not strings");
    }
    const std::string id = id_json.get<std::string>();
    const auto key = std::find_if(keys.begin(), keys.end(), [&](const json& k) {
      return StringMember(k, "AccessKeyId") == id;
    });
    if (key == keys.end()) {
      missing.push_back(id);
      continue;
    }
    if (StringMember(*key, "Status") == "Active") {
      continue;  // already restored
    }
    const json params = {{"UserName", user_name}, {"AccessKeyId", id}, {"Status", "Active"}};
    Status updated = ctx.Call("iam", "UpdateAccessKey", params).status();
    if (updated.code() == StatusCode::kNotFound) {
      missing.push_back(id);  // deleted between the listing and now
      continue;
    }
    ASR_RETURN_IF_ERROR(updated.Annotate("reactivate access key " + Quote(id)));
    changes.push_back({.action = "iam:UpdateAccessKey",
                       .summary = "reactivate access key " + id + " of IAM user " + user_name,
                       .detail = params});
  }
  if (!missing.empty()) {
    std::string done;
    for (const Change& c : changes) {
      done += (done.empty() ? "" : ", ") + c.detail["AccessKeyId"].get<std::string>();
    }
    std::string gone;
    for (const std::string& id : missing) {
      gone += (gone.empty() ? "" : ", ") + id;
    }
    return FailedPreconditionError("access keys " + gone + " of IAM user " + Quote(user_name) +
                                   " no longer exist and cannot be reactivated" +
                                   (done.empty() ? std::string() : "; reactivated " + done));
  }
  return changes;
}

Result<std::chrono::system_clock::time_point> IamParseTimestamp(std::string_view what,
                                                                std::string_view text) {
  const auto bad = [&] {
    return InvalidArgumentError(std::string(what) + " " + Quote(text) +
                                " is not a timestamp like \"2026-11-28T08:00:00Z\"");
  };
  const std::optional<int> y = Digits(text, 0, 4);
  const std::optional<int> mo = Digits(text, 5, 2);
  const std::optional<int> d = Digits(text, 8, 2);
  const std::optional<int> h = Digits(text, 11, 2);
  const std::optional<int> mi = Digits(text, 14, 2);
  const std::optional<int> s = Digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':' || *h > 23 || *mi > 59 || *s > 60) {
    return bad();
  }
  const std::chrono::year_month_day date{std::chrono::year(*y),
                                         std::chrono::month(static_cast<unsigned>(*mo)),
                                         std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) {
    return bad();
  }
  size_t pos = 19;
  std::chrono::microseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000;
    const size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      fraction += std::chrono::microseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return bad();
    }
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "z" && zone != "+00:00") {
    return bad();
  }
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      std::chrono::sys_days(date) + std::chrono::hours(*h) + std::chrono::minutes(*mi) +
      std::chrono::seconds(*s) + fraction);
}

Result<std::optional<std::chrono::system_clock::time_point>> IamOptionalTimestamp(
    const json& object, const char* key) {
  const std::string text = StringMember(object, key);
  if (text.empty()) {
    return std::optional<std::chrono::system_clock::time_point>();
  }
  ASR_ASSIGN_OR_RETURN(const auto t, IamParseTimestamp(key, text));
  return std::optional<std::chrono::system_clock::time_point>(t);
}

std::int64_t IamWholeDays(std::chrono::system_clock::duration d) {
  return std::chrono::floor<std::chrono::days>(d).count();
}

std::chrono::system_clock::duration IamDays(std::int64_t n) {
  return std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::days(n));
}

}  // namespace asr::remediation
