// One HTTP/1.1 connection (TLS or plain), in the style of Beast's async-ssl example:
// do_x()/on_x() pairs, every handler holds shared_from_this(), and a deadline on every
// step (handshake, idle keep-alive wait, header, body, write, TLS shutdown). A fresh
// request_parser per request enforces the header and body limits; an oversized body is
// answered with 413 and the connection is closed. Requests are handed to a Router as
// transport-neutral HttpRequest values.
//
// Thread-safety: a session runs on its own strand (the socket's executor); drain() may
// be called from any thread and posts to that strand.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "webhook/server/connection_tracker.h"
#include "webhook/server/router.h"
#include "webhook/server/server_metrics.h"
#include "webhook/server/session_options.h"

namespace migwarden::server {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// What a session needs from the server; outlives every session.
struct SessionEnv {
  const Router& router;
  const SessionLimits& limits;
  ServerMetrics* metrics = nullptr;  // null: no request metrics (the health port)
};

template <class Stream>
class HttpSession : public Drainable, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  // Plain HTTP.
  HttpSession(boost::asio::ip::tcp::socket&& socket, const SessionEnv& env, ConnectionSlot slot)
    requires std::is_same_v<Stream, PlainStream>;
  // TLS; `context` is kept alive for this connection even if the certificate is reloaded.
  HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<boost::asio::ssl::context> context,
              const SessionEnv& env, ConnectionSlot slot)
    requires std::is_same_v<Stream, TlsStream>;

  void run();
  void drain() override;

 private:
  enum class State { kHandshake, kIdle, kReading, kBusy, kClosing };
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }

  void on_run();
  void on_handshake(boost::system::error_code ec);
  void do_wait_for_request(std::chrono::milliseconds timeout);
  void on_first_bytes(boost::system::error_code ec, std::size_t n);
  void do_read_header();
  void on_read_header(boost::system::error_code ec, std::size_t);
  void on_read_body(boost::system::error_code ec, std::size_t);
  void do_handle();
  void do_write(HttpResponse response, int status, std::string_view pathLabel, std::string decision);
  void on_write(boost::system::error_code ec, std::size_t);
  // Answers a protocol error (400/413/431) and closes.
  void do_fail_request(int status, std::string_view reason, std::string message);
  void do_close();
  void on_draining();

  std::string remote_;  // before stream_: computed from the socket before it is moved
  std::shared_ptr<boost::asio::ssl::context> context_;  // TLS only; must outlive stream_
  Stream stream_;
  const SessionEnv& env_;
  ConnectionSlot slot_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  State state_ = State::kHandshake;
  // Set from any thread by drain(), so a response being built sees it at once.
  std::atomic<bool> draining_{false};
  std::chrono::steady_clock::time_point requestStart_;
  std::string_view pathLabel_;
  std::string decision_;
};

extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;

}  // namespace migwarden::server
