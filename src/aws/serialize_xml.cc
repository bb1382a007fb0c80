// XML request bodies for rest-xml, written the way botocore's RestXMLSerializer (ElementTree)
// writes them, so that the bytes (and any checksum over them) match boto3's: no XML declaration,
// attributes in insertion order, "<Name />" for empty elements, ElementTree's escaping.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/crypto.h"
#include "aws/internal/serialize_common.h"
#include "aws/model.h"
#include "common/status.h"

namespace asr::aws::internal {
namespace {

struct Element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;
  std::vector<Element> children;
};

void EscapeText(std::string_view s, std::string& out) {
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
}

void EscapeAttribute(std::string_view s, std::string& out) {
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#09;";
        break;
      default:
        out += c;
    }
  }
}

// NOLINTNEXTLINE(misc-no-recursion): recursion follows the element tree.
void Write(const Element& e, std::string& out) {
  out += '<';
  out += e.name;
  for (const auto& [name, value] : e.attributes) {
    out += ' ';
    out += name;
    out += "=\"";
    EscapeAttribute(value, out);
    out += '"';
  }
  if (e.text.empty() && e.children.empty()) {
    out += " />";
    return;
  }
  out += '>';
  EscapeText(e.text, out);
  for (const Element& child : e.children) {
    Write(child, out);
  }
  out += "</";
  out += e.name;
  out += '>';
}

void AddNamespace(const Member& m, Element& e) {
  const XmlNamespace ns = XmlNamespaceOf(m);
  if (ns.uri.empty()) {
    return;
  }
  std::string attribute = "xmlns";
  if (!ns.prefix.empty()) {
    attribute += ":" + std::string(ns.prefix);
  }
  e.attributes.emplace_back(std::move(attribute), std::string(ns.uri));
}

// NOLINTNEXTLINE(misc-no-recursion): recursion follows the shape tree.
Status Serialize(const Member& m, const nlohmann::json& value, std::string_view name,
                 std::vector<Element>& siblings) {
  const Shape& shape = *m.shape;
  switch (shape.type) {
    case ShapeType::kStructure: {
      Element node{.name = std::string(name)};
      AddNamespace(m, node);
      for (const Member& member : shape.members) {
        const auto it = value.find(member.name);
        if (it == value.end()) {
          continue;
        }
        if (member.xml_attribute) {
          node.attributes.emplace_back(WireName(member, member.name), ScalarText(*it));
          continue;
        }
        ASR_RETURN_IF_ERROR(Serialize(member, *it, WireName(member, member.name), node.children));
      }
      siblings.push_back(std::move(node));
      return Status::Ok();
    }
    case ShapeType::kList: {
      const Member& element = shape.member;
      if (m.flattened) {
        for (const nlohmann::json& item : value) {
          ASR_RETURN_IF_ERROR(Serialize(element, item, name, siblings));
        }
        return Status::Ok();
      }
      Element node{.name = std::string(name)};
      AddNamespace(m, node);
      const std::string_view element_name = WireName(element, "member");
      for (const nlohmann::json& item : value) {
        ASR_RETURN_IF_ERROR(Serialize(element, item, element_name, node.children));
      }
      siblings.push_back(std::move(node));
      return Status::Ok();
    }
    case ShapeType::kMap: {
      const std::string_view key_name = WireName(shape.key, "key");
      const std::string_view value_name = WireName(shape.value, "value");
      Element wrapper{.name = std::string(name)};
      AddNamespace(m, wrapper);
      for (const auto& [key, item] : value.items()) {
        Element entry{.name = m.flattened ? std::string(name) : std::string("entry")};
        ASR_RETURN_IF_ERROR(Serialize(shape.key, key, key_name, entry.children));
        ASR_RETURN_IF_ERROR(Serialize(shape.value, item, value_name, entry.children));
        (m.flattened ? siblings : wrapper.children).push_back(std::move(entry));
      }
      if (!m.flattened) {
        siblings.push_back(std::move(wrapper));
      }
      return Status::Ok();
    }
    default:
      break;
  }
  Element node{.name = std::string(name)};
  if (shape.type == ShapeType::kBlob) {
    node.text = Base64Encode(value.get_ref<const std::string&>());
  } else if (shape.type == ShapeType::kTimestamp) {
    ASR_ASSIGN_OR_RETURN(node.text, FormatTimestampText(value, TimestampFormatOf(m, "iso8601")));
  } else {
    node.text = ScalarText(value);
  }
  AddNamespace(m, node);
  siblings.push_back(std::move(node));
  return Status::Ok();
}

}  // namespace

Result<std::string> ToXmlBody(const Member& root, const nlohmann::json& value) {
  std::vector<Element> top;
  try {
    ASR_RETURN_IF_ERROR(Serialize(root, value, WireName(root, root.name), top));
  } catch (const nlohmann::json::exception& e) {
    // Params are validated first, so this means a validation gap, not bad input.
    return InternalError(std::string("XML body: ") + e.what());
  }
  std::string out;
  for (const Element& e : top) {
    Write(e, out);
  }
  return out;
}

}  // namespace asr::aws::internal
