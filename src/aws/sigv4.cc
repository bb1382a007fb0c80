#include "aws/sigv4.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "aws/crypto.h"
#include "aws/internal/sigv4_canonical.h"
#include "common/strings.h"

// AWS Signature Version 4, following botocore's SigV4Auth / S3SigV4Auth (header signing) and
// SigV4QueryAuth / S3SigV4QueryAuth (presigned URLs), so that a request we sign carries what boto3
// would send (sigv4_test.cc checks this against the installed botocore). Deliberate differences,
// all outside what botocore itself produces: query keys and values are brought to the RFC 3986
// encoding before sorting (as the services do when they verify), an Authorization header is never
// signed, and presigning neither drops a form Content-Type nor moves a form body into the query.

namespace asr::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

Status Validate(const HttpRequest& request, const Credentials& credentials,
                const SigningParams& params) {
  if (credentials.access_key_id.empty()) {
    return InvalidArgumentError("sigv4: credentials have an empty access key id");
  }
  if (credentials.secret_access_key.empty()) {
    return InvalidArgumentError("sigv4: credentials have an empty secret access key");
  }
  if (params.service.empty()) {
    return InvalidArgumentError(R"(sigv4: signing service name is empty (e.g. "s3", "ec2"))");
  }
  if (params.region.empty()) {
    return InvalidArgumentError(R"(sigv4: signing region is empty (e.g. "us-east-1"))");
  }
  if (request.host.empty() && request.FindHeader("host") == nullptr) {
    return InvalidArgumentError("sigv4: request has no host");
  }
  return Status::Ok();
}

// The headers to sign, lower-cased, sorted by name (values of one name keep their order), with
// host added from the request when there is no Host header.
HeaderList HeadersToSign(const HttpRequest& request) {
  HeaderList headers;
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    std::string lower = AsciiLower(TrimAscii(name));
    if (IsUnsignableHeader(lower)) {
      continue;
    }
    has_host = has_host || lower == "host";
    headers.emplace_back(std::move(lower), value);
  }
  if (!has_host) {
    headers.emplace_back("host", HostHeaderValue(request.scheme, request.host));
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return headers;
}

std::string SignedHeaderNames(const HeaderList& headers) {
  std::string out;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      continue;
    }
    if (!out.empty()) {
      out += ';';
    }
    out += headers[i].first;
  }
  return out;
}

// "name:v1,v2\n" per distinct name, values trimmed.
std::string CanonicalHeaders(const HeaderList& headers) {
  std::string out;
  for (size_t i = 0; i < headers.size(); ++i) {
    const bool continues = i > 0 && headers[i].first == headers[i - 1].first;
    if (continues) {
      out += ',';
    } else {
      if (i > 0) {
        out += '\n';
      }
      out += headers[i].first;
      out += ':';
    }
    out += TrimAll(headers[i].second);
  }
  out += '\n';
  return out;
}

std::string CredentialScope(const std::string& amz_date, const SigningParams& params) {
  return amz_date.substr(0, 8) + "/" + params.region + "/" + params.service + "/aws4_request";
}

// Fills canonical_request, string_to_sign and signature.
SigningArtifacts Sign(const HttpRequest& request, const HeaderList& headers,
                      const std::string& canonical_query, const std::string& payload_hash,
                      const std::string& amz_date, const Credentials& credentials,
                      const SigningParams& params) {
  SigningArtifacts out;
  out.canonical_request = AsciiUpper(request.method) + "\n" +
                          CanonicalUri(request.path, params.path_style) + "\n" + canonical_query +
                          "\n" + CanonicalHeaders(headers) + "\n" + SignedHeaderNames(headers) +
                          "\n" + payload_hash;
  const std::string scope = CredentialScope(amz_date, params);
  out.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" +
                       Sha256Hex(out.canonical_request);
  const std::string k_date =
      HmacSha256("AWS4" + credentials.secret_access_key, amz_date.substr(0, 8));
  const std::string k_region = HmacSha256(k_date, params.region);
  const std::string k_service = HmacSha256(k_region, params.service);
  const std::string k_signing = HmacSha256(k_service, "aws4_request");
  out.signature = HexLower(HmacSha256(k_signing, out.string_to_sign));
  return out;
}

// The payload hash of a presigned URL for services other than S3 (botocore's SigV4Auth.payload):
// UNSIGNED-PAYLOAD only over https, and an x-amz-content-sha256 header the caller set wins.
std::string PresignPayloadHash(const HttpRequest& request, const SigningParams& params) {
  if (params.payload == PayloadSigning::kUnsigned && EqualsIgnoreCase(request.scheme, "https")) {
    return std::string(kUnsignedPayload);
  }
  if (const std::string* given = request.FindHeader("x-amz-content-sha256")) {
    return *given;
  }
  return Sha256Hex(request.body);
}

// Sets the headers header signing adds, as botocore's _modify_request_before_signing does, and
// returns the payload hash to sign.
std::string PrepareForHeaderSigning(HttpRequest& request, const Credentials& credentials,
                                    const SigningParams& params, const std::string& amz_date) {
  request.RemoveHeader("Authorization");
  request.SetHeader("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    if (params.session_token == SessionTokenSigning::kSigned) {
      request.SetHeader("X-Amz-Security-Token", credentials.session_token);
    } else {
      request.RemoveHeader("X-Amz-Security-Token");
    }
  }
  std::string payload_hash;
  bool add_header =
      params.path_style == PathStyle::kS3 || params.content_sha256 == ContentSha256Header::kAdd;
  if (params.payload == PayloadSigning::kUnsigned) {
    // botocore sends the header for every service when the payload is unsigned.
    payload_hash = std::string(kUnsignedPayload);
    add_header = true;
  } else {
    // botocore signs a caller-provided x-amz-content-sha256 as the payload hash, unless it sets
    // the header itself.
    const std::string* given = add_header ? nullptr : request.FindHeader("x-amz-content-sha256");
    payload_hash = given != nullptr ? *given : Sha256Hex(request.body);
  }
  if (add_header) {
    request.SetHeader("X-Amz-Content-SHA256", payload_hash);
  }
  return payload_hash;
}

// Signs `request` in place (headers added, Authorization set) and returns the intermediates.
Result<SigningArtifacts> SignInPlace(HttpRequest& request, const Credentials& credentials,
                                     const SigningParams& params) {
  ASR_RETURN_IF_ERROR(Validate(request, credentials, params));
  const std::string amz_date = FormatAmzDate(params.time);
  const std::string payload_hash = PrepareForHeaderSigning(request, credentials, params, amz_date);
  const HeaderList headers = HeadersToSign(request);
  SigningArtifacts out = Sign(request, headers, CanonicalQueryString(request.query, {}),
                              payload_hash, amz_date, credentials, params);
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      CredentialScope(amz_date, params) +
                      ", SignedHeaders=" + SignedHeaderNames(headers) +
                      ", Signature=" + out.signature;
  request.SetHeader("Authorization", out.authorization);
  if (!credentials.session_token.empty() &&
      params.session_token == SessionTokenSigning::kUnsigned) {
    request.SetHeader("X-Amz-Security-Token", credentials.session_token);
  }
  return out;
}

}  // namespace

Status SignRequest(HttpRequest& request, const Credentials& credentials,
                   const SigningParams& params) {
  return SignInPlace(request, credentials, params).status();
}

Result<SigningArtifacts> ComputeSignature(const HttpRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params) {
  HttpRequest copy = request;
  return SignInPlace(copy, credentials, params);
}

Result<SigningArtifacts> ComputePresignedUrl(const HttpRequest& request,
                                             const Credentials& credentials,
                                             const SigningParams& params,
                                             std::chrono::seconds expires) {
  ASR_RETURN_IF_ERROR(Validate(request, credentials, params));
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    return InvalidArgumentError("sigv4: presigned URL expiry of " +
                                std::to_string(expires.count()) +
                                " s is out of range (accepted: 1 to 604800 s, i.e. 7 days)");
  }
  // Unlike botocore's SigV4QueryAuth we keep a "application/x-www-form-urlencoded;
  // charset=utf-8" Content-Type in the signature (botocore drops the one its serializer adds; the
  // aws-c-auth vectors sign it), and we do not move a form body into the query: presign requests
  // without a body, as botocore's generate_presigned_url does.
  const std::string amz_date = FormatAmzDate(params.time);
  const HeaderList headers = HeadersToSign(request);
  HeaderList auth_params = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential",
       UriEncode(credentials.access_key_id + "/" + CredentialScope(amz_date, params))},
      {"X-Amz-Date", amz_date},
      {"X-Amz-Expires", std::to_string(expires.count())},
      {"X-Amz-SignedHeaders", UriEncode(SignedHeaderNames(headers))},
  };
  const bool has_token = !credentials.session_token.empty();
  if (has_token && params.session_token == SessionTokenSigning::kSigned) {
    auth_params.emplace_back("X-Amz-Security-Token", UriEncode(credentials.session_token));
  }
  const std::string payload_hash = params.path_style == PathStyle::kS3
                                       ? std::string(kUnsignedPayload)
                                       : PresignPayloadHash(request, params);
  SigningArtifacts out = Sign(request, headers, CanonicalQueryString(request.query, auth_params),
                              payload_hash, amz_date, credentials, params);

  std::string url = request.scheme + "://" + request.host + request.path + "?";
  if (!request.query.empty()) {
    url += request.query + "&";
  }
  for (const auto& [key, value] : auth_params) {
    url.append(key).append("=").append(value).append("&");
  }
  if (has_token && params.session_token == SessionTokenSigning::kUnsigned) {
    url += "X-Amz-Security-Token=" + UriEncode(credentials.session_token) + "&";
  }
  url += "X-Amz-Signature=" + out.signature;
  out.presigned_url = std::move(url);
  return out;
}

Result<std::string> PresignUrl(const HttpRequest& request, const Credentials& credentials,
                               const SigningParams& params, std::chrono::seconds expires) {
  ASR_ASSIGN_OR_RETURN(SigningArtifacts artifacts,
                       ComputePresignedUrl(request, credentials, params, expires));
  return std::move(artifacts.presigned_url);
}

}  // namespace asr::aws
