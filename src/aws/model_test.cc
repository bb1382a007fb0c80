#include "aws/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "aws/internal/model_data.h"
#include "common/status.h"

namespace asr::aws {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// tools/models.txt as service -> operations ("*" lines give an empty list).
std::map<std::string, std::vector<std::string>> ReadModelsList() {
  std::ifstream in(std::string(ASR_SOURCE_DIR) + "/tools/models.txt");
  EXPECT_TRUE(in.good()) << "cannot read tools/models.txt";
  std::map<std::string, std::vector<std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      ADD_FAILURE() << "bad line in tools/models.txt: " << line;
      continue;
    }
    std::istringstream ops(line.substr(colon + 1));
    std::vector<std::string>& list = out[line.substr(0, colon)];
    for (std::string op; ops >> op;) {
      if (op != "*") {
        list.push_back(op);
      }
    }
  }
  return out;
}

// The built-in model of `service`, or nullptr (and a test failure) when it doesn't load.
const ServiceModel* Model(std::string_view service) {
  auto model = BuiltinModels().Get(service);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : nullptr;
}

const Shape* FindShape(std::string_view service, std::string_view shape) {
  const ServiceModel* model = Model(service);
  return model == nullptr ? nullptr : model->FindShape(shape);
}

const Operation* FindOperation(std::string_view service, std::string_view operation) {
  const ServiceModel* model = Model(service);
  return model == nullptr ? nullptr : model->FindOperation(operation);
}

// Checks that every reference in `shape` points at the model's own shape of that name.
void ExpectResolved(const ServiceModel& model, const Member& member, const std::string& where) {
  ASSERT_NE(member.shape, nullptr) << where;
  EXPECT_EQ(model.FindShape(member.shape->name), member.shape) << where;
}

TEST(ModelRegistryTest, HasOneModelPerServiceInModelsList) {
  const auto listed = ReadModelsList();
  std::vector<std::string> want;
  want.reserve(listed.size());
  for (const auto& [service, ops] : listed) {
    want.push_back(service);
  }
  EXPECT_EQ(BuiltinModels().ServiceNames(), want);
  EXPECT_GE(want.size(), 34U);  // the services asr needs today; more may be added
  EXPECT_EQ(internal::EmbeddedModels().size(), want.size());
}

TEST(ModelRegistryTest, EveryEmbeddedModelParsesWithItsListedOperations) {
  for (const auto& [service, ops] : ReadModelsList()) {
    SCOPED_TRACE(service);
    auto model = BuiltinModels().Get(service);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const ServiceModel& m = **model;
    EXPECT_EQ(m.metadata().service_name, service);
    EXPECT_EQ(m.metadata().botocore_version.empty(), false);
    EXPECT_THAT(std::vector<std::string>({"json", "rest-json", "rest-xml", "query", "ec2"}),
                ::testing::Contains(m.metadata().protocol));
    EXPECT_FALSE(m.metadata().signing_name.empty());
    EXPECT_FALSE(m.metadata().endpoint_prefix.empty());
    for (const std::string& op : ops) {
      EXPECT_NE(m.FindOperation(op), nullptr) << op;
    }
    if (!ops.empty()) {
      auto sorted = ops;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(m.OperationNames(), sorted);
    }
    // The same pointer every time: parsed once.
    auto again = BuiltinModels().Get(service);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *model);
  }
}

TEST(ModelRegistryTest, EveryShapeReferenceResolvesWithinItsModel) {
  for (const std::string& service : BuiltinModels().ServiceNames()) {
    SCOPED_TRACE(service);
    const ServiceModel* m_ptr = Model(service);
    ASSERT_NE(m_ptr, nullptr);
    const ServiceModel& m = *m_ptr;
    for (const std::string& name : m.OperationNames()) {
      const Operation* op = m.FindOperation(name);
      ASSERT_NE(op, nullptr);
      EXPECT_EQ(op->name, name);
      // Walk everything reachable from the operation.
      std::vector<const Shape*> todo = op->errors;
      for (const Shape* s : {op->input, op->output}) {
        if (s != nullptr) {
          todo.push_back(s);
        }
      }
      std::set<const Shape*> seen;
      while (!todo.empty()) {
        const Shape* s = todo.back();
        todo.pop_back();
        ASSERT_NE(s, nullptr) << name;
        if (!seen.insert(s).second) {
          continue;
        }
        EXPECT_EQ(m.FindShape(s->name), s) << name;
        std::vector<const Member*> refs;
        for (const Member& member : s->members) {
          refs.push_back(&member);
        }
        if (s->type == ShapeType::kList) {
          refs.push_back(&s->member);
        }
        if (s->type == ShapeType::kMap) {
          refs.push_back(&s->key);
          refs.push_back(&s->value);
        }
        for (const Member* r : refs) {
          ExpectResolved(m, *r, s->name + "." + r->name);
          if (r->shape != nullptr) {
            todo.push_back(r->shape);
          }
        }
      }
    }
  }
}

TEST(ModelRegistryTest, UnknownServiceIsNotFoundAndNamesKnownServices) {
  auto model = BuiltinModels().Get("no-such-service");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(model.status().message(), HasSubstr("\"no-such-service\""));
  EXPECT_THAT(model.status().message(), HasSubstr("s3control"));
  EXPECT_THAT(model.status().message(), HasSubstr("tools/models.txt"));
}

TEST(ModelTest, Ec2RevokeSecurityGroupIngressHasQueryTraits) {
  const ServiceModel* ec2_ptr = Model("ec2");
  ASSERT_NE(ec2_ptr, nullptr);
  const ServiceModel& ec2 = *ec2_ptr;
  EXPECT_EQ(ec2.metadata().protocol, "ec2");
  const Operation* op = ec2.FindOperation("RevokeSecurityGroupIngress");
  ASSERT_NE(op, nullptr);
  ASSERT_NE(op->input, nullptr);
  EXPECT_EQ(op->input->name, "RevokeSecurityGroupIngressRequest");
  const Member* perms = op->input->FindMember("IpPermissions");
  ASSERT_NE(perms, nullptr);
  // botocore 1.43 has no queryName or locationName here: the ec2 serializer falls back to the
  // member name.
  EXPECT_EQ(perms->query_name, "");
  EXPECT_EQ(perms->location_name, "");
  ASSERT_NE(perms->shape, nullptr);
  EXPECT_EQ(perms->shape->type, ShapeType::kList);
  EXPECT_EQ(perms->shape->member.location_name, "item");
  ASSERT_NE(perms->shape->member.shape, nullptr);
  EXPECT_EQ(perms->shape->member.shape->name, "IpPermission");

  // Where ec2 does have queryName.
  const Shape* nic = ec2.FindShape("InstanceNetworkInterfaceSpecification");
  ASSERT_NE(nic, nullptr);
  const Member* ipv6 = nic->FindMember("Ipv6Addresses");
  ASSERT_NE(ipv6, nullptr);
  EXPECT_EQ(ipv6->query_name, "Ipv6Addresses");
}

TEST(ModelTest, Ec2WaitersOfListedOperationsAreKept) {
  const ServiceModel* ec2_ptr = Model("ec2");
  ASSERT_NE(ec2_ptr, nullptr);
  const ServiceModel& ec2 = *ec2_ptr;
  const nlohmann::json* waiter = ec2.FindWaiter("InstanceRunning");
  ASSERT_NE(waiter, nullptr);
  EXPECT_EQ(waiter->at("operation"), "DescribeInstances");
  EXPECT_EQ(ec2.FindWaiter("NoSuchWaiter"), nullptr);
}

TEST(ModelTest, S3PutBucketPolicyIsRestXmlWithUriLabelAndPayload) {
  const ServiceModel* s3_ptr = Model("s3");
  ASSERT_NE(s3_ptr, nullptr);
  const ServiceModel& s3 = *s3_ptr;
  EXPECT_EQ(s3.metadata().protocol, "rest-xml");
  EXPECT_EQ(s3.metadata().signature_version, "s3");
  EXPECT_EQ(s3.metadata().service_id, "S3");
  const Operation* op = s3.FindOperation("PutBucketPolicy");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->http_method, "PUT");
  EXPECT_EQ(op->request_uri, "/{Bucket}?policy");
  EXPECT_EQ(op->output, nullptr);
  // botocore 1.43 expresses the checksum requirement as httpChecksum.requestChecksumRequired.
  EXPECT_FALSE(op->http_checksum_required);
  EXPECT_TRUE(op->request_checksum_required);
  EXPECT_EQ(op->request_algorithm_member, "ChecksumAlgorithm");
  ASSERT_NE(op->input, nullptr);
  EXPECT_EQ(op->input->payload, "Policy");
  const Member* bucket = op->input->FindMember("Bucket");
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->location, "uri");
  EXPECT_EQ(bucket->location_name, "Bucket");
  const Member* md5 = op->input->FindMember("ContentMD5");
  ASSERT_NE(md5, nullptr);
  EXPECT_EQ(md5->location, "header");
  EXPECT_EQ(md5->location_name, "Content-MD5");
  // Members keep model order.
  ASSERT_GE(op->input->members.size(), 2U);
  EXPECT_EQ(op->input->members[0].name, "Bucket");
  EXPECT_EQ(op->input->members[1].name, "ContentMD5");
}

TEST(ModelTest, S3XmlTraits) {
  const ServiceModel* s3_ptr = Model("s3");
  ASSERT_NE(s3_ptr, nullptr);
  const ServiceModel& s3 = *s3_ptr;
  const Shape* grantee = s3.FindShape("Grantee");
  ASSERT_NE(grantee, nullptr);
  EXPECT_EQ(grantee->xml_namespace_uri, "http://www.w3.org/2001/XMLSchema-instance");
  const Member* type = grantee->FindMember("Type");
  ASSERT_NE(type, nullptr);
  EXPECT_TRUE(type->xml_attribute);
  EXPECT_EQ(type->location_name, "xsi:type");

  const Operation* put_acl = s3.FindOperation("PutBucketAcl");
  ASSERT_NE(put_acl, nullptr);
  ASSERT_NE(put_acl->input, nullptr);
  const Member* policy = put_acl->input->FindMember("AccessControlPolicy");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->xml_namespace_uri, "http://s3.amazonaws.com/doc/2006-03-01/");

  const Operation* put_object = s3.FindOperation("PutObject");
  ASSERT_NE(put_object, nullptr);
  ASSERT_NE(put_object->input, nullptr);
  EXPECT_EQ(put_object->request_uri, "/{Bucket}/{Key+}");
  const Member* body = put_object->input->FindMember("Body");
  ASSERT_NE(body, nullptr);
  EXPECT_TRUE(body->streaming);
}

TEST(ModelTest, S3ListObjectsV2PaginatorIsNormalisedToLists) {
  const ServiceModel* s3 = Model("s3");
  ASSERT_NE(s3, nullptr);
  const PaginatorConfig* p = s3->FindPaginator("ListObjectsV2");
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(p->input_token, ElementsAre("ContinuationToken"));
  EXPECT_THAT(p->output_token, ElementsAre("NextContinuationToken"));
  EXPECT_THAT(p->result_key, ElementsAre("Contents", "CommonPrefixes"));
  EXPECT_EQ(p->limit_key, "MaxKeys");
  EXPECT_EQ(p->more_results, "IsTruncated");
  EXPECT_EQ(s3->FindPaginator("PutObject"), nullptr);
}

TEST(ModelTest, S3ControlPutPublicAccessBlockHasHostPrefixLabel) {
  const ServiceModel* s3control_ptr = Model("s3control");
  ASSERT_NE(s3control_ptr, nullptr);
  const ServiceModel& s3control = *s3control_ptr;
  EXPECT_EQ(s3control.metadata().signing_name, "s3");
  EXPECT_EQ(s3control.metadata().endpoint_prefix, "s3-control");
  const Operation* op = s3control.FindOperation("PutPublicAccessBlock");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->host_prefix, "{AccountId}.");
  EXPECT_EQ(op->http_method, "PUT");
  ASSERT_NE(op->input, nullptr);
  const Member* account = op->input->FindMember("AccountId");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->location, "header");
  EXPECT_EQ(account->location_name, "x-amz-account-id");
  EXPECT_TRUE(account->host_label);
}

TEST(ModelTest, OperationHttpBindings) {
  struct Case {
    std::string service;
    std::string operation;
    std::string protocol;
    std::string method;
    std::string uri;
  };
  const std::vector<Case> cases = {
      {"securityhub", "BatchUpdateFindings", "rest-json", "PATCH", "/findings/batchupdate"},
      {"lambda", "RemovePermission", "rest-json", "DELETE",
       "/2015-03-31/functions/{FunctionName}/policy/{StatementId}"},
      {"sts", "AssumeRole", "query", "POST", "/"},
      {"dynamodb", "GetItem", "json", "POST", "/"},
      {"s3", "HeadBucket", "rest-xml", "HEAD", "/{Bucket}"},
      {"iam", "ListUsers", "query", "POST", "/"},
      // cloudwatch lists smithy-rpc-v2-cbor first; like botocore asr resolves it to json.
      {"cloudwatch", "PutMetricAlarm", "json", "POST", "/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.service + " " + c.operation);
    const ServiceModel* m_ptr = Model(c.service);
    ASSERT_NE(m_ptr, nullptr);
    const ServiceModel& m = *m_ptr;
    EXPECT_EQ(m.metadata().protocol, c.protocol);
    const Operation* op = m.FindOperation(c.operation);
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->http_method, c.method);
    EXPECT_EQ(op->request_uri, c.uri);
  }
}

TEST(ModelTest, LambdaRemovePermissionMemberLocations) {
  const Operation* op = FindOperation("lambda", "RemovePermission");
  ASSERT_NE(op, nullptr);
  ASSERT_NE(op->input, nullptr);
  struct Case {
    std::string member;
    std::string location;
  };
  const std::vector<Case> cases = {
      {"FunctionName", "uri"},
      {"StatementId", "uri"},
      {"Qualifier", "querystring"},
      {"RevisionId", "querystring"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.member);
    const Member* m = op->input->FindMember(c.member);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->location, c.location);
    EXPECT_EQ(m->location_name, c.member);
  }
}

TEST(ModelTest, ServiceMetadata) {
  struct Case {
    std::string service;
    std::string json_version;
    std::string target_prefix;
    std::string signing_name;
    std::string global_endpoint;
    bool aws_query_compatible;
  };
  const std::vector<Case> cases = {
      {"dynamodb", "1.0", "DynamoDB_20120810", "dynamodb", "", false},
      {"logs", "1.1", "Logs_20140328", "logs", "", false},
      {"sqs", "1.0", "AmazonSQS", "sqs", "", true},
      {"cloudwatch", "1.0", "GraniteServiceVersion20100801", "monitoring", "", true},
      {"iam", "", "", "iam", "iam.amazonaws.com", false},
      {"sts", "", "", "sts", "sts.amazonaws.com", false},
      {"ecr", "1.1", "AmazonEC2ContainerRegistry_V20150921", "ecr", "", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.service);
    const ServiceModel* model = Model(c.service);
    ASSERT_NE(model, nullptr);
    const ServiceMetadata& md = model->metadata();
    EXPECT_EQ(md.json_version, c.json_version);
    EXPECT_EQ(md.target_prefix, c.target_prefix);
    EXPECT_EQ(md.signing_name, c.signing_name);
    EXPECT_EQ(md.global_endpoint, c.global_endpoint);
    EXPECT_EQ(md.aws_query_compatible, c.aws_query_compatible);
  }
  const ServiceModel* ecr = Model("ecr");
  ASSERT_NE(ecr, nullptr);
  EXPECT_EQ(ecr->metadata().endpoint_prefix, "api.ecr");
  const ServiceModel* iam = Model("iam");
  ASSERT_NE(iam, nullptr);
  EXPECT_EQ(iam->metadata().xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
}

TEST(ModelTest, StsQueryTraits) {
  const ServiceModel* sts_ptr = Model("sts");
  ASSERT_NE(sts_ptr, nullptr);
  const ServiceModel& sts = *sts_ptr;
  const Operation* assume = sts.FindOperation("AssumeRole");
  ASSERT_NE(assume, nullptr);
  EXPECT_EQ(assume->result_wrapper, "AssumeRoleResult");
  EXPECT_EQ(assume->auth_type, "");
  ASSERT_FALSE(assume->errors.empty());
  const Shape* malformed = assume->errors.front();
  EXPECT_EQ(malformed->name, "MalformedPolicyDocumentException");
  EXPECT_TRUE(malformed->exception);
  EXPECT_EQ(malformed->error_code, "MalformedPolicyDocument");
  EXPECT_EQ(malformed->error_http_status, 400);
  const Operation* web = sts.FindOperation("AssumeRoleWithWebIdentity");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->auth_type, "none");
  const Shape* creds = sts.FindShape("Credentials");
  ASSERT_NE(creds, nullptr);
  const Member* secret = creds->FindMember("SecretAccessKey");
  ASSERT_NE(secret, nullptr);
  ASSERT_NE(secret->shape, nullptr);
  EXPECT_TRUE(secret->shape->sensitive);
}

TEST(ModelTest, ShapeTraits) {
  const Shape* run = FindShape("ec2", "RunInstancesRequest");
  ASSERT_NE(run, nullptr);
  const Member* client_token = run->FindMember("ClientToken");
  ASSERT_NE(client_token, nullptr);
  EXPECT_TRUE(client_token->idempotency_token);

  const Shape* attrs = FindShape("sqs", "MessageAttributeValue");
  ASSERT_NE(attrs, nullptr);
  const Member* list = attrs->FindMember("StringListValues");
  ASSERT_NE(list, nullptr);
  EXPECT_TRUE(list->flattened);  // member-level
  const Shape* create_queue = FindShape("sqs", "CreateQueueRequest");
  ASSERT_NE(create_queue, nullptr);
  const Member* queue_tags = create_queue->FindMember("tags");
  ASSERT_NE(queue_tags, nullptr);
  EXPECT_TRUE(queue_tags->flattened);  // shape-level, on TagMap

  const Shape* ts = FindShape("securityhub", "Timestamp");
  ASSERT_NE(ts, nullptr);
  EXPECT_EQ(ts->type, ShapeType::kTimestamp);
  EXPECT_EQ(ts->timestamp_format, "iso8601");

  const Shape* options = FindShape("securityhub", "ConfigurationOptions");
  ASSERT_NE(options, nullptr);
  EXPECT_TRUE(options->union_);

  const Shape* sse = FindShape("dynamodb", "SSEType");
  ASSERT_NE(sse, nullptr);
  EXPECT_THAT(sse->enum_values, ElementsAre("AES256", "KMS"));

  const Shape* tags = FindShape("sqs", "TagMap");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->type, ShapeType::kMap);
  EXPECT_EQ(tags->key.name, "key");
  EXPECT_EQ(tags->value.name, "value");
}

TEST(ModelTest, RecursiveShapesPointAtThemselves) {
  auto model = ServiceModel::Parse("test", R"({
    "metadata": {"protocol": "json", "endpointPrefix": "test"},
    "operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                          "input": {"shape": "Node"}}},
    "shapes": {
      "Node": {"type": "structure", "members": {"Children": {"shape": "Nodes"},
                                                "Name": {"shape": "S"}}},
      "Nodes": {"type": "list", "member": {"shape": "Node"}},
      "S": {"type": "string"}
    }})");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const Shape* node = (*model)->FindShape("Node");
  ASSERT_NE(node, nullptr);
  ASSERT_EQ(node->members.size(), 2U);
  EXPECT_EQ(node->members[0].name, "Children");
  ASSERT_NE(node->members[0].shape, nullptr);
  EXPECT_EQ(node->members[0].shape->member.shape, node);
  EXPECT_EQ((*model)->FindOperation("Op")->input, node);
  EXPECT_EQ((*model)->metadata().signing_name, "test");
  EXPECT_EQ((*model)->FindOperation("Nope"), nullptr);
  EXPECT_EQ((*model)->FindShape("Nope"), nullptr);
}

TEST(ModelTest, ParseErrorsAreInvalidArgumentAndNameTheProblem) {
  struct Case {
    std::string name;
    std::string json;
    std::string want;  // substring of the message
  };
  const std::vector<Case> cases = {
      {"malformed", R"({"metadata": )", "malformed JSON"},
      {"not an object", R"([1, 2])", "must be a JSON object"},
      {"no metadata", R"({"operations": {}, "shapes": {}})", "\"metadata\" is missing"},
      {"no protocol", R"({"metadata": {"apiVersion": "x"}, "operations": {}, "shapes": {}})",
       "metadata: \"protocol\" is missing"},
      {"unsupported protocol",
       R"({"metadata": {"protocol": "smithy-rpc-v2-cbor"}, "operations": {}, "shapes": {}})",
       "no supported protocol"},
      {"protocol not a string", R"({"metadata": {"protocol": 3}, "operations": {}, "shapes": {}})",
       "\"protocol\" must be a string"},
      {"dangling member",
       R"({"metadata": {"protocol": "json"}, "operations": {},
           "shapes": {"A": {"type": "structure", "members": {"B": {"shape": "Missing"}}}}})",
       "shape A, member B: references unknown shape \"Missing\""},
      {"dangling list member",
       R"({"metadata": {"protocol": "json"}, "operations": {},
           "shapes": {"L": {"type": "list", "member": {"shape": "Gone"}}}})",
       "shape L, member: references unknown shape \"Gone\""},
      {"dangling input",
       R"({"metadata": {"protocol": "json"}, "shapes": {},
           "operations": {"Op": {"input": {"shape": "OpRequest"}}}})",
       "operation Op, input: references unknown shape \"OpRequest\""},
      {"dangling error",
       R"({"metadata": {"protocol": "json"}, "shapes": {},
           "operations": {"Op": {"errors": [{"shape": "Oops"}]}}})",
       "operation Op, errors: references unknown shape \"Oops\""},
      {"map without value",
       R"({"metadata": {"protocol": "json"}, "operations": {},
           "shapes": {"M": {"type": "map", "key": {"shape": "M"}}}})",
       "shape M: \"value\" is missing"},
      {"unknown type",
       R"({"metadata": {"protocol": "json"}, "operations": {},
           "shapes": {"X": {"type": "character"}}})",
       R"(shape X: unsupported "type" "character")"},
      {"payload not a member",
       R"({"metadata": {"protocol": "rest-xml"}, "operations": {},
           "shapes": {"X": {"type": "structure", "members": {}, "payload": "Body"}}})",
       R"(shape X: "payload" names "Body")"},
      {"paginator for unknown operation",
       R"({"metadata": {"protocol": "json"}, "operations": {}, "shapes": {},
           "paginators": {"ListThings": {"input_token": "A", "output_token": "B"}}})",
       "paginator \"ListThings\" is for an unknown operation"},
      {"paginator token type",
       R"({"metadata": {"protocol": "json"}, "shapes": {}, "operations": {"L": {}},
           "paginators": {"L": {"input_token": 1, "output_token": "B"}}})",
       "paginator L: \"input_token\" must be a list of strings"},
      {"waiter for unknown operation",
       R"({"metadata": {"protocol": "json"}, "operations": {}, "shapes": {},
           "waiters": {"Ready": {"operation": "Describe"}}})",
       R"(waiter "Ready" must name a known "operation")"},
      {"bool trait type",
       R"({"metadata": {"protocol": "json"}, "operations": {},
           "shapes": {"S": {"type": "string", "sensitive": "yes"}}})",
       "shape S: \"sensitive\" must be a boolean"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto model = ServiceModel::Parse("svc", c.json);
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(model.status().message(), HasSubstr(c.want));
    EXPECT_THAT(model.status().message(), HasSubstr("\"svc\""));
  }
}

TEST(ModelTest, PaginatorTokensAcceptStringsOrLists) {
  auto model = ServiceModel::Parse("svc", R"({
    "metadata": {"protocol": "json"}, "shapes": {}, "operations": {"L": {}},
    "paginators": {"L": {"input_token": ["A", "B"], "output_token": "C", "result_key": "R",
                         "limit_key": "Max"}}})");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const PaginatorConfig* p = (*model)->FindPaginator("L");
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(p->input_token, ElementsAre("A", "B"));
  EXPECT_THAT(p->output_token, ElementsAre("C"));
  EXPECT_THAT(p->result_key, ElementsAre("R"));
  EXPECT_EQ(p->limit_key, "Max");
  EXPECT_EQ(p->more_results, "");
}

// Runs tools/extract_models.py with `args`; returns its exit code (-1 if it didn't exit).
int RunExtractor(const std::string& args) {
  const std::string command = std::string(ASR_PYTHON3_EXECUTABLE) + " " + ASR_SOURCE_DIR +
                              "/tools/extract_models.py " + args + " 2>&1";
  // The tests run on one thread; std::system is safe here.
  const int status = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe)
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Flags that make the tool read `list` and write (or --check) `dir`.
std::string ExtractorFlags(const std::string& list, const std::string& dir) {
  std::string flags = "--list ";
  flags.append(list).append(" --out ").append(dir);
  return flags;
}

TEST(ExtractModelsToolTest, RejectsBadListsWithExitCodeTwo) {
  struct Case {
    std::string name;
    std::string list;
    int want;
  };
  const std::vector<Case> cases = {
      {"valid", "sts: GetCallerIdentity\n", 0},
      {"unknown operation", "sts: GetCallerIdentity NoSuchOperation\n", 2},
      {"IAM action name", "s3: PutEncryptionConfiguration\n", 2},
      {"unknown service", "no-such-service: Foo\n", 2},
      {"service twice", "sts: GetCallerIdentity\nsts: AssumeRole\n", 2},
      {"no operations", "sts:\n", 2},
      {"malformed line", "sts GetCallerIdentity\n", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir =
        ::testing::TempDir() + "extract_models_" + std::to_string(&c - cases.data());
    const std::string list = dir + ".txt";
    std::ofstream(list) << c.list;
    const std::string flags = ExtractorFlags(list, dir);
    EXPECT_EQ(RunExtractor(flags), c.want);
    if (c.want == 0) {
      // What was just generated is up to date.
      EXPECT_EQ(RunExtractor(flags + " --check"), 0);
    }
  }
}

TEST(ExtractModelsToolTest, CheckFailsOnAChangedOrUnlistedModel) {
  const std::string dir = ::testing::TempDir() + "extract_models_stale";
  const std::string list = dir + ".txt";
  std::ofstream(list) << "sts: GetCallerIdentity\n";
  const std::string flags = ExtractorFlags(list, dir);
  ASSERT_EQ(RunExtractor(flags), 0);
  std::ofstream(dir + "/sts.json", std::ios::app) << " ";
  EXPECT_EQ(RunExtractor(flags + " --check"), 1);
  ASSERT_EQ(RunExtractor(flags), 0);
  EXPECT_EQ(RunExtractor(flags + " --check"), 0);
  std::ofstream(dir + "/extra.json") << "{}";
  EXPECT_EQ(RunExtractor(flags + " --check"), 1);
  ASSERT_EQ(RunExtractor(flags), 0);  // removes extra.json
  EXPECT_EQ(RunExtractor(flags + " --check"), 0);
}

TEST(ModelTest, CommittedModelsMatchInstalledBotocore) {
  EXPECT_EQ(RunExtractor("--check"), 0)
      << "models/ is out of date: run python3 tools/extract_models.py";
}

}  // namespace
}  // namespace asr::aws
