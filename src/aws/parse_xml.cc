// Response parsers of the XML protocols (query, ec2, rest-xml) and their error parser. The walk
// follows the output shape like botocore's BaseXMLResponseParser: elements are matched by local
// name (namespace prefixes ignored), repeated elements of a flattened list are its items, a
// wrapped list's items are all child elements of the wrapper whatever their name.
//
// Mismatches between the body and the model are handled as botocore's XML walk does, best
// effort: a structure or list whose element holds only text parses as {} / []; a number that
// doesn't parse is left out (botocore raises); for a non-list member that appears more than once
// the first element wins.

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/crypto.h"
#include "aws/http.h"
#include "aws/internal/parse_common.h"
#include "aws/internal/protocols.h"
#include "aws/model.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

using Json = nlohmann::json;
using Nodes = std::vector<pugi::xml_node>;

std::string_view LocalName(const char* name) {
  const std::string_view s(name);
  const size_t colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The element's text up to its first child element (ElementTree's `.text`), CDATA included.
std::string Text(pugi::xml_node node) {
  std::string text;
  for (pugi::xml_node child = node.first_child(); !child.empty(); child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    } else if (child.type() == pugi::node_element) {
      break;
    }
  }
  return text;
}

Nodes ElementChildren(pugi::xml_node node) {
  Nodes out;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element) {
      out.push_back(child);
    }
  }
  return out;
}

// Child elements grouped by local name, in document order.
std::map<std::string, Nodes, std::less<>> ChildrenByName(pugi::xml_node node) {
  std::map<std::string, Nodes, std::less<>> out;
  for (pugi::xml_node child : ElementChildren(node)) {
    out[std::string(LocalName(child.name()))].push_back(child);
  }
  return out;
}

pugi::xml_node FirstChildNamed(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node child : ElementChildren(node)) {
    if (LocalName(child.name()) == name) {
      return child;
    }
  }
  return {};
}

// The name under which a member's elements appear in its parent: a flattened list's items carry
// the list member's name when it has one (botocore's _member_key_name).
const std::string& XmlKey(const Member& member) {
  if (member.shape->type == ShapeType::kList && member.flattened) {
    const Member& item = member.shape->member;
    if (!item.location_name.empty()) {
      return item.location_name;
    }
    if (!item.shape->location_name.empty()) {
      return item.shape->location_name;
    }
  }
  return WireName(member);
}

std::string NameOr(const Member& member, const char* fallback) {
  if (!member.location_name.empty()) {
    return member.location_name;
  }
  if (!member.shape->location_name.empty()) {
    return member.shape->location_name;
  }
  return fallback;
}

// Depth of the walk follows the body's nesting, which the output shape bounds (the shape tree is
// finite; a recursive shape only recurses as deep as the document).
class XmlWalker final {
 public:
  // `nodes` holds every element found under the member's name (more than one for flattened
  // lists and maps); never empty.
  // NOLINTNEXTLINE(misc-no-recursion)
  std::optional<Json> Value(const Member& member, const Nodes& nodes) {
    const Shape& shape = *member.shape;
    switch (shape.type) {
      case ShapeType::kStructure:
        return Structure(shape, nodes.front());
      case ShapeType::kList:
        return List(shape, member.flattened ? nodes : ElementChildren(nodes.front()));
      case ShapeType::kMap:
        return Map(shape, member.flattened ? nodes : ElementChildren(nodes.front()));
      default:
        return ScalarFromText(shape, Text(nodes.front()), BooleanText::kExactTrue);
    }
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  Json Structure(const Shape& shape, pugi::xml_node node) {
    Json out = Json::object();
    if (shape.document) {
      return out;  // XML protocols have no documents; botocore gives {} too.
    }
    const auto children = ChildrenByName(node);
    for (const Member& member : shape.members) {
      if (!member.location.empty()) {
        continue;  // status code and headers: rest-xml reads them from the HTTP response
      }
      if (auto it = children.find(XmlKey(member)); it != children.end()) {
        if (std::optional<Json> v = Value(member, it->second); v.has_value()) {
          out[member.name] = *std::move(v);
        }
      } else if (member.xml_attribute) {
        // botocore keeps attribute values as text whatever the member's type.
        if (pugi::xml_attribute attr = node.attribute(WireName(member).c_str()); !attr.empty()) {
          out[member.name] = attr.value();
        }
      }
    }
    return out;
  }

 private:
  // NOLINTNEXTLINE(misc-no-recursion)
  Json List(const Shape& shape, const Nodes& items) {
    Json out = Json::array();
    for (pugi::xml_node item : items) {
      std::optional<Json> v = Value(shape.member, Nodes{item});
      if (v.has_value()) {
        out.push_back(*std::move(v));
      }
    }
    return out;
  }

  // NOLINTNEXTLINE(misc-no-recursion)
  Json Map(const Shape& shape, const Nodes& entries) {
    const std::string key_name = NameOr(shape.key, "key");
    const std::string value_name = NameOr(shape.value, "value");
    Json out = Json::object();
    for (pugi::xml_node entry : entries) {
      pugi::xml_node key = FirstChildNamed(entry, key_name);
      pugi::xml_node value = FirstChildNamed(entry, value_name);
      if (key.empty() || value.empty()) {
        continue;  // botocore fails on such entries; asr skips them
      }
      std::optional<Json> v = Value(shape.value, Nodes{value});
      if (v.has_value()) {
        out[Text(key)] = *std::move(v);
      }
    }
    return out;
  }
};

// Parses a body; pugixml reports errors as values (it doesn't throw).
Result<pugi::xml_document> ParseXml(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_parse_result result = doc.load_buffer(
      body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!result || doc.document_element().empty()) {
    return InternalError(std::string("invalid XML body: ") + result.description() + " at offset " +
                         std::to_string(result.offset));
  }
  return doc;
}

// query and ec2: the output shape starts at the root element, or at its `wrapper` child.
Result<Json> ParseRpcXml(const Operation& op, const HttpResponse& response,
                         std::string_view wrapper) {
  if (op.output == nullptr) {
    return Json::object();
  }
  ASR_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(response.body));
  pugi::xml_node start = doc.document_element();
  if (!wrapper.empty()) {
    start = FirstChildNamed(start, wrapper);
    if (start.empty()) {
      return Json::object();  // no result element: no members (botocore fails here)
    }
  }
  return XmlWalker().Structure(*op.output, start);
}

AwsError ErrorFromStatus(const HttpResponse& response) {
  return AwsError{.code = std::to_string(response.status),
                  .message = std::string(ReasonPhrase(response.status)),
                  .request_id = RequestIdFromHeaders(response)};
}

}  // namespace

Result<Json> ParseQueryResponse(const ServiceModel& model, const Operation& op,
                                const HttpResponse& response) {
  ASR_ASSIGN_OR_RETURN(Json out, ParseRpcXml(op, response, op.result_wrapper));
  return ApplyAfterCallCustomizations(model, op, std::move(out));
}

Result<Json> ParseEc2Response(const ServiceModel& model, const Operation& op,
                              const HttpResponse& response) {
  ASR_ASSIGN_OR_RETURN(Json out, ParseRpcXml(op, response, ""));
  return ApplyAfterCallCustomizations(model, op, std::move(out));
}

Result<Json> ParseRestXmlResponse(const ServiceModel& model, const Operation& op,
                                  const HttpResponse& response) {
  const bool empty_body = TrimAscii(response.body).empty();
  if (model.metadata().service_name == "s3" && op.name == "GetBucketLocation") {
    // Not modelable (the value is the root element's text); boto3 reads it by hand. asr gives ""
    // for us-east-1's empty element where boto3 gives None.
    std::string region;
    if (!empty_body) {
      ASR_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(response.body));
      region = Text(doc.document_element());
    }
    return Json{{"LocationConstraint", region}};
  }
  if (op.output == nullptr) {
    return Json::object();
  }
  const Shape& output = *op.output;
  Json out = ParseLocatedMembers(output, response, BooleanText::kExactTrue);

  const Member* payload = output.payload.empty() ? nullptr : output.FindMember(output.payload);
  if (payload != nullptr && payload->shape->type == ShapeType::kString) {
    out[payload->name] = response.body;  // e.g. s3 GetBucketPolicy: the policy JSON as text
    return ApplyAfterCallCustomizations(model, op, std::move(out));
  }
  if (payload != nullptr && payload->shape->type == ShapeType::kBlob) {
    out[payload->name] = Base64Encode(response.body);
    return ApplyAfterCallCustomizations(model, op, std::move(out));
  }
  // An empty body parses as an element without children (botocore: ETree.Element('')).
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("");
  if (!empty_body) {
    ASR_ASSIGN_OR_RETURN(doc, ParseXml(response.body));
    root = doc.document_element();
  }
  XmlWalker walker;
  if (payload != nullptr) {
    if (payload->shape->type == ShapeType::kStructure) {
      // The root element is the payload, whatever its name.
      out[payload->name] = walker.Structure(*payload->shape, root);
    } else if (std::optional<Json> v = walker.Value(*payload, Nodes{root}); v.has_value()) {
      out[payload->name] = *std::move(v);
    }
  } else {
    out.update(walker.Structure(output, root));
  }
  return ApplyAfterCallCustomizations(model, op, std::move(out));
}

AwsError ParseXmlError(const HttpResponse& response) {
  const std::string_view body = TrimAscii(response.body);
  // Empty bodies (S3 HEAD) and HTML pages from proxies: the HTTP status is all there is, named as
  // botocore does ("404", "Not Found").
  if (body.empty() || body.starts_with("<html>")) {
    return ErrorFromStatus(response);
  }
  const Result<pugi::xml_document> doc = ParseXml(response.body);
  if (!doc.ok()) {
    return ErrorFromStatus(response);
  }
  const pugi::xml_node root = doc->document_element();
  // S3: <Error><Code/><Message/><RequestId/></Error>; query and other rest-xml:
  // <ErrorResponse><Error/><RequestId/></ErrorResponse>; ec2:
  // <Response><Errors><Error/></Errors><RequestID/></Response>.
  pugi::xml_node error;
  std::string request_id;
  if (LocalName(root.name()) == "Error") {
    error = root;
    // botocore takes S3's request id from the headers; the body repeats it.
    request_id = RequestIdFromHeaders(response);
    if (request_id.empty()) {
      request_id = Text(FirstChildNamed(root, "RequestId"));
    }
  } else {
    error = FirstChildNamed(root, "Error");
    if (error.empty()) {
      error = FirstChildNamed(FirstChildNamed(root, "Errors"), "Error");
    }
    pugi::xml_node id = FirstChildNamed(root, "RequestId");
    if (id.empty()) {
      id = FirstChildNamed(root, "RequestID");
    }
    request_id = id.empty() ? RequestIdFromHeaders(response) : Text(id);
  }
  if (error.empty()) {
    // Well-formed XML of an unknown shape: like botocore, no code (the caller names the status).
    return AwsError{.code = "", .message = "", .request_id = std::move(request_id)};
  }
  return AwsError{.code = Text(FirstChildNamed(error, "Code")),
                  .message = Text(FirstChildNamed(error, "Message")),
                  .request_id = std::move(request_id)};
}

}  // namespace asr::aws::internal
