#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/http.h"
#include "common/status.h"

namespace asr::aws {

// How the payload is represented in the signature.
enum class PayloadSigning {
  kSigned,    // hash of the body
  kUnsigned,  // "UNSIGNED-PAYLOAD" (S3 over TLS, presigned URLs)
};

// How the request path enters the canonical request, and the service-family rules that go
// with it.
enum class PathStyle {
  // Every service but S3: dot segments and empty segments removed, then the (already encoded)
  // path percent-encoded once more ("double encoding"), as botocore's SigV4Auth.
  kNormalize,
  // S3 (and s3control) sign the path as sent, without normalising or double-encoding it, and
  // always send x-amz-content-sha256; their presigned URLs sign UNSIGNED-PAYLOAD.
  kS3,
  // The path as sent, like kS3, but none of S3's other rules (the "*-unnormalized" vectors of
  // the aws-c-auth suite).
  kAsSent,
};

// Whether X-Amz-Security-Token is covered by the signature. botocore signs it, and every current
// service accepts that; kUnsigned adds it after signing (an older convention, kept for the test
// vectors "post-sts-header-after").
enum class SessionTokenSigning { kSigned, kUnsigned };

// Whether the payload hash is sent (and signed) as x-amz-content-sha256. kAuto does what botocore
// does: always for PathStyle::kS3, and for other services only when the payload is unsigned.
// kAdd sends it always. Presigned URLs never carry it.
enum class ContentSha256Header { kAuto, kAdd };

struct SigningParams {
  std::string service;                         // signing name, e.g. "s3", "ec2", "securityhub"
  std::string region;                          // signing region, e.g. "us-east-1"
  std::chrono::system_clock::time_point time;  // truncated to whole seconds
  // As botocore, presigned URLs of services other than S3 sign the payload over plain http even
  // when kUnsigned is asked for.
  PayloadSigning payload = PayloadSigning::kSigned;
  PathStyle path_style = PathStyle::kNormalize;
  SessionTokenSigning session_token = SessionTokenSigning::kSigned;
  ContentSha256Header content_sha256 = ContentSha256Header::kAuto;
};

// Adds X-Amz-Date, X-Amz-Security-Token (when the credentials have a token),
// x-amz-content-sha256 (S3 style) and Authorization to `request`, replacing earlier values of
// those headers so that a retry can be signed again. Signs every header present on the request
// (except hop-by-hop and user-agent-like headers that proxies rewrite: see sigv4.cc), plus host:
// the Host header when the request has one, otherwise `request.host` without the scheme's default
// port. Errors: InvalidArgument for empty credentials, service, region or host.
Status SignRequest(HttpRequest& request, const Credentials& credentials,
                   const SigningParams& params);

// Returns the URL with the X-Amz-* query parameters of a presigned request valid for `expires`
// (1 s .. 7 days), as botocore's SigV4QueryAuth / S3SigV4QueryAuth build it: the request's own
// query first, then X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
// [-Security-Token], -Signature. Signs host and the request's headers (normally none);
// PathStyle::kS3 signs UNSIGNED-PAYLOAD. The URL is a bearer credential: never log it.
// Errors: as SignRequest, and InvalidArgument for `expires` out of range.
Result<std::string> PresignUrl(const HttpRequest& request, const Credentials& credentials,
                               const SigningParams& params, std::chrono::seconds expires);

// The intermediate products, exposed for the test vectors and for debugging signatures.
struct SigningArtifacts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value (header signing only)
  std::string presigned_url;  // ComputePresignedUrl only
};
// What SignRequest computes for `request`, without changing it.
Result<SigningArtifacts> ComputeSignature(const HttpRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params);
// What PresignUrl computes, with the intermediates.
Result<SigningArtifacts> ComputePresignedUrl(const HttpRequest& request,
                                             const Credentials& credentials,
                                             const SigningParams& params,
                                             std::chrono::seconds expires);

}  // namespace asr::aws
