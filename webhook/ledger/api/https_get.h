// One-shot HTTPS requests: GET for tools (`migwardenctl ledger show --server`) and any
// method with a body for the node agent (`PUT /ledger/v1/nodes/{node}`). Verifies the
// server certificate (against a CA file or the system roots) and its host name, sends a
// Bearer token, and bounds the whole exchange with one deadline. Beast and OpenSSL stay
// inside the .cpp. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <string>

#include "webhook/common/status.h"

namespace migwarden::ledger {

struct HttpsGetRequest {
  std::string server;       // "https://host[:port]" (port 443 by default); IPv6 as [::1]
  std::string path;         // "/ledger/v1/nodes"
  std::string bearerToken;  // sent as Authorization: Bearer ...; never logged
  std::string caFile;       // PEM trust anchors; empty: the system's default roots
  std::chrono::milliseconds timeout{10'000};
  size_t maxBodyBytes = 64 * 1024 * 1024;
};

struct HttpsGetResponse {
  int status = 0;
  std::string body;
};

// InvalidArgument for a bad URL or CA file; Unavailable when the server cannot be
// reached, the TLS handshake or verification fails, or the deadline passes. Any HTTP
// status is a successful result.
Result<HttpsGetResponse> httpsGet(const HttpsGetRequest& request);

// Any method, with an optional body (sent with `contentType` when non-empty). The
// target, token, CA file and deadline mean the same as for httpsGet.
struct HttpsRequest {
  std::string method = "GET";  // "GET", "PUT", "POST", ...
  HttpsGetRequest target;
  std::string body;
  std::string contentType = "application/json";
  std::string userAgent = "migwardenctl";
};

// Same errors as httpsGet; an unknown method is InvalidArgument.
Result<HttpsGetResponse> httpsRequest(const HttpsRequest& request);

}  // namespace migwarden::ledger
