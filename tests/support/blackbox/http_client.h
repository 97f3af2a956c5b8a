// A small, independent HTTP/1.1 client for black-box tests: plain TCP or TLS (OpenSSL
// directly, not the server's Beast code), keep-alive, raw byte access for abuse tests.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace migwarden::testing {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lowerName) const;
};

struct TlsOptions {
  std::string caPem;          // trust anchor for the server certificate
  std::string clientCertPem;  // optional client certificate (mTLS)
  std::string clientKeyPem;
  std::string serverName = "localhost";  // SNI and hostname check
  int minVersion = TLS1_2_VERSION;
  int maxVersion = TLS1_3_VERSION;
};

class HttpClient {
 public:
  // Plain HTTP (health port).
  static std::unique_ptr<HttpClient> connectPlain(int port);
  // TLS; returns nullptr and sets *error when the TCP connect or the handshake fails.
  static std::unique_ptr<HttpClient> connectTls(int port, const TlsOptions& options, std::string* error = nullptr);
  ~HttpClient();

  // One request on this (kept-alive) connection. nullopt when the connection broke.
  std::optional<HttpReply> request(const std::string& method, const std::string& path, const std::string& body = "",
                                   const std::string& contentType = "application/json",
                                   const std::vector<std::pair<std::string, std::string>>& extraHeaders = {});
  bool sendRaw(const std::string& bytes);
  std::optional<HttpReply> readReply();
  // True when the peer closes the connection (EOF or reset) before `timeout`.
  bool waitForClose(std::chrono::seconds timeout);
  // Serial number (hex) of the certificate the server presented; "" for plain HTTP.
  std::string peerCertificateSerial() const;
  std::string negotiatedProtocol() const;  // "TLSv1.3", ...

 private:
  HttpClient(int fd, SSL_CTX* ctx, SSL* ssl) : fd_(fd), ctx_(ctx), ssl_(ssl) {}
  long readSome(char* buf, size_t len);
  bool writeAll(const std::string& data);

  int fd_;
  SSL_CTX* ctx_;
  SSL* ssl_;
  std::string buffered_;
};

}  // namespace migwarden::testing
