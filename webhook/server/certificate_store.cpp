#include "webhook/server/certificate_store.h"

#include <spdlog/spdlog.h>

namespace migwarden::server {

CertificateStore::CertificateStore(TlsFiles files, MetricsRegistry& metrics)
    : files_(std::move(files)),
      reloads_(metrics.counter("migwarden_tls_cert_reloads_total",
                               "Serving certificate reloads that were validated and swapped in.")),
      reloadFailures_(metrics.counter("migwarden_tls_cert_reload_failures_total",
                                      "Changed certificate files that were refused (the old pair keeps serving).")) {
  metrics.gaugeCallback("migwarden_tls_cert_not_after_seconds",
                        "Expiry of the serving certificate (Unix seconds); 0 before it is loaded.", [this] {
                          std::lock_guard lock(mu_);
                          return static_cast<double>(notAfter_);
                        });
}

Result<TlsContextBundle> CertificateStore::readAndBuild() const {
  auto material = readTlsMaterial(files_);
  if (!material.ok()) return material.status();
  return buildTlsContext(*material);
}

void CertificateStore::install(TlsContextBundle bundle) {
  std::lock_guard lock(mu_);
  context_ = std::move(bundle.context);
  notAfter_ = bundle.notAfterUnixSeconds;
}

Status CertificateStore::load() {
  auto bundle = readAndBuild();
  if (!bundle.ok()) return bundle.status();
  spdlog::info("tls certificate loaded: {} (not after {})", bundle->subject, bundle->notAfterUnixSeconds);
  install(std::move(bundle).value());
  return Status::Ok();
}

Status CertificateStore::reload() {
  auto bundle = readAndBuild();
  if (!bundle.ok()) {
    reloadFailures_.inc();
    spdlog::error("tls certificate reload refused, keeping the previous certificate: {}", bundle.status().message());
    return bundle.status();
  }
  // Swap first, then announce: whoever reads the log line gets the new pair on connect.
  std::string subject = bundle->subject;
  int64_t notAfter = bundle->notAfterUnixSeconds;
  install(std::move(bundle).value());
  reloads_.inc();
  spdlog::info("tls certificate reloaded: {} (not after {})", subject, notAfter);
  return Status::Ok();
}

std::shared_ptr<boost::asio::ssl::context> CertificateStore::current() const {
  std::lock_guard lock(mu_);
  return context_;
}

}  // namespace migwarden::server
