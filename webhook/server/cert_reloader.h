// Polls the certificate files' fingerprints (stat through symlinks, so Kubernetes'
// atomic `..data` symlink swap is seen) and asks the CertificateStore to reload when
// any of them changed.
//
// Thread-safety: start() and stop() may be called from any thread; the poll itself runs
// on the reloader's own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <memory>

#include "webhook/common/file_watch.h"
#include "webhook/server/certificate_store.h"

namespace migwarden::server {

class CertReloader : public std::enable_shared_from_this<CertReloader> {
 public:
  CertReloader(boost::asio::io_context& ioc, CertificateStore& store, std::chrono::milliseconds interval);

  void start();
  void stop();

 private:
  void do_wait();
  void on_wait(boost::system::error_code ec);

  CertificateStore& store_;
  const std::chrono::milliseconds interval_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  FileChangeDetector detector_;
  bool stopped_ = false;  // only touched on strand_
};

}  // namespace migwarden::server
