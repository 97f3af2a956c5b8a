#include "webhook/ledger/etcd/etcd_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <rapidjson/document.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace migwarden::ledger::etcd {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr size_t kMaxIdleConnections = 16;
constexpr size_t kMaxAnswerBytes = 256u << 20;  // a full range of a large ledger

// etcd's JSON error body: {"error":"...","message":"...","code":N} (gRPC codes).
Status etcdError(const std::string& where, unsigned httpStatus, const std::string& body) {
  rapidjson::Document doc;
  std::string message = body.substr(0, 512);
  int code = -1;
  if (!doc.Parse(body.data(), body.size()).HasParseError() && doc.IsObject()) {
    if (auto m = doc.FindMember("message"); m != doc.MemberEnd() && m->value.IsString()) message = m->value.GetString();
    if (auto c = doc.FindMember("code"); c != doc.MemberEnd() && c->value.IsInt()) code = c->value.GetInt();
  }
  const std::string text = "etcd " + where + " answered HTTP " + std::to_string(httpStatus) + ": " + message;
  if (code == 11) return Status::FailedPrecondition(text);  // OutOfRange: revision compacted
  if (code == 3) return Status::InvalidArgument(text);
  return Status::Unavailable(text);
}

// One HTTP/1.1 connection to one endpoint with its own io_context, so a blocking call
// can bound each asynchronous step by a deadline.
class Connection {
 public:
  Connection(const Endpoint& ep, size_t index, net::ssl::context* tls) : endpoint_(ep), index_(index) {
    if (ep.tls) {
      secure_.emplace(ioc_, *tls);
      secure_->set_verify_callback(net::ssl::host_name_verification(ep.host));
      error_code ipEc;
      (void)net::ip::make_address(ep.host, ipEc);
      if (ipEc) SSL_set_tlsext_host_name(secure_->native_handle(), ep.host.c_str());  // SNI for names only
    } else {
      plain_.emplace(ioc_);
    }
  }

  size_t index() const { return index_; }
  const Endpoint& endpoint() const { return endpoint_; }
  bool reused() const { return reused_; }
  void markReused() { reused_ = true; }

  Status connect(SteadyTime deadline) {
    net::ip::tcp::resolver resolver(ioc_);
    error_code ec;
    auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, ec);
    if (ec) return fail("resolving", ec);
    ec = run(deadline, [&](auto handler) { lowest().async_connect(addresses, handler); });
    if (ec) return fail("connecting", ec);
    (void)lowest().socket().set_option(net::ip::tcp::no_delay(true), ec);
    if (secure_) {
      ec = run(deadline, [&](auto handler) { secure_->async_handshake(net::ssl::stream_base::client, handler); });
      if (ec) return fail("TLS handshake", ec);
    }
    return Status::Ok();
  }

  Status write(const http::request<http::string_body>& req, SteadyTime deadline) {
    error_code ec = run(deadline, [&](auto handler) {
      withStream([&](auto& s) { http::async_write(s, req, handler); });
    });
    return ec ? fail("sending", ec) : Status::Ok();
  }

  template <class Parser>
  Status readHeader(Parser& parser, SteadyTime deadline) {
    error_code ec = run(deadline, [&](auto handler) {
      withStream([&](auto& s) { http::async_read_header(s, buffer_, parser, handler); });
    });
    return ec ? fail("reading the answer", ec) : Status::Ok();
  }

  template <class Parser>
  Status readRest(Parser& parser, SteadyTime deadline) {
    error_code ec = run(deadline, [&](auto handler) {
      withStream([&](auto& s) { http::async_read(s, buffer_, parser, handler); });
    });
    return ec ? fail("reading the answer", ec) : Status::Ok();
  }

  // Without a deadline: returns when some bytes were parsed, or on error/cancel.
  template <class Parser>
  error_code readSome(Parser& parser) {
    std::optional<error_code> result;
    withStream([&](auto& s) {
      http::async_read_some(s, buffer_, parser, [&result](error_code ec, size_t) { result = ec; });
    });
    ioc_.restart();
    ioc_.run();
    return result.value_or(net::error::operation_aborted);
  }

  // Thread-safe: closes the socket on the connection's own io_context.
  void cancel() {
    net::post(ioc_, [this] { lowest().close(); });
  }

  Status fail(const std::string& what, const error_code& ec) const {
    return Status::Unavailable(what + " " + endpoint_.url() + ": " + ec.message());
  }

 private:
  beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }

  template <class F>
  void withStream(F&& f) {
    if (secure_) {
      f(*secure_);
    } else {
      f(*plain_);
    }
  }

  // Runs one asynchronous operation until it completes or the deadline passes.
  template <class Start>
  error_code run(SteadyTime deadline, Start start) {
    std::optional<error_code> result;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run_until(deadline);
    if (result) return *result;
    lowest().close();  // cancels the operation
    ioc_.restart();
    ioc_.run();
    return net::error::timed_out;
  }

  Endpoint endpoint_;
  size_t index_;
  bool reused_ = false;
  net::io_context ioc_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> makeRequest(const Endpoint& ep, std::string_view path, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, std::string(path), 11};
  req.set(http::field::host, ep.host + ":" + ep.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "migwarden-webhook");
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  return req;
}

class StreamImpl final : public Stream {
 public:
  explicit StreamImpl(std::unique_ptr<Connection> conn)
      : conn_(std::move(conn)), onChunk_([this](std::uint64_t, std::string_view data, error_code&) {
          pending_.append(data.data(), data.size());
          return data.size();
        }) {
    parser_.body_limit(boost::none);
    parser_.on_chunk_body(onChunk_);  // Beast keeps a reference: onChunk_ outlives parser_
  }

  http::response_parser<http::string_body>& parser() { return parser_; }
  Connection& connection() { return *conn_; }

  Result<std::string> next() override {
    for (;;) {
      if (const size_t nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
        return line;
      }
      if (cancelled_.load()) return Status::Unavailable("stream from " + conn_->endpoint().url() + " cancelled");
      if (parser_.is_done()) return Status::Unavailable("stream from " + conn_->endpoint().url() + " ended");
      if (error_code ec = conn_->readSome(parser_)) {
        if (!pending_.empty() && pending_.find('\n') == std::string::npos && ec == http::error::end_of_stream) {
          std::string rest;  // a final message without its newline
          rest.swap(pending_);
          return rest;
        }
        return conn_->fail(cancelled_.load() ? "cancelled stream from" : "reading stream from", ec);
      }
    }
  }

  void cancel() override {
    cancelled_.store(true);
    conn_->cancel();
  }

 private:
  std::unique_ptr<Connection> conn_;
  std::function<size_t(std::uint64_t, std::string_view, error_code&)> onChunk_;
  http::response_parser<http::string_body> parser_;
  std::string pending_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

struct Client::Impl {
  std::optional<net::ssl::context> tls;
  mutable std::mutex mu;
  mutable std::vector<std::unique_ptr<Connection>> idle;
  mutable std::atomic<size_t> preferred{0};
};

Client::Client(ClientOptions options, std::unique_ptr<Impl> impl) : options_(std::move(options)), impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  if (options.endpoints.empty()) return Status::InvalidArgument("--etcd-endpoints: needs at least one endpoint");
  if (options.certFile.empty() != options.keyFile.empty())
    return Status::InvalidArgument("--etcd-cert and --etcd-key: give both or neither");
  auto impl = std::make_unique<Impl>();
  bool anyTls = false;
  for (const auto& ep : options.endpoints) anyTls = anyTls || ep.tls;
  if (!anyTls && (!options.caFile.empty() || !options.certFile.empty()))
    return Status::InvalidArgument("--etcd-cacert/--etcd-cert/--etcd-key need https:// endpoints");
  if (anyTls) {
    impl->tls.emplace(net::ssl::context::tls_client);
    auto& ctx = *impl->tls;
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(net::ssl::verify_peer);
    error_code ec;
    if (options.caFile.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(options.caFile, ec);
    }
    if (ec) return Status::InvalidArgument("--etcd-cacert " + options.caFile + ": " + ec.message());
    if (!options.certFile.empty()) {
      ctx.use_certificate_chain_file(options.certFile, ec);
      if (ec) return Status::InvalidArgument("--etcd-cert " + options.certFile + ": " + ec.message());
      ctx.use_private_key_file(options.keyFile, net::ssl::context::pem, ec);
      if (ec) return Status::InvalidArgument("--etcd-key " + options.keyFile + ": " + ec.message());
    }
  }
  return std::unique_ptr<Client>(new Client(std::move(options), std::move(impl)));
}

Result<std::string> Client::post(std::string_view path, const std::string& body) const {
  const SteadyTime deadline = std::chrono::steady_clock::now() + options_.requestTimeout;
  const size_t n = options_.endpoints.size();
  Status last = Status::Unavailable("deadline passed before a request was sent");
  // Every endpoint once, plus one retry for a kept-alive connection the server closed.
  for (size_t attempt = 0; attempt < n + 1 && std::chrono::steady_clock::now() < deadline; ++attempt) {
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard lock(impl_->mu);
      if (!impl_->idle.empty()) {
        conn = std::move(impl_->idle.back());
        impl_->idle.pop_back();
      }
    }
    if (!conn) {
      const size_t index = impl_->preferred.load() % n;
      conn = std::make_unique<Connection>(options_.endpoints[index], index,
                                          impl_->tls ? &*impl_->tls : nullptr);
      if (Status s = conn->connect(deadline); !s.ok()) {
        last = s;
        size_t expected = index;
        impl_->preferred.compare_exchange_strong(expected, (index + 1) % n);
        continue;
      }
    }
    auto req = makeRequest(conn->endpoint(), path, body);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBytes);
    Status s = conn->write(req, deadline);
    if (s.ok()) s = conn->readHeader(parser, deadline);
    if (s.ok()) s = conn->readRest(parser, deadline);
    if (!s.ok()) {
      last = s;
      if (!conn->reused()) {
        size_t index = conn->index();
        impl_->preferred.compare_exchange_strong(index, (index + 1) % n);
      }
      continue;
    }
    auto& answer = parser.get();
    const unsigned status = answer.result_int();
    std::string answerBody = std::move(answer.body());
    if (answer.keep_alive()) {
      conn->markReused();
      std::lock_guard lock(impl_->mu);
      if (impl_->idle.size() < kMaxIdleConnections) impl_->idle.push_back(std::move(conn));
    }
    if (status != 200) return etcdError(std::string(path), status, answerBody);
    return answerBody;
  }
  return Status::Unavailable(last.message());
}

Result<std::unique_ptr<Stream>> Client::openStream(std::string_view path, const std::string& body) const {
  const SteadyTime deadline = std::chrono::steady_clock::now() + options_.requestTimeout;
  const size_t n = options_.endpoints.size();
  Status last = Status::Unavailable("deadline passed before a request was sent");
  for (size_t attempt = 0; attempt < n && std::chrono::steady_clock::now() < deadline; ++attempt) {
    size_t index = impl_->preferred.load() % n;
    auto conn = std::make_unique<Connection>(options_.endpoints[index], index, impl_->tls ? &*impl_->tls : nullptr);
    Status s = conn->connect(deadline);
    auto stream = std::make_unique<StreamImpl>(std::move(conn));
    auto req = makeRequest(stream->connection().endpoint(), path, body);
    if (s.ok()) s = stream->connection().write(req, deadline);
    if (s.ok()) s = stream->connection().readHeader(stream->parser(), deadline);
    if (!s.ok()) {
      last = s;
      impl_->preferred.compare_exchange_strong(index, (index + 1) % n);
      continue;
    }
    const unsigned status = stream->parser().get().result_int();
    if (status != 200) {
      (void)stream->connection().readRest(stream->parser(), deadline);
      return etcdError(std::string(path), status, stream->parser().get().body());
    }
    return std::unique_ptr<Stream>(std::move(stream));
  }
  return Status::Unavailable(last.message());
}

}  // namespace migwarden::ledger::etcd
