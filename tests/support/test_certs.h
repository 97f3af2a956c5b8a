// In-process test PKI (OpenSSL 3 EVP APIs): an ECDSA P-256 self-signed CA and leaf
// certificates it signs. No files, no openssl CLI, no fixed clock beyond "valid from an
// hour ago for a day".
#pragma once

#include <string>
#include <vector>

namespace migwarden::testing {

struct TestCert {
  std::string certPem;
  std::string keyPem;
};

struct TestPki {
  std::string caPem;     // the CA certificate (trust anchor)
  std::string certPem;   // leaf signed by the CA
  std::string keyPem;    // leaf's private key (PKCS#8 PEM)
  std::string caKeyPem;  // the CA's private key, for issuing more leaves
};

// A CA plus one leaf with the given SANs ("localhost"; "127.0.0.1"). The leaf's extended
// key usage is serverAuth, plus clientAuth when `clientCert`.
TestPki makeTestPki(std::vector<std::string> dnsSans, std::vector<std::string> ipSans, bool clientCert = false);

// Another leaf from the same CA (e.g. a client certificate for mTLS tests).
TestCert issueCert(const TestPki& pki, const std::string& commonName, std::vector<std::string> dnsSans,
                   std::vector<std::string> ipSans, bool clientCert);
inline TestCert issueClientCert(const TestPki& pki, const std::string& commonName = "test-client") {
  return issueCert(pki, commonName, {}, {}, true);
}

// A self-signed certificate/key pair from a different, unrelated CA.
TestCert makeSelfSigned(const std::string& commonName);

}  // namespace migwarden::testing
