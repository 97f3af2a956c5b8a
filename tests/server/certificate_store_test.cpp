#include "webhook/server/certificate_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace migwarden::server {
namespace {

using testing::TempDir;
using testing::writeFile;

class CertificateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::makeTestPki({"localhost"}, {"127.0.0.1"});
    writeFile(dir_.file("tls.crt"), pki_.certPem);
    writeFile(dir_.file("tls.key"), pki_.keyPem);
  }
  TlsFiles files() const { return {dir_.file("tls.crt"), dir_.file("tls.key"), ""}; }

  TempDir dir_;
  testing::TestPki pki_;
  MetricsRegistry metrics_;
};

TEST_F(CertificateStoreTest, IsNotLoadedUntilLoadSucceeds) {
  CertificateStore store(files(), metrics_);
  EXPECT_FALSE(store.loaded());
  ASSERT_TRUE(store.load().ok());
  EXPECT_TRUE(store.loaded());
  EXPECT_NE(metrics_.renderPrometheus().find("migwarden_tls_cert_not_after_seconds "), std::string::npos);
}

TEST_F(CertificateStoreTest, LoadFailsWithAClearMessageForAMismatchedPair) {
  writeFile(dir_.file("tls.key"), testing::makeSelfSigned("other").keyPem);
  CertificateStore store(files(), metrics_);
  Status s = store.load();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not match"), std::string::npos) << s.message();
  EXPECT_FALSE(store.loaded());
}

TEST_F(CertificateStoreTest, ReloadSwapsInAValidNewPair) {
  CertificateStore store(files(), metrics_);
  ASSERT_TRUE(store.load().ok());
  auto before = store.current();
  auto next = testing::issueCert(pki_, "rotated", {"localhost"}, {}, false);
  writeFile(dir_.file("tls.crt"), next.certPem);
  writeFile(dir_.file("tls.key"), next.keyPem);
  ASSERT_TRUE(store.reload().ok());
  EXPECT_NE(store.current(), before);
  EXPECT_EQ(metrics_.counter("migwarden_tls_cert_reloads_total", "").value(), 1u);
  EXPECT_EQ(metrics_.counter("migwarden_tls_cert_reload_failures_total", "").value(), 0u);
}

TEST_F(CertificateStoreTest, ReloadKeepsTheOldPairWhenTheNewPairIsBroken) {
  CertificateStore store(files(), metrics_);
  ASSERT_TRUE(store.load().ok());
  auto before = store.current();
  // A new certificate whose key was not updated (a half-finished rotation).
  writeFile(dir_.file("tls.crt"), testing::issueCert(pki_, "rotated", {"localhost"}, {}, false).certPem);
  EXPECT_FALSE(store.reload().ok());
  EXPECT_EQ(store.current(), before);
  EXPECT_EQ(metrics_.counter("migwarden_tls_cert_reload_failures_total", "").value(), 1u);
  EXPECT_EQ(metrics_.counter("migwarden_tls_cert_reloads_total", "").value(), 0u);

  writeFile(dir_.file("tls.crt"), "garbage");
  EXPECT_FALSE(store.reload().ok());
  EXPECT_EQ(store.current(), before);
  EXPECT_EQ(metrics_.counter("migwarden_tls_cert_reload_failures_total", "").value(), 2u);
}

TEST_F(CertificateStoreTest, ReloadFollowsAKubernetesStyleSymlinkSwap) {
  // Kubernetes mounts secrets as tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/.
  namespace fs = std::filesystem;
  TempDir mount;
  fs::create_directory(mount.file("..v1"));
  writeFile(mount.file("..v1/tls.crt"), pki_.certPem);
  writeFile(mount.file("..v1/tls.key"), pki_.keyPem);
  fs::create_directory_symlink("..v1", mount.file("..data"));
  fs::create_symlink("..data/tls.crt", mount.file("tls.crt"));
  fs::create_symlink("..data/tls.key", mount.file("tls.key"));

  CertificateStore store({mount.file("tls.crt"), mount.file("tls.key"), ""}, metrics_);
  ASSERT_TRUE(store.load().ok());
  auto before = store.current();

  auto next = testing::issueCert(pki_, "rotated", {"localhost"}, {}, false);
  fs::create_directory(mount.file("..v2"));
  writeFile(mount.file("..v2/tls.crt"), next.certPem);
  writeFile(mount.file("..v2/tls.key"), next.keyPem);
  fs::create_directory_symlink("..v2", mount.file("..data_tmp"));
  fs::rename(mount.file("..data_tmp"), mount.file("..data"));  // the atomic swap

  ASSERT_TRUE(store.reload().ok());
  EXPECT_NE(store.current(), before);
}

}  // namespace
}  // namespace migwarden::server
