#include "tests/support/blackbox/dev_pki.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "tests/support/temp_dir.h"

namespace migwarden::testing {
namespace {

void shell(const std::string& command) {
  int rc = std::system(command.c_str());
  ASSERT_EQ(rc, 0) << "command failed: " << command;
}

std::string capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace

std::string DevPki::caPem() const { return readFile(caPath); }

DevPki makeDevPki(const std::string& dir) {
  shell(std::string(MIGWARDEN_SOURCE_DIR) + "/certs/gen-dev-certs.sh '" + dir + "' 2>/dev/null");
  return DevPki{dir, dir + "/ca.crt", dir + "/tls.crt", dir + "/tls.key"};
}

void reissueServingCert(const DevPki& pki) {
  std::remove(pki.certPath.c_str());
  makeDevPki(pki.dir);
}

ClientCert issueClientCert(const std::string& caDir, const std::string& commonName) {
  std::string d = caDir + "/client-" + commonName;
  shell("mkdir -p '" + d + "' && cd '" + d +
        "' && openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout client.key "
        "-out client.csr -subj '/CN=" + commonName + "' 2>/dev/null && "
        "printf 'extendedKeyUsage=clientAuth\\n' > ext.cnf && "
        "openssl x509 -req -in client.csr -CA ../ca.crt -CAkey ../ca.key -CAcreateserial -days 1 "
        "-extfile ext.cnf -out client.crt 2>/dev/null");
  return ClientCert{readFile(d + "/client.crt"), readFile(d + "/client.key")};
}

std::string serialOf(const std::string& certPath) {
  std::string out = capture("openssl x509 -noout -serial -in '" + certPath + "'");
  auto eq = out.find('=');
  if (eq == std::string::npos) return {};
  out = out.substr(eq + 1);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  // BN_bn2hex drops leading zeros; OpenSSL's CLI keeps an even number of digits.
  while (out.size() > 1 && out[0] == '0') out.erase(0, 1);
  return out;
}

}  // namespace migwarden::testing
