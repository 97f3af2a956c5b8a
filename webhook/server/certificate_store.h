// Holds the serving certificate's ssl::context and swaps it when the files change.
// New handshakes take current(); connections already open keep the context they started
// with (the shared_ptr keeps it alive), so a reload never drops a connection.
// A new pair is fully validated before the swap; a broken pair is refused, logged at
// error and counted, and the previous pair keeps serving.
//
// Metrics: migwarden_tls_cert_reloads_total, migwarden_tls_cert_reload_failures_total,
// migwarden_tls_cert_not_after_seconds.
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>

#include "webhook/common/metrics.h"
#include "webhook/common/status.h"
#include "webhook/server/tls_context.h"

namespace migwarden::server {

class CertificateStore {
 public:
  CertificateStore(TlsFiles files, MetricsRegistry& metrics);

  // Initial load; the server must not start when this fails.
  Status load();
  // Re-reads the files; keeps the old pair on any failure (and returns the failure).
  Status reload();

  // nullptr until load() succeeded.
  std::shared_ptr<boost::asio::ssl::context> current() const;
  bool loaded() const { return current() != nullptr; }
  const TlsFiles& files() const { return files_; }

 private:
  Result<TlsContextBundle> readAndBuild() const;
  void install(TlsContextBundle bundle);

  const TlsFiles files_;
  Counter& reloads_;
  Counter& reloadFailures_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // guarded by mu_
  int64_t notAfter_ = 0;                                 // guarded by mu_
};

}  // namespace migwarden::server
