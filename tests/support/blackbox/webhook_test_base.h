// Fixture for black-box tests: dev certificates from certs/gen-dev-certs.sh, the real
// migwarden-webhook binary on 127.0.0.1:0, and TLS/plain clients that talk to it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/blackbox/dev_pki.h"
#include "tests/support/blackbox/http_client.h"
#include "tests/support/blackbox/webhook_process.h"
#include "tests/support/temp_dir.h"

namespace migwarden::testing {

class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override { pki_ = makeDevPki(dir_.file("certs")); }

  // Starts the webhook with the dev pair plus `extra` flags.
  void startWebhook(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--tls-cert", pki_.certPath, "--tls-key", pki_.keyPath,
                                  "--ledger-dir", dir_.file("ledger")};
    args.insert(args.end(), extra.begin(), extra.end());
    webhook_ = std::make_unique<WebhookProcess>(args);
    ASSERT_TRUE(webhook_->started());
  }

  TlsOptions tlsOptions() const {
    TlsOptions o;
    o.caPem = pki_.caPem();
    return o;
  }
  std::unique_ptr<HttpClient> connectTls() {
    std::string error;
    auto client = HttpClient::connectTls(webhook_->tlsPort(), tlsOptions(), &error);
    EXPECT_NE(client, nullptr) << error << "\nserver output:\n" << webhook_->output();
    return client;
  }
  std::unique_ptr<HttpClient> connectHealth() { return HttpClient::connectPlain(webhook_->healthPort()); }

  // POST an AdmissionReview fixture (tests/fixtures/admission/NAME) on a new connection.
  HttpReply post(const std::string& path, const std::string& body) {
    auto client = connectTls();
    if (!client) return {};
    auto reply = client->request("POST", path, body);
    EXPECT_TRUE(reply.has_value()) << "no reply; server output:\n" << webhook_->output();
    return reply.value_or(HttpReply{});
  }
  std::string metrics() {
    auto client = connectHealth();
    auto reply = client->request("GET", "/metrics");
    return reply ? reply->body : std::string();
  }

  TempDir dir_;
  DevPki pki_;
  std::unique_ptr<WebhookProcess> webhook_;
};

inline std::string admissionFixture(const std::string& name) { return readFixture("admission/" + name); }

}  // namespace migwarden::testing
