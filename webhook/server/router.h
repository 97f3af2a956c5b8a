// Maps (method, path) to a handler. Handlers are plain functions of HttpRequest and know
// nothing about sockets or TLS. Unknown path -> 404, known path with another method ->
// 405 with an Allow header; both use HttpResponse::error's JSON shape.
//
// Exact routes ("/validate") are tried first, then prefix routes ("/ledger/v1/"), longest
// prefix first, so later issues can mount a whole API under one prefix.
//
// Thread-safety: build the router completely before the server starts; dispatch() is
// const and safe from every worker thread afterwards.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/http_message.h"
#include "webhook/common/metrics.h"

namespace migwarden::server {

struct HandlerResult {
  HttpResponse http;
  // Metrics label; admission handlers report "allowed", "denied" or "invalid".
  std::string decision = "none";
};

using Handler = std::function<HandlerResult(const HttpRequest&)>;

struct RoutedResponse {
  HandlerResult result;
  // Bounded-cardinality metrics label: the route's pattern, or "other".
  std::string_view pathLabel;
};

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers an exact path ("/validate").
  void add(std::string method, std::string path, Handler handler);
  // Registers every path starting with `prefix` ("/ledger/v1/"); the metrics label is
  // the prefix followed by "*".
  void addPrefix(std::string method, std::string prefix, Handler handler);

  RoutedResponse dispatch(const HttpRequest& request) const;

  // The metrics path label for a request path ("other" when no route matches).
  std::string_view pathLabel(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::string label;
    bool prefix = false;
    Handler handler;
  };
  bool matches(const Route& route, std::string_view path) const;
  // Routes whose pattern matches `path`, the best (exact, else longest prefix) group only.
  std::vector<const Route*> candidates(std::string_view path) const;

  std::vector<Route> routes_;
};

}  // namespace migwarden::server
