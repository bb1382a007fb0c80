// The rest-json and rest-xml protocols: members go to URI labels, the query string, headers or
// the body as the model's "location" says (botocore's BaseRestSerializer), plus the S3
// addressing rules botocore applies through its endpoint rule set.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/crypto.h"
#include "aws/http.h"
#include "aws/internal/protocols.h"
#include "aws/internal/serialize_common.h"
#include "aws/model.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

enum class BodyFormat { kJson, kXml };

// Members sorted by where they go on the wire.
struct Partition {
  std::map<std::string, std::string, std::less<>> labels;  // label → unencoded text
  std::vector<std::pair<std::string, std::string>> query;  // unencoded key/value, in order
  nlohmann::json body = nlohmann::json::object();          // members without a location
};

// A value in a URI label or the query string: booleans "true"/"false", timestamps ISO 8601
// unless the model says otherwise.
Result<std::string> UriText(const Member& m, const nlohmann::json& value) {
  if (m.shape->type == ShapeType::kTimestamp) {
    return FormatTimestampText(value, TimestampFormatOf(m, "iso8601"));
  }
  return ScalarText(value);
}

// A list element in a header: quoted when it holds a comma or a double quote.
std::string HeaderListItem(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) {
    return s;
  }
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
  return out;
}

// NOLINTNEXTLINE(misc-no-recursion): a list header recurses once into its elements.
Result<std::string> HeaderText(const Member& m, const nlohmann::json& value) {
  const Shape& shape = *m.shape;
  if (m.json_value) {
    // Compact JSON with non-ASCII escaped, like json.dumps(separators=(',', ':')).
    return Base64Encode(value.dump(-1, ' ', /*ensure_ascii=*/true));
  }
  switch (shape.type) {
    case ShapeType::kTimestamp: {
      // botocore drops sub-second precision in headers.
      ASR_ASSIGN_OR_RETURN(Timestamp t, ParseTimestampParam(value));
      t.micros = 0;
      const nlohmann::json seconds(t.seconds);
      return FormatTimestampText(seconds, TimestampFormatOf(m, "rfc822"));
    }
    case ShapeType::kList: {
      std::string out;
      for (const nlohmann::json& item : value) {
        std::string text;
        if (shape.member.shape->type == ShapeType::kString) {
          text = HeaderListItem(item.get<std::string>());
        } else {
          ASR_ASSIGN_OR_RETURN(text, HeaderText(shape.member, item));
        }
        out += (out.empty() ? "" : ",") + text;
      }
      return out;
    }
    default:
      return ScalarText(value);
  }
}

Result<Partition> PartitionParams(const Shape& input, const nlohmann::json& params,
                                  HttpRequest& request) {
  Partition p;
  for (const Member& m : input.members) {
    const auto it = params.find(m.name);
    if (it == params.end()) {
      continue;
    }
    const nlohmann::json& value = *it;
    const std::string name(WireName(m, m.name));
    if (m.location == "uri") {
      ASR_ASSIGN_OR_RETURN(p.labels[name], UriText(m, value));
    } else if (m.location == "querystring") {
      if (m.shape->type == ShapeType::kMap) {
        for (const auto& [key, item] : value.items()) {
          if (item.is_array()) {
            for (const nlohmann::json& v : item) {
              p.query.emplace_back(key, ScalarText(v));
            }
          } else {
            p.query.emplace_back(key, ScalarText(item));
          }
        }
      } else if (m.shape->type == ShapeType::kList) {
        for (const nlohmann::json& item : value) {
          ASR_ASSIGN_OR_RETURN(std::string text, UriText(m.shape->member, item));
          p.query.emplace_back(name, std::move(text));
        }
      } else {
        ASR_ASSIGN_OR_RETURN(std::string text, UriText(m, value));
        p.query.emplace_back(name, std::move(text));
      }
    } else if (m.location == "header") {
      if (m.shape->type == ShapeType::kList && value.empty()) {
        continue;  // empty lists are not sent
      }
      ASR_ASSIGN_OR_RETURN(std::string text, HeaderText(m, value));
      request.SetHeader(name, std::move(text));
    } else if (m.location == "headers") {
      // A map of headers under a name prefix (s3 "x-amz-meta-").
      for (const auto& [key, item] : value.items()) {
        request.SetHeader(name + key, ScalarText(item));
      }
    } else if (m.location.empty()) {
      p.body[m.name] = value;
    }
  }
  return p;
}

// Fills "{Label}" (encoded, '/' too) and "{Label+}" (greedy: '/' kept) from the partition.
Result<std::string> RenderPath(std::string_view tmpl, const Partition& p) {
  std::string out;
  while (!tmpl.empty()) {
    const size_t open = tmpl.find('{');
    if (open == std::string_view::npos) {
      out += tmpl;
      break;
    }
    const size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) {
      return InternalError("malformed requestUri label in " + Quote(tmpl));
    }
    out += tmpl.substr(0, open);
    std::string_view label = tmpl.substr(open + 1, close - open - 1);
    const bool greedy = label.ends_with('+');
    if (greedy) {
      label.remove_suffix(1);
    }
    const auto it = p.labels.find(label);
    if (it == p.labels.end()) {
      return InvalidArgumentError(std::string(label) + ": required in the request path");
    }
    out += UriEncode(it->second, greedy ? SlashEncoding::kKeep : SlashEncoding::kEncode);
    tmpl.remove_prefix(close + 1);
  }
  return out;
}

// S3 bucket addressing, as botocore's S3 endpoint rules decide it.
struct S3Address {
  std::string request_uri;  // the requestUri, without "/{Bucket}" for virtual-hosted style
  std::string host_prefix;  // "bucket." for virtual-hosted style
};

bool IsVirtualHostableBucket(std::string_view b) {
  // 3-63 characters, a DNS label (letters, digits, '-', not at either end), lower case, no
  // dots (with TLS a dotted name would not match the *.s3 certificate), not an IPv4 address
  // (which has dots anyway).
  if (b.size() < 3 || b.size() > 63 || b.front() == '-' || b.back() == '-') {
    return false;
  }
  return std::ranges::all_of(
      b, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Result<S3Address> AddressS3(const Operation& op, const nlohmann::json& params,
                            const Endpoint& endpoint) {
  S3Address out{.request_uri = op.request_uri, .host_prefix = ""};
  const auto it = params.find("Bucket");
  if (it == params.end() || !it->is_string() ||
      op.request_uri.find("{Bucket}") == std::string::npos) {
    return out;
  }
  const auto& bucket = it->get_ref<const std::string&>();
  // botocore's validate_bucket_name; access point and outpost ARNs are not supported by asr.
  const bool valid = !bucket.empty() && bucket.size() <= 255 &&
                     bucket.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789.-_") == std::string::npos;
  if (!valid) {
    return InvalidArgumentError("Bucket: invalid bucket name " + Quote(bucket) +
                                ": expected 1-255 letters, digits, '.', '-' or '_' (access point "
                                "ARNs are not supported)");
  }
  // Custom endpoints (moto, LocalStack) get path style: their host names don't resolve
  // sub-domains.
  if (endpoint.custom || !IsVirtualHostableBucket(bucket)) {
    return out;
  }
  const size_t pos = out.request_uri.find("/{Bucket}");
  if (pos == std::string::npos) {
    return out;
  }
  out.request_uri.erase(pos, std::string_view("/{Bucket}").size());
  if (out.request_uri.empty() || out.request_uri.front() == '?') {
    out.request_uri.insert(0, "/");
  }
  out.host_prefix = bucket + ".";
  return out;
}

// botocore's escape_xml_payload: line breaks inside the document are written as character
// references so that XML line-break normalisation keeps the caller's text intact.
std::string EscapeLineBreaks(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (const char c : body) {
    if (c == '\r') {
      out += "&#xD;";
    } else if (c == '\n') {
      out += "&#xA;";
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> EncodeBody(BodyFormat format, const Member& root, const nlohmann::json& value) {
  if (format == BodyFormat::kJson) {
    ASR_ASSIGN_OR_RETURN(const nlohmann::json body, ToJsonBody(*root.shape, value));
    return body.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
  }
  return ToXmlBody(root, value);
}

Status WriteBody(BodyFormat format, const Operation& op, const nlohmann::json& params,
                 const Partition& p, HttpRequest& request) {
  const Shape& input = *op.input;
  // rest-json sends "{}" for an absent structure payload; rest-xml sends nothing.
  const std::string empty_body = format == BodyFormat::kJson ? "{}" : "";
  if (!input.payload.empty()) {
    const Member* payload = input.FindMember(input.payload);
    const auto it = params.find(input.payload);
    const ShapeType type = payload->shape->type;
    if (type == ShapeType::kBlob || type == ShapeType::kString) {
      // Raw payload: the bytes as given, no Content-Type.
      request.body = it == params.end() ? "" : it->get<std::string>();
      return Status::Ok();
    }
    if (it == params.end()) {
      request.body = empty_body;
    } else {
      ASR_ASSIGN_OR_RETURN(request.body, EncodeBody(format, *payload, *it));
    }
  } else if (!p.body.empty()) {
    // The input structure itself is the body, named by the operation's input locationName.
    Member root{.name = input.name, .shape = &input};
    root.location_name = op.input_xml_name;
    root.xml_namespace_uri = op.input_xml_namespace;
    ASR_ASSIGN_OR_RETURN(request.body, EncodeBody(format, root, p.body));
  } else if (format == BodyFormat::kJson) {
    for (const Member& m : input.members) {
      if (m.location.empty()) {
        request.body = empty_body;  // a body member exists, so an empty object is sent
        break;
      }
    }
  }
  if (format == BodyFormat::kJson && !request.body.empty() &&
      request.FindHeader("Content-Type") == nullptr) {
    request.SetHeader("Content-Type", "application/json");
  }
  return Status::Ok();
}

Result<HttpRequest> SerializeRest(BodyFormat format, const ServiceModel& model, const Operation& op,
                                  const nlohmann::json& params, const Endpoint& endpoint) {
  const std::string& service = model.metadata().service_name;
  HttpRequest request;
  request.method = op.http_method;
  ASR_ASSIGN_OR_RETURN(std::string host_prefix, ExpandHostPrefix(op, params));
  std::string request_uri = op.request_uri;
  if (service == "s3") {
    ASR_ASSIGN_OR_RETURN(S3Address address, AddressS3(op, params, endpoint));
    request_uri = std::move(address.request_uri);
    host_prefix = address.host_prefix + host_prefix;
  }
  const size_t question = request_uri.find('?');
  const std::string_view path_template = std::string_view(request_uri).substr(0, question);
  std::string query =
      question == std::string::npos ? std::string() : request_uri.substr(question + 1);

  Partition p;
  if (op.input != nullptr) {
    try {
      ASR_ASSIGN_OR_RETURN(p, PartitionParams(*op.input, params, request));
      ASR_RETURN_IF_ERROR(WriteBody(format, op, params, p, request));
    } catch (const nlohmann::json::exception& e) {
      // Params are validated first, so this means a validation gap, not bad input.
      return InternalError(std::string("request: ") + e.what());
    }
  }
  ASR_ASSIGN_OR_RETURN(const std::string path, RenderPath(path_template, p));
  AimAt(endpoint, host_prefix, path, request);
  for (const auto& [key, value] : p.query) {
    query += (query.empty() ? "" : "&") + UriEncode(key) + "=" + UriEncode(value);
  }
  request.query = std::move(query);

  if (service == "s3" && op.name == "PutBucketLifecycleConfiguration") {
    request.body = EscapeLineBreaks(request.body);
  }
  if (service == "apigateway" && request.FindHeader("Accept") == nullptr) {
    request.SetHeader("Accept", "application/json");  // botocore's add_accept_header
  }
  ASR_RETURN_IF_ERROR(AddRequestChecksum(op, params, request));
  return request;
}

}  // namespace

Result<HttpRequest> SerializeRestJson(const ServiceModel& model, const Operation& op,
                                      const nlohmann::json& params, const Endpoint& endpoint) {
  return SerializeRest(BodyFormat::kJson, model, op, params, endpoint);
}

Result<HttpRequest> SerializeRestXml(const ServiceModel& model, const Operation& op,
                                     const nlohmann::json& params, const Endpoint& endpoint) {
  return SerializeRest(BodyFormat::kXml, model, op, params, endpoint);
}

}  // namespace asr::aws::internal
