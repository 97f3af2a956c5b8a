#include "webhook/server/router.h"

#include <algorithm>

namespace migwarden::server {
namespace {
constexpr std::string_view kOtherLabel = "other";
}  // namespace

void Router::add(std::string method, std::string path, Handler handler) {
  std::string label = path;
  routes_.push_back(Route{std::move(method), std::move(path), std::move(label), false, std::move(handler)});
}

void Router::addPrefix(std::string method, std::string prefix, Handler handler) {
  std::string label = prefix + "*";
  routes_.push_back(Route{std::move(method), std::move(prefix), std::move(label), true, std::move(handler)});
}

bool Router::matches(const Route& route, std::string_view path) const {
  return route.prefix ? path.starts_with(route.pattern) : path == route.pattern;
}

std::vector<const Router::Route*> Router::candidates(std::string_view path) const {
  std::vector<const Route*> exact;
  for (const auto& r : routes_)
    if (!r.prefix && matches(r, path)) exact.push_back(&r);
  if (!exact.empty()) return exact;

  size_t best = 0;
  for (const auto& r : routes_)
    if (r.prefix && matches(r, path)) best = std::max(best, r.pattern.size());
  std::vector<const Route*> out;
  for (const auto& r : routes_)
    if (r.prefix && r.pattern.size() == best && matches(r, path)) out.push_back(&r);
  return out;
}

std::string_view Router::pathLabel(std::string_view path) const {
  auto found = candidates(path);
  return found.empty() ? kOtherLabel : std::string_view(found.front()->label);
}

RoutedResponse Router::dispatch(const HttpRequest& request) const {
  auto found = candidates(request.path);
  if (found.empty()) {
    return {HandlerResult{HttpResponse::error(404, "NotFound", "no route for " + request.path), "none"},
            kOtherLabel};
  }
  std::string_view label = found.front()->label;
  for (const Route* r : found)
    if (r->method == request.method) return {r->handler(request), label};

  std::string allow;
  for (const Route* r : found) {
    if (!allow.empty()) allow += ", ";
    allow += r->method;
  }
  HttpResponse http = HttpResponse::error(405, "MethodNotAllowed",
                                          "method " + request.method + " is not allowed on " + request.path +
                                              " (allowed: " + allow + ")");
  http.headers.emplace_back("Allow", allow);
  return {HandlerResult{std::move(http), "none"}, label};
}

}  // namespace migwarden::server
