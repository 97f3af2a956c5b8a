// A minimal HTTPS/1.1 client for in-process server tests (Beast over OpenSSL). Every
// operation runs with a deadline so a broken server fails the test instead of hanging.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/test_certs.h"

namespace migwarden::testing {

struct TestReply {
  int status = 0;
  std::string body;
  std::string allow;       // Allow header
  std::string connection;  // Connection header
};

class TestTlsClient {
 public:
  // Trusts `caPem`; presents `clientCert` when given.
  TestTlsClient(uint16_t port, const std::string& caPem, const TestCert* clientCert = nullptr);

  boost::system::error_code connect();  // TCP connect + TLS handshake
  boost::system::error_code request(const std::string& method, const std::string& target, const std::string& body,
                                    TestReply& reply);
  // Waits for the server to close the connection (true) or the timeout (false).
  bool waitForClose(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Closes the TCP connection without a TLS close_notify.
  void close();
  // The server certificate's subject common name.
  std::string peerCommonName();
  // Writes raw bytes on the TLS stream (for slowloris-style tests).
  boost::system::error_code writeRaw(const std::string& bytes);

 private:
  template <class Start>
  boost::system::error_code run(Start start, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  uint16_t port_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace migwarden::testing
