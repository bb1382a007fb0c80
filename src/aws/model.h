#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace asr::aws {

// A botocore service model (service-2.json, trimmed by tools/extract_models.py), typed just
// enough to serialize requests and parse responses for the five protocols.

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
};

struct Shape;

// One member of a structure, with its serialization traits.
struct Member {
  std::string name;  // member name as in the params JSON ("IpPermissions")
  const Shape* shape = nullptr;
  std::string location;       // "", "uri", "querystring", "header", "headers", "statusCode"
  std::string location_name;  // wire name ("x-amz-acl", "Bucket", "item"), "" = name
  std::string query_name;     // ec2 protocol: queryName
  bool flattened = false;     // "flattened" on the member or its target shape (xml/query)
  bool xml_attribute = false;
  std::string xml_namespace_uri;  // member-level xmlNamespace.uri
  std::string xml_namespace_prefix;
  bool host_label = false;  // endpoint hostPrefix label
  bool idempotency_token = false;
  bool json_value = false;       // header holds base64 JSON (jsonvalue)
  std::string timestamp_format;  // member-level override
  bool streaming = false;        // member-level "streaming" (s3 PutObjectRequest.Body)
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;
  // Structure.
  std::vector<Member> members;  // model order
  std::vector<std::string> required;
  std::string payload;  // name of the payload member, "" if none
  bool exception = false;
  bool document = false;
  bool union_ = false;
  std::string error_code;  // error.code (query protocol errors)
  int error_http_status = 0;
  // List.
  Member member;  // list element (shape + locationName + flattened)
  // Map.
  Member key;
  Member value;
  // Common traits.
  bool flattened = false;
  std::string location_name;     // shape-level locationName
  std::string timestamp_format;  // "iso8601", "rfc822", "unixTimestamp", "" = protocol default
  bool streaming = false;
  bool sensitive = false;
  std::string xml_namespace_uri;
  std::vector<std::string> enum_values;

  [[nodiscard]] const Member* FindMember(std::string_view member_name) const;
};

struct Operation {
  std::string name;
  std::string http_method = "POST";
  std::string request_uri = "/";  // may contain {Label} and {Label+}, and a "?query" part
  const Shape* input = nullptr;   // nullptr when the operation takes no input
  const Shape* output = nullptr;
  std::string result_wrapper;       // query protocol: output.resultWrapper
  std::string input_xml_name;       // rest-xml: input.locationName (request body root)
  std::string input_xml_namespace;  // rest-xml: input.xmlNamespace.uri
  std::vector<const Shape*> errors;
  std::string host_prefix;                 // endpoint.hostPrefix, e.g. "{AccountId}."
  std::string auth_type;                   // "", "none", "v4-unsigned-body"
  bool http_checksum_required = false;     // needs Content-MD5 (or a flexible checksum)
  bool request_checksum_required = false;  // httpChecksum.requestChecksumRequired
  // httpChecksum.requestAlgorithmMember: the input member naming a flexible checksum algorithm
  // ("ChecksumAlgorithm"), "" if none. Note: newer botocore models mark e.g. s3 PutBucketPolicy
  // with httpChecksum.requestChecksumRequired instead of httpChecksumRequired; a request needs a
  // checksum when either flag is set.
  std::string request_algorithm_member;
};

struct ServiceMetadata {
  std::string service_name;  // the boto3 name: "s3", "ec2", "securityhub"
  // "query", "ec2", "json", "rest-json" or "rest-xml", resolved like botocore: the first of
  // metadata.protocols in botocore's priority order that asr supports, else metadata.protocol.
  // (cloudwatch lists ["smithy-rpc-v2-cbor", "json", "query"] and resolves to "json".)
  std::string protocol;
  std::string api_version;
  std::string endpoint_prefix;    // hostname prefix: "s3", "ec2", "securityhub"
  std::string signing_name;       // defaults to endpoint_prefix
  std::string service_id;         // "S3", "EC2", ... (for AWS_ENDPOINT_URL_<SERVICE_ID>)
  std::string target_prefix;      // json protocol: X-Amz-Target prefix
  std::string json_version;       // json protocol: "1.0" | "1.1"
  std::string global_endpoint;    // e.g. "iam.amazonaws.com" for global services, else ""
  std::string signature_version;  // "v4", "s3", "s3v4"
  std::string xml_namespace;      // query/ec2/rest-xml: metadata.xmlNamespace
  std::string botocore_version;   // the botocore version the model came from
  // metadata.awsQueryCompatible (sqs, cloudwatch): json errors carry the query-protocol error code
  // in the x-amzn-query-error header ("Code;Sender").
  bool aws_query_compatible = false;
};

struct PaginatorConfig {
  std::vector<std::string> input_token;   // request members carrying the token
  std::vector<std::string> output_token;  // response paths (may be "A.B" or "A[-1].Key")
  std::string limit_key;
  std::vector<std::string> result_key;
  std::string more_results;  // response path of a boolean, "" if none
};

// One parsed service model. Immutable after Parse; thread-safe to share.
class ServiceModel final {
 public:
  // Parses the trimmed model JSON produced by tools/extract_models.py:
  // {"metadata":{...}, "operations":{...}, "shapes":{...}, "paginators":{...}, "waiters":{...},
  //  "botocore_version":"..."}. InvalidArgument names the bad shape/operation.
  static Result<std::unique_ptr<ServiceModel>> Parse(std::string_view service_name,
                                                     std::string_view json_text);

  [[nodiscard]] const ServiceMetadata& metadata() const { return metadata_; }
  // Operation names are as in botocore ("PutPublicAccessBlock"). nullptr when unknown.
  [[nodiscard]] const Operation* FindOperation(std::string_view name) const;
  [[nodiscard]] const Shape* FindShape(std::string_view name) const;
  [[nodiscard]] const PaginatorConfig* FindPaginator(std::string_view operation) const;
  // The waiter definition as in waiters-2.json, or nullptr.
  [[nodiscard]] const nlohmann::json* FindWaiter(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> OperationNames() const;

 private:
  ServiceModel() = default;
  ServiceMetadata metadata_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, PaginatorConfig, std::less<>> paginators_;
  std::map<std::string, nlohmann::json, std::less<>> waiters_;
};

// The models built into the binary (models/*.json, embedded at build time). Each model is parsed
// on first use. Thread-safe.
class ModelRegistry {
 public:
  virtual ~ModelRegistry() = default;
  // NotFound names the known services when `service` is not built in.
  virtual Result<const ServiceModel*> Get(std::string_view service) const = 0;
  [[nodiscard]] virtual std::vector<std::string> ServiceNames() const = 0;
};

// The registry of embedded models.
const ModelRegistry& BuiltinModels();

}  // namespace asr::aws
