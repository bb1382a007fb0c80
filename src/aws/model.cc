#include "aws/model.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/internal/model_data.h"
#include "common/status.h"

namespace asr::aws {
namespace {

// ordered_json keeps the model's member order, which the serializers follow.
using Json = nlohmann::ordered_json;
using ShapeMap = std::map<std::string, std::unique_ptr<Shape>, std::less<>>;

// The protocols asr implements, in botocore's priority order (PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
// without smithy-rpc-v2-cbor), used to pick one from metadata.protocols as botocore does.
constexpr std::array<std::string_view, 5> kSupportedProtocols = {"json", "rest-json", "rest-xml",
                                                                 "query", "ec2"};

constexpr std::array<std::pair<std::string_view, ShapeType>, 11> kShapeTypes = {{
    {"structure", ShapeType::kStructure},
    {"list", ShapeType::kList},
    {"map", ShapeType::kMap},
    {"string", ShapeType::kString},
    {"integer", ShapeType::kInteger},
    {"long", ShapeType::kLong},
    {"float", ShapeType::kFloat},
    {"double", ShapeType::kDouble},
    {"boolean", ShapeType::kBoolean},
    {"timestamp", ShapeType::kTimestamp},
    {"blob", ShapeType::kBlob},
}};

std::string Quote(std::string_view s) {
  // Appends rather than `"\"" + std::string(s) + "\""`, which trips GCC 12's -Wrestrict at -O3.
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// Reads typed fields of one JSON object of the model. Every error names the service, the place
// in the model ("shape Foo, member Bar") and the field, so a bad model is easy to find.
class Reader final {
 public:
  Reader(std::string_view service, std::string where, const Json& object)
      : service_(service), where_(std::move(where)), object_(object) {}

  [[nodiscard]] Status Error(std::string_view problem) const {
    return InvalidArgumentError("service model " + Quote(service_) + ": " + where_ + ": " +
                                std::string(problem));
  }

  [[nodiscard]] const Json* Find(std::string_view key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  // A string field; "" when absent.
  Result<std::string> String(std::string_view key) const {
    const Json* v = Find(key);
    if (v == nullptr) {
      return std::string();
    }
    if (!v->is_string()) {
      return Error(Quote(key) + " must be a string, got " + v->type_name());
    }
    return v->get_ref<const std::string&>();
  }

  Result<bool> Bool(std::string_view key) const {
    const Json* v = Find(key);
    if (v == nullptr) {
      return false;
    }
    if (!v->is_boolean()) {
      return Error(Quote(key) + " must be a boolean, got " + v->type_name());
    }
    return v->get<bool>();
  }

  Result<int> Int(std::string_view key) const {
    const Json* v = Find(key);
    if (v == nullptr) {
      return 0;
    }
    if (!v->is_number_integer()) {
      return Error(Quote(key) + " must be an integer, got " + v->type_name());
    }
    return v->get<int>();
  }

  // An object field; nullptr when absent.
  Result<const Json*> Object(std::string_view key) const {
    const Json* v = Find(key);
    if (v != nullptr && !v->is_object()) {
      return Error(Quote(key) + " must be an object, got " + v->type_name());
    }
    return v;
  }

  // A list of strings; empty when absent.
  Result<std::vector<std::string>> StringList(std::string_view key) const {
    std::vector<std::string> out;
    const Json* v = Find(key);
    if (v == nullptr) {
      return out;
    }
    if (!v->is_array()) {
      return Error(Quote(key) + " must be a list of strings, got " + v->type_name());
    }
    for (const Json& item : *v) {
      if (!item.is_string()) {
        return Error(Quote(key) + " must be a list of strings, has a " + item.type_name());
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // botocore allows a string or a list of strings (paginator tokens and result keys).
  Result<std::vector<std::string>> StringOrList(std::string_view key) const {
    const Json* v = Find(key);
    if (v != nullptr && v->is_string()) {
      return std::vector<std::string>{v->get<std::string>()};
    }
    return StringList(key);
  }

  // xmlNamespace is {"uri": ..., "prefix": ...} on shapes and members, a plain URI string in
  // some metadata.
  Result<std::pair<std::string, std::string>> XmlNamespace() const {
    const Json* v = Find("xmlNamespace");
    if (v == nullptr) {
      return std::pair<std::string, std::string>();
    }
    if (v->is_string()) {
      return std::pair<std::string, std::string>(v->get<std::string>(), "");
    }
    if (!v->is_object()) {
      return Error("\"xmlNamespace\" must be an object or a string, got " +
                   std::string(v->type_name()));
    }
    Reader ns(service_, where_ + ", xmlNamespace", *v);
    ASR_ASSIGN_OR_RETURN(std::string uri, ns.String("uri"));
    ASR_ASSIGN_OR_RETURN(std::string prefix, ns.String("prefix"));
    return std::pair<std::string, std::string>(std::move(uri), std::move(prefix));
  }

 private:
  std::string_view service_;
  std::string where_;
  const Json& object_;
};

Result<const Json*> RequireObject(const Reader& parent, std::string_view key) {
  ASR_ASSIGN_OR_RETURN(const Json* v, parent.Object(key));
  if (v == nullptr) {
    return parent.Error(Quote(key) + " is missing");
  }
  return v;
}

// Resolves a {"shape": "Name"} reference.
Result<const Shape*> ResolveShape(const Reader& ref, const ShapeMap& shapes) {
  const Json* name = ref.Find("shape");
  if (name == nullptr || !name->is_string()) {
    return ref.Error("\"shape\" must name a shape");
  }
  const auto& shape_name = name->get_ref<const std::string&>();
  auto it = shapes.find(shape_name);
  if (it == shapes.end()) {
    return ref.Error("references unknown shape " + Quote(shape_name));
  }
  return it->second.get();
}

Result<Member> ParseMember(std::string_view service, std::string where, std::string name,
                           const Json& definition, const ShapeMap& shapes) {
  if (!definition.is_object()) {
    return InvalidArgumentError("service model " + Quote(service) + ": " + where +
                                ": must be an object");
  }
  Reader r(service, std::move(where), definition);
  Member m;
  m.name = std::move(name);
  ASR_ASSIGN_OR_RETURN(m.shape, ResolveShape(r, shapes));
  ASR_ASSIGN_OR_RETURN(m.location, r.String("location"));
  ASR_ASSIGN_OR_RETURN(m.location_name, r.String("locationName"));
  ASR_ASSIGN_OR_RETURN(m.query_name, r.String("queryName"));
  ASR_ASSIGN_OR_RETURN(bool member_flattened, r.Bool("flattened"));
  m.flattened = member_flattened || m.shape->flattened;
  ASR_ASSIGN_OR_RETURN(m.xml_attribute, r.Bool("xmlAttribute"));
  ASR_ASSIGN_OR_RETURN(auto ns, r.XmlNamespace());
  m.xml_namespace_uri = std::move(ns.first);
  m.xml_namespace_prefix = std::move(ns.second);
  ASR_ASSIGN_OR_RETURN(m.host_label, r.Bool("hostLabel"));
  ASR_ASSIGN_OR_RETURN(m.idempotency_token, r.Bool("idempotencyToken"));
  ASR_ASSIGN_OR_RETURN(m.json_value, r.Bool("jsonvalue"));
  ASR_ASSIGN_OR_RETURN(m.timestamp_format, r.String("timestampFormat"));
  ASR_ASSIGN_OR_RETURN(m.streaming, r.Bool("streaming"));
  return m;
}

// First pass over a shape: its type and the traits that don't reference other shapes (members
// read the target shape's "flattened" in the second pass).
Result<std::unique_ptr<Shape>> ParseShapeTraits(std::string_view service, const std::string& name,
                                                const Json& definition) {
  const std::string where = "shape " + name;
  if (!definition.is_object()) {
    return InvalidArgumentError("service model " + Quote(service) + ": " + where +
                                ": must be an object");
  }
  Reader r(service, where, definition);
  auto shape = std::make_unique<Shape>();
  shape->name = name;
  ASR_ASSIGN_OR_RETURN(std::string type, r.String("type"));
  const auto* type_entry = std::find_if(kShapeTypes.begin(), kShapeTypes.end(),
                                        [&type](const auto& e) { return e.first == type; });
  if (type_entry == kShapeTypes.end()) {
    return r.Error("unsupported \"type\" " + Quote(type) +
                   " (expected structure, list, map, string, integer, long, float, double, "
                   "boolean, timestamp or blob)");
  }
  shape->type = type_entry->second;
  ASR_ASSIGN_OR_RETURN(shape->required, r.StringList("required"));
  ASR_ASSIGN_OR_RETURN(shape->payload, r.String("payload"));
  ASR_ASSIGN_OR_RETURN(shape->exception, r.Bool("exception"));
  ASR_ASSIGN_OR_RETURN(shape->document, r.Bool("document"));
  ASR_ASSIGN_OR_RETURN(shape->union_, r.Bool("union"));
  ASR_ASSIGN_OR_RETURN(const Json* error, r.Object("error"));
  if (error != nullptr) {
    Reader e(service, where + ", error", *error);
    ASR_ASSIGN_OR_RETURN(shape->error_code, e.String("code"));
    ASR_ASSIGN_OR_RETURN(shape->error_http_status, e.Int("httpStatusCode"));
  }
  ASR_ASSIGN_OR_RETURN(shape->flattened, r.Bool("flattened"));
  ASR_ASSIGN_OR_RETURN(shape->location_name, r.String("locationName"));
  ASR_ASSIGN_OR_RETURN(shape->timestamp_format, r.String("timestampFormat"));
  ASR_ASSIGN_OR_RETURN(shape->streaming, r.Bool("streaming"));
  ASR_ASSIGN_OR_RETURN(shape->sensitive, r.Bool("sensitive"));
  ASR_ASSIGN_OR_RETURN(auto ns, r.XmlNamespace());
  shape->xml_namespace_uri = std::move(ns.first);
  ASR_ASSIGN_OR_RETURN(shape->enum_values, r.StringList("enum"));
  return shape;
}

// Second pass: members, list elements and map keys/values, pointing into `shapes`.
Status ResolveShapeReferences(std::string_view service, const Json& definition,
                              const ShapeMap& shapes, Shape& shape) {
  const std::string where = "shape " + shape.name;
  Reader r(service, where, definition);
  switch (shape.type) {
    case ShapeType::kStructure: {
      ASR_ASSIGN_OR_RETURN(const Json* members, r.Object("members"));
      if (members != nullptr) {
        for (const auto& [member_name, member_def] : members->items()) {
          std::string member_where = where;
          member_where.append(", member ").append(member_name);
          ASR_ASSIGN_OR_RETURN(Member m, ParseMember(service, std::move(member_where), member_name,
                                                     member_def, shapes));
          shape.members.push_back(std::move(m));
        }
      }
      if (!shape.payload.empty() && shape.FindMember(shape.payload) == nullptr) {
        return r.Error("\"payload\" names " + Quote(shape.payload) + ", which is not a member");
      }
      return Status::Ok();
    }
    case ShapeType::kList: {
      ASR_ASSIGN_OR_RETURN(const Json* member, RequireObject(r, "member"));
      ASR_ASSIGN_OR_RETURN(shape.member,
                           ParseMember(service, where + ", member", "member", *member, shapes));
      return Status::Ok();
    }
    case ShapeType::kMap: {
      ASR_ASSIGN_OR_RETURN(const Json* key, RequireObject(r, "key"));
      ASR_ASSIGN_OR_RETURN(shape.key, ParseMember(service, where + ", key", "key", *key, shapes));
      ASR_ASSIGN_OR_RETURN(const Json* value, RequireObject(r, "value"));
      ASR_ASSIGN_OR_RETURN(shape.value,
                           ParseMember(service, where + ", value", "value", *value, shapes));
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Result<ServiceMetadata> ParseMetadata(std::string_view service, const Json& root) {
  Reader top(service, "model", root);
  ASR_ASSIGN_OR_RETURN(const Json* metadata, RequireObject(top, "metadata"));
  Reader r(service, "metadata", *metadata);
  ServiceMetadata m;
  m.service_name = std::string(service);
  ASR_ASSIGN_OR_RETURN(std::string protocol, r.String("protocol"));
  if (protocol.empty()) {
    return r.Error("\"protocol\" is missing");
  }
  ASR_ASSIGN_OR_RETURN(std::vector<std::string> protocols, r.StringList("protocols"));
  if (protocols.empty()) {
    protocols.push_back(protocol);
  }
  for (std::string_view supported : kSupportedProtocols) {
    if (std::find(protocols.begin(), protocols.end(), supported) != protocols.end()) {
      m.protocol = std::string(supported);
      break;
    }
  }
  if (m.protocol.empty()) {
    return r.Error("no supported protocol in " + Quote(protocol) +
                   " (asr implements json, rest-json, rest-xml, query and ec2)");
  }
  ASR_ASSIGN_OR_RETURN(m.api_version, r.String("apiVersion"));
  ASR_ASSIGN_OR_RETURN(m.endpoint_prefix, r.String("endpointPrefix"));
  ASR_ASSIGN_OR_RETURN(m.signing_name, r.String("signingName"));
  if (m.signing_name.empty()) {
    m.signing_name = m.endpoint_prefix;
  }
  ASR_ASSIGN_OR_RETURN(m.service_id, r.String("serviceId"));
  ASR_ASSIGN_OR_RETURN(m.target_prefix, r.String("targetPrefix"));
  ASR_ASSIGN_OR_RETURN(m.json_version, r.String("jsonVersion"));
  ASR_ASSIGN_OR_RETURN(m.global_endpoint, r.String("globalEndpoint"));
  ASR_ASSIGN_OR_RETURN(m.signature_version, r.String("signatureVersion"));
  ASR_ASSIGN_OR_RETURN(auto ns, r.XmlNamespace());
  m.xml_namespace = std::move(ns.first);
  m.aws_query_compatible = r.Find("awsQueryCompatible") != nullptr;
  ASR_ASSIGN_OR_RETURN(m.botocore_version, top.String("botocore_version"));
  return m;
}

Result<Operation> ParseOperation(std::string_view service, const std::string& name,
                                 const Json& definition, const ShapeMap& shapes) {
  const std::string where = "operation " + name;
  if (!definition.is_object()) {
    return InvalidArgumentError("service model " + Quote(service) + ": " + where +
                                ": must be an object");
  }
  Reader r(service, where, definition);
  Operation op;
  op.name = name;
  ASR_ASSIGN_OR_RETURN(const Json* http, r.Object("http"));
  if (http != nullptr) {
    Reader h(service, where + ", http", *http);
    ASR_ASSIGN_OR_RETURN(std::string method, h.String("method"));
    ASR_ASSIGN_OR_RETURN(std::string uri, h.String("requestUri"));
    if (!method.empty()) {
      op.http_method = std::move(method);
    }
    if (!uri.empty()) {
      op.request_uri = std::move(uri);
    }
  }
  ASR_ASSIGN_OR_RETURN(const Json* input, r.Object("input"));
  if (input != nullptr) {
    Reader in(service, where + ", input", *input);
    ASR_ASSIGN_OR_RETURN(op.input, ResolveShape(in, shapes));
    ASR_ASSIGN_OR_RETURN(op.input_xml_name, in.String("locationName"));
    ASR_ASSIGN_OR_RETURN(auto ns, in.XmlNamespace());
    op.input_xml_namespace = std::move(ns.first);
  }
  ASR_ASSIGN_OR_RETURN(const Json* output, r.Object("output"));
  if (output != nullptr) {
    Reader out(service, where + ", output", *output);
    ASR_ASSIGN_OR_RETURN(op.output, ResolveShape(out, shapes));
    ASR_ASSIGN_OR_RETURN(op.result_wrapper, out.String("resultWrapper"));
  }
  if (const Json* errors = r.Find("errors"); errors != nullptr) {
    if (!errors->is_array()) {
      return r.Error("\"errors\" must be a list");
    }
    for (const Json& error : *errors) {
      if (!error.is_object()) {
        return r.Error("\"errors\" must be a list of shape references");
      }
      ASR_ASSIGN_OR_RETURN(const Shape* shape,
                           ResolveShape(Reader(service, where + ", errors", error), shapes));
      op.errors.push_back(shape);
    }
  }
  ASR_ASSIGN_OR_RETURN(const Json* endpoint, r.Object("endpoint"));
  if (endpoint != nullptr) {
    ASR_ASSIGN_OR_RETURN(op.host_prefix,
                         Reader(service, where + ", endpoint", *endpoint).String("hostPrefix"));
  }
  ASR_ASSIGN_OR_RETURN(op.auth_type, r.String("authtype"));
  if (op.auth_type.empty()) {
    // Newer models say "auth": ["smithy.api#noAuth"] for unsigned operations.
    ASR_ASSIGN_OR_RETURN(std::vector<std::string> auth, r.StringList("auth"));
    if (auth.size() == 1 && auth.front() == "smithy.api#noAuth") {
      op.auth_type = "none";
    }
  }
  ASR_ASSIGN_OR_RETURN(op.http_checksum_required, r.Bool("httpChecksumRequired"));
  ASR_ASSIGN_OR_RETURN(const Json* checksum, r.Object("httpChecksum"));
  if (checksum != nullptr) {
    Reader c(service, where + ", httpChecksum", *checksum);
    ASR_ASSIGN_OR_RETURN(op.request_checksum_required, c.Bool("requestChecksumRequired"));
    ASR_ASSIGN_OR_RETURN(op.request_algorithm_member, c.String("requestAlgorithmMember"));
  }
  return op;
}

// FindWaiter hands out plain nlohmann::json. Converting directly is cheaper to compile than a
// dump-and-parse round trip, which would instantiate a second parser.
// Waiter definitions nest a few levels, so the recursion is shallow.
nlohmann::json ToPlainJson(const Json& in) {  // NOLINT(misc-no-recursion)
  switch (in.type()) {
    case Json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, value] : in.items()) {
        out[key] = ToPlainJson(value);
      }
      return out;
    }
    case Json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const Json& value : in) {
        out.push_back(ToPlainJson(value));
      }
      return out;
    }
    case Json::value_t::string:
      return in.get_ref<const std::string&>();
    case Json::value_t::boolean:
      return in.get<bool>();
    case Json::value_t::number_integer:
      return in.get<std::int64_t>();
    case Json::value_t::number_unsigned:
      return in.get<std::uint64_t>();
    case Json::value_t::number_float:
      return in.get<double>();
    default:
      return nullptr;
  }
}

Result<PaginatorConfig> ParsePaginator(std::string_view service, const std::string& operation,
                                       const Json& definition) {
  const std::string where = "paginator " + operation;
  if (!definition.is_object()) {
    return InvalidArgumentError("service model " + Quote(service) + ": " + where +
                                ": must be an object");
  }
  Reader r(service, where, definition);
  PaginatorConfig p;
  ASR_ASSIGN_OR_RETURN(p.input_token, r.StringOrList("input_token"));
  ASR_ASSIGN_OR_RETURN(p.output_token, r.StringOrList("output_token"));
  ASR_ASSIGN_OR_RETURN(p.limit_key, r.String("limit_key"));
  ASR_ASSIGN_OR_RETURN(p.result_key, r.StringOrList("result_key"));
  ASR_ASSIGN_OR_RETURN(p.more_results, r.String("more_results"));
  if (p.input_token.empty() || p.output_token.empty()) {
    return r.Error(R"("input_token" and "output_token" are required)");
  }
  return p;
}

}  // namespace

const Member* Shape::FindMember(std::string_view member_name) const {
  auto it = std::find_if(members.begin(), members.end(),
                         [member_name](const Member& m) { return m.name == member_name; });
  return it == members.end() ? nullptr : &*it;
}

Result<std::unique_ptr<ServiceModel>> ServiceModel::Parse(std::string_view service_name,
                                                          std::string_view json_text) {
  // nlohmann reports problems by throwing; nothing thrown may leave this function.
  try {
    Json root;
    try {
      root = Json::parse(json_text);
    } catch (const Json::parse_error& e) {
      return InvalidArgumentError("service model " + Quote(service_name) +
                                  ": malformed JSON: " + e.what());
    }
    if (!root.is_object()) {
      return InvalidArgumentError("service model " + Quote(service_name) +
                                  ": must be a JSON object");
    }
    auto model = std::unique_ptr<ServiceModel>(new ServiceModel());  // private constructor
    ASR_ASSIGN_OR_RETURN(model->metadata_, ParseMetadata(service_name, root));

    Reader top(service_name, "model", root);
    ASR_ASSIGN_OR_RETURN(const Json* shapes, RequireObject(top, "shapes"));
    for (const auto& [name, definition] : shapes->items()) {
      ASR_ASSIGN_OR_RETURN(auto shape, ParseShapeTraits(service_name, name, definition));
      model->shapes_.emplace(name, std::move(shape));
    }
    // All shapes exist before any reference is resolved, so recursive shapes (a structure that
    // contains a list of itself) simply point at each other.
    for (const auto& [name, definition] : shapes->items()) {
      ASR_RETURN_IF_ERROR(ResolveShapeReferences(service_name, definition, model->shapes_,
                                                 *model->shapes_.find(name)->second));
    }

    ASR_ASSIGN_OR_RETURN(const Json* operations, RequireObject(top, "operations"));
    for (const auto& [name, definition] : operations->items()) {
      ASR_ASSIGN_OR_RETURN(Operation op,
                           ParseOperation(service_name, name, definition, model->shapes_));
      model->operations_.emplace(name, std::move(op));
    }

    ASR_ASSIGN_OR_RETURN(const Json* paginators, top.Object("paginators"));
    if (paginators != nullptr) {
      for (const auto& [operation, definition] : paginators->items()) {
        if (!model->operations_.contains(operation)) {
          return top.Error("paginator " + Quote(operation) + " is for an unknown operation");
        }
        ASR_ASSIGN_OR_RETURN(PaginatorConfig p,
                             ParsePaginator(service_name, operation, definition));
        model->paginators_.emplace(operation, std::move(p));
      }
    }

    ASR_ASSIGN_OR_RETURN(const Json* waiters, top.Object("waiters"));
    if (waiters != nullptr) {
      for (const auto& [name, definition] : waiters->items()) {
        auto operation = definition.is_object() ? definition.find("operation") : definition.end();
        if (operation == definition.end() || !operation->is_string() ||
            !model->operations_.contains(operation->get_ref<const std::string&>())) {
          return top.Error("waiter " + Quote(name) + " must name a known \"operation\"");
        }
        model->waiters_.emplace(name, ToPlainJson(definition));
      }
    }
    return model;
  } catch (const nlohmann::json::exception& e) {
    return InternalError("service model " + Quote(service_name) + ": " + e.what());
  }
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::FindShape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second.get();
}

const PaginatorConfig* ServiceModel::FindPaginator(std::string_view operation) const {
  auto it = paginators_.find(operation);
  return it == paginators_.end() ? nullptr : &it->second;
}

const nlohmann::json* ServiceModel::FindWaiter(std::string_view name) const {
  auto it = waiters_.find(name);
  return it == waiters_.end() ? nullptr : &it->second;
}

std::vector<std::string> ServiceModel::OperationNames() const {
  std::vector<std::string> names;
  names.reserve(operations_.size());
  for (const auto& [name, op] : operations_) {
    names.push_back(name);
  }
  return names;
}

namespace {

// Parses each embedded model once, on first use; the text is concatenated from its chunks only
// for parsing. A model that fails to parse keeps failing with the same status.
class EmbeddedModelRegistry final : public ModelRegistry {
 public:
  EmbeddedModelRegistry() {
    for (const internal::EmbeddedModel& source : internal::EmbeddedModels()) {
      entries_.try_emplace(source.service, source);
    }
  }

  Result<const ServiceModel*> Get(std::string_view service) const override {
    auto it = entries_.find(service);
    if (it == entries_.end()) {
      std::string known;
      for (const auto& [name, entry] : entries_) {
        known += known.empty() ? "" : ", ";
        known += name;
      }
      return NotFoundError("no built-in model for AWS service " + Quote(service) +
                           "; known services: " + known +
                           " (add a service to tools/models.txt and regenerate models/)");
    }
    const Entry& entry = it->second;
    std::call_once(entry.once, [&entry] {
      std::string text;
      text.reserve(entry.source.size);
      for (std::string_view chunk : entry.source.chunks) {
        text.append(chunk);
      }
      auto parsed = ServiceModel::Parse(entry.source.service, text);
      if (parsed.ok()) {
        entry.model = std::move(parsed).value();
      } else {
        entry.status = parsed.status().Annotate("built-in model");
      }
    });
    if (!entry.status.ok()) {
      return entry.status;
    }
    return static_cast<const ServiceModel*>(entry.model.get());
  }

  [[nodiscard]] std::vector<std::string> ServiceNames() const override {
    std::vector<std::string> names;
    names.reserve(entries_.size());
    for (const auto& [name, entry] : entries_) {
      names.emplace_back(name);
    }
    return names;
  }

 private:
  struct Entry {
    explicit Entry(const internal::EmbeddedModel& embedded) : source(embedded) {}
    const internal::EmbeddedModel& source;
    // Written once under `once`, read-only afterwards.
    mutable std::once_flag once;
    mutable std::unique_ptr<ServiceModel> model;
    mutable Status status;
  };
  std::map<std::string_view, Entry, std::less<>> entries_;
};

}  // namespace

const ModelRegistry& BuiltinModels() {
  static const EmbeddedModelRegistry kRegistry;
  return kRegistry;
}

}  // namespace asr::aws
