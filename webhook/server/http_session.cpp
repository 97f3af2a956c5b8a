#include "webhook/server/http_session.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <cctype>

namespace migwarden::server {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

std::string remoteOf(const net::ip::tcp::socket& socket) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The peer went away or the deadline passed: nothing useful can be written any more.
bool isDisconnect(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::ssl::error::stream_truncated || ec == beast::error::timeout ||
         ec == net::error::operation_aborted || ec == net::error::broken_pipe;
}

HttpRequest toHttpRequest(http::request<http::string_body>&& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  std::string_view target = req.target();
  auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  out.headers.reserve(16);
  for (const auto& field : req) out.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  out.body = std::move(req.body());
  out.remoteAddress = remote;
  return out;
}

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(net::ip::tcp::socket&& socket, const SessionEnv& env, ConnectionSlot slot)
  requires std::is_same_v<Stream, PlainStream>
    : remote_(remoteOf(socket)), stream_(std::move(socket)), env_(env), slot_(std::move(slot)) {}

template <class Stream>
HttpSession<Stream>::HttpSession(net::ip::tcp::socket&& socket, std::shared_ptr<net::ssl::context> context,
                                 const SessionEnv& env, ConnectionSlot slot)
  requires std::is_same_v<Stream, TlsStream>
    : remote_(remoteOf(socket)),
      context_(std::move(context)),
      stream_(std::move(socket), *context_),
      env_(env),
      slot_(std::move(slot)) {}

template <class Stream>
void HttpSession<Stream>::run() {
  slot_.attach(std::weak_ptr<Drainable>(this->shared_from_this()));
  // The socket was accepted on this session's strand; start there.
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::on_run, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::drain() {
  draining_ = true;
  net::post(stream_.get_executor(), beast::bind_front_handler(&HttpSession::on_draining, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_draining() {
  draining_ = true;
  // Only a connection idle between requests is interrupted; a request in flight
  // finishes and its response carries "Connection: close".
  if (state_ == State::kIdle) tcp().cancel();
}

template <class Stream>
void HttpSession<Stream>::on_run() {
  if constexpr (kTls) {
    state_ = State::kHandshake;
    tcp().expires_after(env_.limits.handshakeTimeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
  } else {
    do_wait_for_request(env_.limits.headerTimeout);
  }
}

template <class Stream>
void HttpSession<Stream>::on_handshake(error_code ec) {
  if (ec) {
    if (env_.metrics) env_.metrics->handshakeFailures.inc();
    spdlog::debug("tls handshake from {} failed: {}", remote_, ec.message());
    return;  // the socket closes when the last handler releases the session
  }
  if (env_.metrics) env_.metrics->handshakes.inc();
  // A new connection gets the header deadline for its first request, not the idle one.
  do_wait_for_request(env_.limits.headerTimeout);
}

template <class Stream>
void HttpSession<Stream>::do_wait_for_request(std::chrono::milliseconds timeout) {
  if (draining_) return do_close();
  if (buffer_.size() > 0) return do_read_header();  // a pipelined request is already here
  // Wait for the first byte under the idle deadline, so that the (shorter) header
  // deadline applies from the moment a request actually starts.
  state_ = State::kIdle;
  tcp().expires_after(timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&HttpSession::on_first_bytes, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_first_bytes(error_code ec, std::size_t n) {
  if (ec == net::error::operation_aborted) return do_close();  // drained while idle
  if (ec) {
    spdlog::trace("connection {} closed while idle: {}", remote_, ec.message());
    return;
  }
  buffer_.commit(n);
  do_read_header();
}

template <class Stream>
void HttpSession<Stream>::do_read_header() {
  state_ = State::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(env_.limits.headerLimitBytes));
  parser_->body_limit(env_.limits.bodyLimitBytes);
  tcp().expires_after(env_.limits.headerTimeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_read_header, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_read_header(error_code ec, std::size_t) {
  requestStart_ = std::chrono::steady_clock::now();
  pathLabel_ = "other";
  if (parser_->is_header_done()) {
    std::string_view target = parser_->get().target();
    pathLabel_ = env_.router.pathLabel(target.substr(0, target.find('?')));
  }
  if (ec == http::error::header_limit)
    return do_fail_request(431, "RequestHeaderFieldsTooLarge", "request header exceeds the limit");
  if (ec == http::error::body_limit)  // Content-Length alone already exceeds the limit
    return do_fail_request(413, "RequestEntityTooLarge",
                           "request body exceeds " + std::to_string(env_.limits.bodyLimitBytes) + " bytes");
  if (ec == beast::error::timeout) {
    spdlog::debug("connection {}: request header not received within the deadline; closing", remote_);
    return;
  }
  if (ec && isDisconnect(ec)) return;
  if (ec) return do_fail_request(400, "BadRequest", "malformed HTTP request: " + ec.message());

  state_ = State::kBusy;
  tcp().expires_after(env_.limits.bodyTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read_body, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_read_body(error_code ec, std::size_t) {
  if (ec == http::error::body_limit)
    return do_fail_request(413, "RequestEntityTooLarge",
                           "request body exceeds " + std::to_string(env_.limits.bodyLimitBytes) + " bytes");
  if (ec == beast::error::timeout) {
    spdlog::debug("connection {}: request body not received within the deadline; closing", remote_);
    return;
  }
  if (ec && isDisconnect(ec)) return;
  if (ec) return do_fail_request(400, "BadRequest", "malformed HTTP request body: " + ec.message());
  do_handle();
}

template <class Stream>
void HttpSession<Stream>::do_handle() {
  bool keepAlive = parser_->get().keep_alive();
  HttpRequest request = toHttpRequest(parser_->release(), remote_);
  parser_.reset();
  RoutedResponse routed;
  try {
    routed = env_.router.dispatch(request);
  } catch (const std::exception& e) {
    // Handlers report errors as responses; an exception here is a bug, and it must not
    // unwind through io_context::run() and take the process down.
    spdlog::error("handler for {} {} threw: {}", request.method, request.path, e.what());
    routed.result = {HttpResponse::error(500, "InternalError", "internal error"), "none"};
    routed.pathLabel = env_.router.pathLabel(request.path);
  }
  if (!keepAlive) draining_ = true;  // the client asked for Connection: close
  int status = routed.result.http.status;
  spdlog::debug("{} {} {} -> {} ({})", remote_, request.method, request.path, status, routed.result.decision);
  do_write(std::move(routed.result.http), status, routed.pathLabel, std::move(routed.result.decision));
}

template <class Stream>
void HttpSession<Stream>::do_fail_request(int status, std::string_view reason, std::string message) {
  spdlog::debug("connection {}: {} {}", remote_, status, message);
  draining_ = true;  // the stream position is unknown after a protocol error
  state_ = State::kBusy;
  do_write(HttpResponse::error(status, reason, message), status, pathLabel_, "none");
}

template <class Stream>
void HttpSession<Stream>::do_write(HttpResponse response, int status, std::string_view pathLabel,
                                   std::string decision) {
  pathLabel_ = pathLabel;
  decision_ = std::move(decision);
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(status));
  response_.set(http::field::content_type, response.contentType);
  for (auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(!draining_);
  response_.prepare_payload();
  // Recorded before the write, so that a client that has its response also sees it
  // counted; the latency is the server's own time (header complete -> response ready).
  if (env_.metrics) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - requestStart_).count();
    env_.metrics->recordRequest(pathLabel_, status, decision_, seconds);
  }
  tcp().expires_after(env_.limits.writeTimeout);
  http::async_write(stream_, response_, beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_write(error_code ec, std::size_t) {
  if (ec) {
    spdlog::debug("connection {}: write failed: {}", remote_, ec.message());
    return;
  }
  if (!response_.keep_alive()) return do_close();
  do_wait_for_request(env_.limits.idleTimeout);
}

namespace {
constexpr std::chrono::milliseconds kTlsShutdownWait{1000};
}  // namespace

template <class Stream>
void HttpSession<Stream>::do_close() {
  state_ = State::kClosing;
  if constexpr (kTls) {
    // Our close_notify is sent at once; waiting for the peer's is only politeness, so a
    // client that never answers (most do at once) holds the slot for at most a second,
    // which also keeps SIGTERM drains short.
    tcp().expires_after(std::min<std::chrono::milliseconds>(env_.limits.writeTimeout, kTlsShutdownWait));
    stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->tcp().close(); });
  } else {
    error_code ignored;
    tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    tcp().close();
  }
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace migwarden::server
