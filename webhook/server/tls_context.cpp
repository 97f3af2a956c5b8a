#include "webhook/server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <fstream>
#include <sstream>

namespace migwarden::server {
namespace ssl = boost::asio::ssl;

namespace {

// The most recent OpenSSL error as text; clears the queue so later calls start clean.
std::string opensslError(std::string_view fallback) {
  unsigned long code = ERR_get_error();
  unsigned long last = code;
  while (code != 0) {
    last = code;
    code = ERR_get_error();
  }
  if (last == 0) return std::string(fallback);
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

Result<std::string> readWholeFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(std::string(what) + " " + path + ": cannot open");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Status::IOError(std::string(what) + " " + path + ": read failed");
  return out.str();
}

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

Result<int64_t> leafNotAfter(const std::string& certPem, std::string* subject) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(certPem.data(), static_cast<int>(certPem.size())));
  std::unique_ptr<X509, X509Deleter> leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) return Status::InvalidArgument("certificate: no PEM certificate found (" + opensslError("parse error") + ")");
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf.get()), &tm) != 1)
    return Status::InvalidArgument("certificate: unreadable notAfter");
  char name[256];
  X509_NAME_oneline(X509_get_subject_name(leaf.get()), name, sizeof name);
  *subject = name;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

Result<TlsMaterial> readTlsMaterial(const TlsFiles& files) {
  TlsMaterial m;
  auto cert = readWholeFile(files.certPath, "--tls-cert");
  if (!cert.ok()) return cert.status();
  auto key = readWholeFile(files.keyPath, "--tls-key");
  if (!key.ok()) return key.status();
  m.certPem = std::move(cert).value();
  m.keyPem = std::move(key).value();
  if (!files.clientCaPath.empty()) {
    auto ca = readWholeFile(files.clientCaPath, "--client-ca");
    if (!ca.ok()) return ca.status();
    m.clientCaPem = std::move(ca).value();
  }
  return m;
}

Result<TlsContextBundle> buildTlsContext(const TlsMaterial& material) {
  ERR_clear_error();
  TlsContextBundle bundle;
  auto notAfter = leafNotAfter(material.certPem, &bundle.subject);
  if (!notAfter.ok()) return notAfter.status();
  bundle.notAfterUnixSeconds = *notAfter;

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return Status::Internal("tls: set_options: " + ec.message());
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
    return Status::Internal("tls: min protocol: " + opensslError("failed"));
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
    return Status::Internal("tls: cipher list: " + opensslError("failed"));

  ctx->use_certificate_chain(boost::asio::buffer(material.certPem), ec);
  if (ec) return Status::InvalidArgument("certificate: cannot load chain (" + opensslError(ec.message()) + ")");
  ctx->use_private_key(boost::asio::buffer(material.keyPem), ssl::context::pem, ec);
  if (ec && ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
    ERR_clear_error();
    return Status::InvalidArgument("private key does not match the certificate");
  }
  if (ec) return Status::InvalidArgument("private key: cannot load (" + opensslError(ec.message()) + ")");
  if (SSL_CTX_check_private_key(native) != 1)
    return Status::InvalidArgument("private key does not match the certificate (" + opensslError("mismatch") + ")");

  if (!material.clientCaPem.empty()) {
    ctx->add_certificate_authority(boost::asio::buffer(material.clientCaPem), ec);
    if (ec) return Status::InvalidArgument("client CA: cannot load (" + opensslError(ec.message()) + ")");
    // Advertise the acceptable CA names in the CertificateRequest.
    std::unique_ptr<BIO, BioDeleter> bio(
        BIO_new_mem_buf(material.clientCaPem.data(), static_cast<int>(material.clientCaPem.size())));
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
    }
    ERR_clear_error();  // the loop ends on an expected "no start line"
    SSL_CTX_set_client_CA_list(native, names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return Status::Internal("tls: verify mode: " + ec.message());
  }
  // Required for session resumption when client certificates are verified.
  static constexpr unsigned char kSessionContext[] = "migwarden-webhook";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);

  bundle.context = std::move(ctx);
  return bundle;
}

}  // namespace migwarden::server
