#include "webhook/server/listener.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

namespace migwarden::server {
namespace net = boost::asio;
using net::ip::tcp;
using boost::system::error_code;

Result<ListenAddress> parseListenAddress(std::string_view text) {
  auto bad = [&](std::string_view why) {
    std::string message = "\"";
    message.append(text).append("\": ").append(why).append(" (want HOST:PORT)");
    return Status::InvalidArgument(std::move(message));
  };
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("unterminated IPv6 address");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("IPv6 addresses need brackets");
  }
  if (host.empty()) return bad("missing host");
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc() || end != port.data() + port.size() || value > 65535)
    return bad("port must be a number from 0 to 65535");
  ListenAddress out;
  out.host = host == "localhost" ? "127.0.0.1" : std::string(host);
  error_code ec;
  net::ip::make_address(out.host, ec);
  if (ec) return bad("host must be an IP address or localhost");
  out.port = static_cast<uint16_t>(value);
  return out;
}

std::string formatEndpoint(const tcp::endpoint& endpoint) {
  auto addr = endpoint.address();
  std::string out;
  if (addr.is_v6()) out.append("[").append(addr.to_string()).append("]");
  else out.append(addr.to_string());
  out.append(":").append(std::to_string(endpoint.port()));
  return out;
}

Listener::Listener(net::io_context& ioc, AcceptHandler onAccept)
    : ioc_(ioc), strand_(net::make_strand(ioc)), acceptor_(strand_), backoff_(strand_), onAccept_(std::move(onAccept)) {}

Status Listener::bind(const ListenAddress& address) {
  error_code ec;
  tcp::endpoint endpoint(net::ip::make_address(address.host, ec), address.port);
  auto fail = [&](std::string_view step) {
    return Status::Unavailable("cannot " + std::string(step) + " " + address.host + ":" +
                               std::to_string(address.port) + ": " + ec.message());
  };
  if (ec) return fail("parse");
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  local_ = acceptor_.local_endpoint(ec);
  if (ec) return fail("read the address of");
  return Status::Ok();
}

tcp::endpoint Listener::localEndpoint() const { return local_; }

void Listener::start() {
  net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    error_code ignored;
    self->backoff_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand, so its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE/ENFILE/ENOBUFS: retry shortly rather than spin on a full descriptor table.
    spdlog::warn("accept on {} failed: {}", formatEndpoint(local_), ec.message());
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([self = shared_from_this()](error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  onAccept_(std::move(socket));
  do_accept();
}

}  // namespace migwarden::server
