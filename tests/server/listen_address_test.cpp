#include <boost/asio/ip/address.hpp>
#include <gtest/gtest.h>

#include "webhook/server/listener.h"

namespace migwarden::server {
namespace {

TEST(ListenAddress, ParsesIpv4HostAndPort) {
  auto a = parseListenAddress("127.0.0.1:8443");
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8443);
}

TEST(ListenAddress, ParsesBracketedIpv6AndPortZero) {
  auto a = parseListenAddress("[::1]:0");
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
}

TEST(ListenAddress, LocalhostMeansLoopback) {
  auto a = parseListenAddress("localhost:1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
}

TEST(ListenAddress, RejectsMalformedInputWithAReason) {
  for (const char* bad : {"8443", ":8443", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x", "::1:80",
                          "[::1]80", "example.com:80"}) {
    auto a = parseListenAddress(bad);
    EXPECT_FALSE(a.ok()) << bad;
    if (!a.ok()) {
      EXPECT_NE(a.status().message().find(bad), std::string::npos) << a.status().message();
    }
  }
}

TEST(ListenAddress, FormatsEndpointsForTheListeningLine) {
  boost::asio::ip::tcp::endpoint v4(boost::asio::ip::make_address("127.0.0.1"), 43127);
  boost::asio::ip::tcp::endpoint v6(boost::asio::ip::make_address("::1"), 8443);
  EXPECT_EQ(formatEndpoint(v4), "127.0.0.1:43127");
  EXPECT_EQ(formatEndpoint(v6), "[::1]:8443");
}

}  // namespace
}  // namespace migwarden::server
