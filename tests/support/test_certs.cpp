#include "tests/support/test_certs.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace migwarden::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test_certs: ") + what);
}

Key newKey() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

std::string bioString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string keyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  return bioString(bio.get());
}

std::string certPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write cert");
  return bioString(bio.get());
}

Key readKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "read key");
  return key;
}

Cert readCert(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  check(cert != nullptr, "read cert");
  return cert;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(ext != nullptr, "extension");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

// An unsigned certificate for `key` issued by `issuer` (self-issued when null).
Cert makeCert(EVP_PKEY* key, const std::string& commonName, X509* issuer, bool isCa) {
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("migwarden tests"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (isCa) {
    addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
  }
  addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) addExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  return cert;
}

void finishLeaf(X509* cert, X509* ca, EVP_PKEY* caKey, const std::vector<std::string>& dns,
                const std::vector<std::string>& ips, bool clientCert) {
  addExtension(cert, ca, NID_ext_key_usage, clientCert ? "serverAuth,clientAuth" : "serverAuth");
  std::string sans;
  auto add = [&sans](const char* kind, const std::string& value) {
    if (!sans.empty()) sans += ',';
    sans.append(kind).append(value);
  };
  for (const auto& d : dns) add("DNS:", d);
  for (const auto& i : ips) add("IP:", i);
  if (!sans.empty()) addExtension(cert, ca, NID_subject_alt_name, sans);
  check(X509_sign(cert, caKey, EVP_sha256()) > 0, "sign leaf");
}

}  // namespace

TestPki makeTestPki(std::vector<std::string> dnsSans, std::vector<std::string> ipSans, bool clientCert) {
  Key caKey = newKey();
  Cert ca = makeCert(caKey.get(), "migwarden test CA", nullptr, true);
  check(X509_sign(ca.get(), caKey.get(), EVP_sha256()) > 0, "sign CA");
  TestPki pki;
  pki.caPem = certPem(ca.get());
  pki.caKeyPem = keyPem(caKey.get());
  std::string cn = dnsSans.empty() ? (ipSans.empty() ? "migwarden" : ipSans.front()) : dnsSans.front();
  TestCert leaf = issueCert(pki, cn, std::move(dnsSans), std::move(ipSans), clientCert);
  pki.certPem = std::move(leaf.certPem);
  pki.keyPem = std::move(leaf.keyPem);
  return pki;
}

TestCert issueCert(const TestPki& pki, const std::string& commonName, std::vector<std::string> dnsSans,
                   std::vector<std::string> ipSans, bool clientCert) {
  Key caKey = readKey(pki.caKeyPem);
  Cert ca = readCert(pki.caPem);
  Key key = newKey();
  Cert cert = makeCert(key.get(), commonName, ca.get(), false);
  finishLeaf(cert.get(), ca.get(), caKey.get(), dnsSans, ipSans, clientCert);
  return {certPem(cert.get()), keyPem(key.get())};
}

TestCert makeSelfSigned(const std::string& commonName) {
  Key key = newKey();
  Cert cert = makeCert(key.get(), commonName, nullptr, false);
  addExtension(cert.get(), cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign self-signed");
  return {certPem(cert.get()), keyPem(key.get())};
}

}  // namespace migwarden::testing
