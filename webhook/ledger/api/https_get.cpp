#include "webhook/ledger/api/https_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <charconv>
#include <optional>

namespace migwarden::ledger {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

struct Endpoint {
  std::string host;  // without IPv6 brackets
  std::string port = "443";
};

Result<Endpoint> parseServer(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return Status::InvalidArgument("--server: must start with https://");
  std::string_view rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  Endpoint ep;
  std::string_view portText;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("--server: unterminated [IPv6] address");
    ep.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return Status::InvalidArgument("--server: expected :PORT after ]");
      portText = rest.substr(close + 2);
    }
  } else {
    const size_t colon = rest.rfind(':');
    ep.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) portText = rest.substr(colon + 1);
  }
  if (ep.host.empty()) return Status::InvalidArgument("--server: no host");
  if (!portText.empty() || rest.ends_with(':')) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535)
      return Status::InvalidArgument("--server: port must be 1-65535");
    ep.port = std::string(portText);
  }
  return ep;
}

// Runs one async operation on `ioc` until it completes or the deadline passes.
template <class Start>
error_code runWithDeadline(net::io_context& ioc, std::chrono::steady_clock::time_point deadline,
                           beast::ssl_stream<beast::tcp_stream>& stream, Start start) {
  std::optional<error_code> result;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_until(deadline);
  if (result) return *result;
  beast::get_lowest_layer(stream).close();  // cancels the operation
  ioc.restart();
  ioc.run();
  return net::error::timed_out;
}

Status unavailable(const std::string& what, const error_code& ec) {
  return Status::Unavailable(what + ": " + ec.message());
}

}  // namespace

Result<HttpsGetResponse> httpsGet(const HttpsGetRequest& request) {
  HttpsRequest get;
  get.target = request;
  return httpsRequest(get);
}

Result<HttpsGetResponse> httpsRequest(const HttpsRequest& full) {
  const HttpsGetRequest& request = full.target;
  const http::verb method = http::string_to_verb(full.method);
  if (method == http::verb::unknown) return Status::InvalidArgument("unknown HTTP method \"" + full.method + "\"");
  auto ep = parseServer(request.server);
  if (!ep.ok()) return ep.status();

  net::ssl::context ctx(net::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(net::ssl::verify_peer);
  error_code ec;
  if (request.caFile.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(request.caFile, ec);
  }
  if (ec) return Status::InvalidArgument("--cacert " + request.caFile + ": " + ec.message());

  net::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  stream.set_verify_callback(net::ssl::host_name_verification(ep->host));
  error_code ipEc;
  (void)net::ip::make_address(ep->host, ipEc);
  if (ipEc) SSL_set_tlsext_host_name(stream.native_handle(), ep->host.c_str());  // SNI for names only

  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  net::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(ep->host, ep->port, ec);
  if (ec) return unavailable("resolving " + ep->host, ec);
  const std::string where = ep->host + ":" + ep->port;
  ec = runWithDeadline(ioc, deadline, stream, [&](auto handler) {
    beast::get_lowest_layer(stream).async_connect(endpoints, handler);
  });
  if (ec) return unavailable("connecting to " + where, ec);
  ec = runWithDeadline(ioc, deadline, stream,
                       [&](auto handler) { stream.async_handshake(net::ssl::stream_base::client, handler); });
  if (ec) return unavailable("TLS handshake with " + where, ec);

  http::request<http::string_body> req{method, request.path, 11};
  req.set(http::field::host, ep->host);
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, full.userAgent);
  if (!request.bearerToken.empty()) req.set(http::field::authorization, "Bearer " + request.bearerToken);
  if (!full.body.empty() || method == http::verb::put || method == http::verb::post) {
    if (!full.contentType.empty()) req.set(http::field::content_type, full.contentType);
    req.body() = full.body;
    req.prepare_payload();
  }
  ec = runWithDeadline(ioc, deadline, stream, [&](auto handler) { http::async_write(stream, req, handler); });
  if (ec) return unavailable("sending the request to " + where, ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.maxBodyBytes);
  ec = runWithDeadline(ioc, deadline, stream, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
  if (ec) return unavailable("reading the answer from " + where, ec);

  // Best effort: the answer is complete, a failed close_notify changes nothing.
  (void)runWithDeadline(ioc, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)), stream,
                        [&](auto handler) { stream.async_shutdown(handler); });
  HttpsGetResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.body = std::move(parser.get().body());
  return response;
}

}  // namespace migwarden::ledger
