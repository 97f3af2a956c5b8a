#include "tests/support/blackbox/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cctype>

namespace migwarden::testing {
namespace {

// Every read in a test gives up eventually, so a server bug is a failure, not a hang.
constexpr int kSocketTimeoutSeconds = 30;

int tcpConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{kSocketTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string opensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool usePem(SSL_CTX* ctx, const TlsOptions& o) {
  if (!o.caPem.empty()) {
    // A bundle may hold several CAs (old and new during a rotation), like a caBundle.
    BIO* bio = BIO_new_mem_buf(o.caPem.data(), static_cast<int>(o.caPem.size()));
    int added = 0;
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
      X509_free(ca);
      ++added;
    }
    ERR_clear_error();  // the read past the last certificate leaves "no start line"
    BIO_free(bio);
    if (added == 0) return false;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!o.clientCertPem.empty()) {
    BIO* bio = BIO_new_mem_buf(o.clientCertPem.data(), static_cast<int>(o.clientCertPem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    bio = BIO_new_mem_buf(o.clientKeyPem.data(), static_cast<int>(o.clientKeyPem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    bool ok = cert && key && SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) return false;
  }
  return true;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string HttpReply::header(const std::string& lowerName) const {
  for (const auto& [k, v] : headers)
    if (k == lowerName) return v;
  return {};
}

std::unique_ptr<HttpClient> HttpClient::connectPlain(int port) {
  int fd = tcpConnect(port);
  if (fd < 0) return nullptr;
  return std::unique_ptr<HttpClient>(new HttpClient(fd, nullptr, nullptr));
}

std::unique_ptr<HttpClient> HttpClient::connectTls(int port, const TlsOptions& o, std::string* error) {
  // OpenSSL writes with write(2): a server that closes early (413) must fail the write,
  // not kill the test process.
  signal(SIGPIPE, SIG_IGN);
  auto fail = [&](const std::string& what) -> std::unique_ptr<HttpClient> {
    if (error) *error = what + ": " + opensslErrors();
    return nullptr;
  };
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, o.minVersion);
  SSL_CTX_set_max_proto_version(ctx, o.maxVersion);
  if (o.maxVersion < TLS1_2_VERSION) SSL_CTX_set_security_level(ctx, 0);  // allow asking for old TLS
  if (!usePem(ctx, o)) {
    SSL_CTX_free(ctx);
    return fail("bad test PEM");
  }
  int fd = tcpConnect(port);
  if (fd < 0) {
    SSL_CTX_free(ctx);
    return fail("connect");
  }
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, o.serverName.c_str());
  SSL_set1_host(ssl, o.serverName.c_str());
  auto client = std::unique_ptr<HttpClient>(new HttpClient(fd, ctx, ssl));
  if (SSL_connect(ssl) != 1) return fail("handshake");
  // With TLS 1.3 a rejected client certificate is reported after the handshake: one
  // read with a short timeout surfaces the server's alert.
  return client;
}

HttpClient::~HttpClient() {
  if (ssl_) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

long HttpClient::readSome(char* buf, size_t len) {
  if (ssl_) {
    int n = SSL_read(ssl_, buf, static_cast<int>(len));
    return n > 0 ? n : -1;
  }
  ssize_t n = ::read(fd_, buf, len);
  return n > 0 ? n : -1;
}

bool HttpClient::writeAll(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    long n = ssl_ ? SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off))
                  : ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool HttpClient::sendRaw(const std::string& bytes) { return writeAll(bytes); }

std::optional<HttpReply> HttpClient::request(const std::string& method, const std::string& path,
                                             const std::string& body, const std::string& contentType,
                                             const std::vector<std::pair<std::string, std::string>>& extraHeaders) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!body.empty() || method == "POST") {
    req += "Content-Type: " + contentType + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  for (const auto& [k, v] : extraHeaders) req += k + ": " + v + "\r\n";
  req += "\r\n";
  req += body;
  if (!writeAll(req)) return std::nullopt;
  return readReply();
}

std::optional<HttpReply> HttpClient::readReply() {
  char buf[16384];
  size_t headerEnd;
  while ((headerEnd = buffered_.find("\r\n\r\n")) == std::string::npos) {
    long n = readSome(buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffered_.append(buf, static_cast<size_t>(n));
  }
  HttpReply reply;
  std::string head = buffered_.substr(0, headerEnd);
  buffered_.erase(0, headerEnd + 4);
  size_t lineEnd = head.find("\r\n");
  std::string statusLine = head.substr(0, lineEnd);
  if (statusLine.size() < 12) return std::nullopt;
  reply.status = std::stoi(statusLine.substr(9, 3));
  size_t pos = lineEnd == std::string::npos ? head.size() : lineEnd + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      reply.headers.emplace_back(lower(line.substr(0, colon)), value);
    }
    pos = end + 2;
  }
  if (reply.header("transfer-encoding").find("chunked") != std::string::npos) {
    // Chunked bodies (Go servers such as etcd's /metrics): size line, data, CRLF; a
    // zero-size chunk ends the body (trailers are not used by the servers tested).
    for (;;) {
      size_t lineEnd2;
      while ((lineEnd2 = buffered_.find("\r\n")) == std::string::npos) {
        long n = readSome(buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        buffered_.append(buf, static_cast<size_t>(n));
      }
      size_t chunk = std::stoul(buffered_.substr(0, lineEnd2), nullptr, 16);
      while (buffered_.size() < lineEnd2 + 2 + chunk + 2) {
        long n = readSome(buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        buffered_.append(buf, static_cast<size_t>(n));
      }
      reply.body.append(buffered_, lineEnd2 + 2, chunk);
      buffered_.erase(0, lineEnd2 + 2 + chunk + 2);
      if (chunk == 0) return reply;
    }
  }
  size_t length = 0;
  if (auto cl = reply.header("content-length"); !cl.empty()) length = std::stoul(cl);
  while (buffered_.size() < length) {
    long n = readSome(buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffered_.append(buf, static_cast<size_t>(n));
  }
  reply.body = buffered_.substr(0, length);
  buffered_.erase(0, length);
  return reply;
}

bool HttpClient::waitForClose(std::chrono::seconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (;;) {
    if (ssl_) {
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n > 0) continue;
      int err = SSL_get_error(ssl_, n);
      // A receive timeout surfaces as SSL_ERROR_SYSCALL with EAGAIN: still open.
      if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      return true;
    }
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    return true;
  }
}

std::string HttpClient::peerCertificateSerial() const {
  if (!ssl_) return {};
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (!cert) return {};
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  // BN_bn2hex pads to whole bytes; compare serials without leading zeros (as dev_pki does).
  while (out.size() > 1 && out[0] == '0') out.erase(0, 1);
  BN_free(bn);
  X509_free(cert);
  return out;
}

std::string HttpClient::negotiatedProtocol() const { return ssl_ ? SSL_get_version(ssl_) : "plain"; }

}  // namespace migwarden::testing
