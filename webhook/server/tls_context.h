// Builds the server's ssl::context from PEM files: TLS 1.2 and 1.3 only, ECDHE with AEAD
// ciphers only, no compression, no renegotiation. Every failure is a Status that names
// the file and the OpenSSL reason; nothing throws.
//
// Thread-safety: buildTlsContext() is a pure function of its inputs. The returned
// context is immutable once built and may be shared by any number of connections.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "webhook/common/status.h"

namespace migwarden::server {

struct TlsFiles {
  std::string certPath;  // PEM: the leaf first, then intermediates
  std::string keyPath;   // PEM private key (ECDSA or RSA), unencrypted
  std::string clientCaPath;  // optional; when set, clients must present a cert signed by it
};

// The PEM contents of one pair, read from disk together.
struct TlsMaterial {
  std::string certPem;
  std::string keyPem;
  std::string clientCaPem;  // empty: no mTLS
};

struct TlsContextBundle {
  std::shared_ptr<boost::asio::ssl::context> context;
  int64_t notAfterUnixSeconds = 0;  // of the leaf certificate
  std::string subject;              // of the leaf, for logs
};

// TLS 1.2 cipher list (TLS 1.3 suites are OpenSSL's defaults, which are all AEAD).
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Result<TlsMaterial> readTlsMaterial(const TlsFiles& files);

// Validates (parses, key matches certificate) and builds the context.
Result<TlsContextBundle> buildTlsContext(const TlsMaterial& material);

}  // namespace migwarden::server
