// Certificates for black-box tests, made by the same script users run
// (certs/gen-dev-certs.sh), plus client certificates from its CA for mTLS.
#pragma once

#include <string>

namespace migwarden::testing {

struct DevPki {
  std::string dir;
  std::string caPath, certPath, keyPath;
  std::string caPem() const;
};

// Runs certs/gen-dev-certs.sh DIR (fails the test when the script fails).
DevPki makeDevPki(const std::string& dir);
// A new serving certificate from the same CA (new serial), as a rotation would make.
void reissueServingCert(const DevPki& pki);

struct ClientCert {
  std::string certPem, keyPem;
};
// A clientAuth certificate signed by the CA in caDir (the apiserver's identity in mTLS).
ClientCert issueClientCert(const std::string& caDir, const std::string& commonName);

std::string serialOf(const std::string& certPath);  // hex, upper case, as OpenSSL prints

}  // namespace migwarden::testing
