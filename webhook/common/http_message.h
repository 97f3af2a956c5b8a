// Transport-neutral HTTP request/response structs. Handlers (admission, ledger API,
// health) take and return these and never see Beast or sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace migwarden {

struct HttpRequest {
  std::string method;  // "POST"
  std::string path;    // "/validate" (no query)
  std::string query;   // "timeout=10s" (without '?')
  // Header names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remoteAddress;

  // First header with this (lower-case) name, or "" when absent.
  std::string_view header(std::string_view lowerName) const {
    for (const auto& [k, v] : headers)
      if (k == lowerName) return v;
    return {};
  }
  bool hasHeader(std::string_view lowerName) const {
    for (const auto& [k, v] : headers)
      if (k == lowerName) return true;
    return false;
  }
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After, ...)

  static HttpResponse json(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.contentType = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
  }
  // {"error":{"code":400,"reason":"BadRequest","message":"..."}}: the one error body shape.
  static HttpResponse error(int status, std::string_view reason, std::string_view message);
};

}  // namespace migwarden
