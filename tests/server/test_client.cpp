#include "tests/server/test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <openssl/x509.h>

namespace migwarden::testing {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using boost::system::error_code;

TestTlsClient::TestTlsClient(uint16_t port, const std::string& caPem, const TestCert* clientCert)
    : port_(port), ctx_(net::ssl::context::tls_client) {
  ctx_.add_certificate_authority(net::buffer(caPem));
  ctx_.set_verify_mode(net::ssl::verify_peer);
  if (clientCert != nullptr) {
    ctx_.use_certificate_chain(net::buffer(clientCert->certPem));
    ctx_.use_private_key(net::buffer(clientCert->keyPem), net::ssl::context::pem);
  }
}

template <class Start>
error_code TestTlsClient::run(Start start, std::chrono::milliseconds timeout) {
  std::optional<error_code> result;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc_.restart();
  ioc_.run_for(timeout);
  if (!result) {
    beast::get_lowest_layer(*stream_).close();
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(1));
    return net::error::timed_out;
  }
  return *result;
}

error_code TestTlsClient::connect() {
  stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ctx_);
  buffer_.clear();
  SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
  net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port_);
  error_code ec = run([&](auto handler) { beast::get_lowest_layer(*stream_).async_connect(ep, handler); });
  if (ec) return ec;
  return run([&](auto handler) { stream_->async_handshake(net::ssl::stream_base::client, handler); });
}

error_code TestTlsClient::request(const std::string& method, const std::string& target, const std::string& body,
                                  TestReply& reply) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "localhost");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  error_code ec = run([&](auto handler) { http::async_write(*stream_, req, handler); });
  if (ec) return ec;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  ec = run([&](auto handler) { http::async_read(*stream_, buffer_, parser, handler); });
  if (ec) return ec;
  auto res = parser.release();
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  reply.allow = std::string(res[http::field::allow]);
  reply.connection = std::string(res[http::field::connection]);
  return {};
}

error_code TestTlsClient::writeRaw(const std::string& bytes) {
  return run([&](auto handler) { net::async_write(*stream_, net::buffer(bytes), handler); });
}

bool TestTlsClient::waitForClose(std::chrono::milliseconds timeout) {
  char byte;
  error_code ec = run([&](auto handler) { stream_->async_read_some(net::buffer(&byte, 1), handler); }, timeout);
  return ec && ec != net::error::timed_out;
}

void TestTlsClient::close() {
  if (stream_) beast::get_lowest_layer(*stream_).close();
}

std::string TestTlsClient::peerCommonName() {
  X509* cert = SSL_get1_peer_certificate(stream_->native_handle());
  if (cert == nullptr) return "";
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

}  // namespace migwarden::testing
