#pragma once

#include <nlohmann/json.hpp>

#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/model.h"
#include "common/status.h"

namespace asr::aws {

// Model-driven wire protocols: query, ec2, json (1.0/1.1), rest-json, rest-xml. Parameters and
// results are JSON shaped like boto3's. Input timestamps: ISO 8601 strings or epoch seconds;
// input blobs: raw text (base64-encoded on the wire where the protocol needs it). Output
// timestamps: ISO 8601 UTC with "Z"; output blobs: base64 text.

// Validates `params` against the operation's input shape (unknown members, missing required
// members, wrong types → InvalidArgument naming the path, like boto3's ParamValidationError) and
// builds the unsigned HTTP request aimed at `endpoint` (scheme, host, base path; host prefixes;
// S3 path-style on custom endpoints and virtual-hosted style otherwise when the bucket name is
// DNS-compatible without dots; a CRC32 flexible checksum (x-amz-checksum-crc32) where the
// operation requires one, as botocore sends; host prefixes only on non-custom endpoints).
Result<HttpRequest> SerializeRequest(const ServiceModel& model, const Operation& op,
                                     const nlohmann::json& params, const Endpoint& endpoint);

// Parses a successful (2xx) response into boto3-shaped output (without ResponseMetadata).
Result<nlohmann::json> ParseResponse(const ServiceModel& model, const Operation& op,
                                     const HttpResponse& response);

// Turns an error response into a Status: code by HTTP status and AWS error code
// (AccessDenied* → PermissionDenied, throttling codes → Throttled, 5xx → Unavailable,
// *NotFound*/NoSuch* → NotFound, validation → InvalidArgument, conflicts → Conflict), carrying
// the AWS error code, message and request id. Retryability is decided by aws/retry.h.
Status ParseErrorResponse(const ServiceModel& model, const Operation& op,
                          const HttpResponse& response);

}  // namespace asr::aws
