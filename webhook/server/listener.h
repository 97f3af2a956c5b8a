// Accepts TCP connections on one address and hands each socket (already bound to its
// own strand) to a callback. Accept errors such as EMFILE back off briefly instead of
// spinning.
//
// Thread-safety: start() and stop() may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <memory>
#include <string>

#include "webhook/common/status.h"

namespace migwarden::server {

struct ListenAddress {
  std::string host = "0.0.0.0";
  uint16_t port = 0;
};

// "HOST:PORT" or "[V6]:PORT"; HOST is an IP literal or "localhost". Port 0 = any.
Result<ListenAddress> parseListenAddress(std::string_view text);
// "127.0.0.1:8443" / "[::1]:8443".
std::string formatEndpoint(const boost::asio::ip::tcp::endpoint& endpoint);

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using AcceptHandler = std::function<void(boost::asio::ip::tcp::socket&&)>;

  Listener(boost::asio::io_context& ioc, AcceptHandler onAccept);

  // Opens, binds and listens; errors name the address.
  Status bind(const ListenAddress& address);
  boost::asio::ip::tcp::endpoint localEndpoint() const;

  void start();
  // Stops accepting and closes the listening socket.
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  AcceptHandler onAccept_;
  boost::asio::ip::tcp::endpoint local_;
};

}  // namespace migwarden::server
