#include "webhook/server/router.h"

#include <gtest/gtest.h>

namespace migwarden::server {
namespace {

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

Handler answer(std::string body) {
  return [body](const HttpRequest&) { return HandlerResult{HttpResponse::json(200, body), "allowed"}; };
}

TEST(Router, DispatchesAnExactRouteByMethodAndPath) {
  Router router;
  router.add("POST", "/validate", answer("v"));
  router.add("POST", "/mutate", answer("m"));
  auto routed = router.dispatch(request("POST", "/mutate"));
  EXPECT_EQ(routed.result.http.status, 200);
  EXPECT_EQ(routed.result.http.body, "m");
  EXPECT_EQ(routed.result.decision, "allowed");
  EXPECT_EQ(routed.pathLabel, "/mutate");
}

TEST(Router, UnknownPathIs404WithJsonErrorAndOtherLabel) {
  Router router;
  router.add("POST", "/validate", answer("v"));
  auto routed = router.dispatch(request("POST", "/validate/extra"));
  EXPECT_EQ(routed.result.http.status, 404);
  EXPECT_EQ(routed.result.http.contentType, "application/json");
  EXPECT_NE(routed.result.http.body.find("\"reason\":\"NotFound\""), std::string::npos);
  EXPECT_EQ(routed.pathLabel, "other");
}

TEST(Router, KnownPathWithWrongMethodIs405WithAllowHeader) {
  Router router;
  router.add("POST", "/validate", answer("v"));
  router.add("PUT", "/validate", answer("v"));
  auto routed = router.dispatch(request("GET", "/validate"));
  EXPECT_EQ(routed.result.http.status, 405);
  ASSERT_EQ(routed.result.http.headers.size(), 1u);
  EXPECT_EQ(routed.result.http.headers[0].first, "Allow");
  EXPECT_EQ(routed.result.http.headers[0].second, "POST, PUT");
  EXPECT_EQ(routed.pathLabel, "/validate");
}

TEST(Router, PrefixRoutesMatchLongestPrefixAndLabelWithStar) {
  Router router;
  router.addPrefix("GET", "/ledger/", answer("short"));
  router.addPrefix("GET", "/ledger/v1/", answer("long"));
  auto routed = router.dispatch(request("GET", "/ledger/v1/nodes/n1"));
  EXPECT_EQ(routed.result.http.body, "long");
  EXPECT_EQ(routed.pathLabel, "/ledger/v1/*");
  EXPECT_EQ(router.pathLabel("/ledger/x"), "/ledger/*");
}

TEST(Router, ExactRouteWinsOverPrefix) {
  Router router;
  router.addPrefix("GET", "/a/", answer("prefix"));
  router.add("GET", "/a/b", answer("exact"));
  EXPECT_EQ(router.dispatch(request("GET", "/a/b")).result.http.body, "exact");
}

TEST(Router, PathLabelIsBoundedToRoutes) {
  Router router;
  router.add("POST", "/validate", answer("v"));
  EXPECT_EQ(router.pathLabel("/validate"), "/validate");
  EXPECT_EQ(router.pathLabel("/random-123"), "other");
}

}  // namespace
}  // namespace migwarden::server
