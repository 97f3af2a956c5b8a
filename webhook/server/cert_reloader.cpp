#include "webhook/server/cert_reloader.h"

#include <boost/asio/post.hpp>

namespace migwarden::server {
namespace {
std::vector<std::string> watchedPaths(const TlsFiles& files) {
  std::vector<std::string> paths{files.certPath, files.keyPath};
  if (!files.clientCaPath.empty()) paths.push_back(files.clientCaPath);
  return paths;
}
}  // namespace

CertReloader::CertReloader(boost::asio::io_context& ioc, CertificateStore& store, std::chrono::milliseconds interval)
    : store_(store),
      interval_(interval),
      strand_(boost::asio::make_strand(ioc)),
      timer_(strand_),
      detector_(watchedPaths(store.files())) {}

void CertReloader::start() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->do_wait(); });
}

void CertReloader::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void CertReloader::do_wait() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->on_wait(ec); });
}

void CertReloader::on_wait(boost::system::error_code ec) {
  if (ec || stopped_) return;
  // A failed reload is counted and logged by the store; the detector has already
  // remembered the new fingerprints, so a broken pair is retried only when it changes.
  if (detector_.changed()) (void)store_.reload();
  do_wait();
}

}  // namespace migwarden::server
