// Limits and deadlines for one HTTP/1.1 connection. Validated once (by the flags
// parser) and shared read-only by every session.
#pragma once

#include <chrono>
#include <cstddef>

namespace migwarden::server {

struct SessionLimits {
  size_t headerLimitBytes = 16 * 1024;
  size_t bodyLimitBytes = 3 * 1024 * 1024;  // the apiserver's own request limit
  std::chrono::milliseconds handshakeTimeout{10'000};
  std::chrono::milliseconds headerTimeout{10'000};  // first byte to end of header (slowloris)
  std::chrono::milliseconds bodyTimeout{30'000};
  std::chrono::milliseconds idleTimeout{90'000};  // keep-alive wait for the next request
  std::chrono::milliseconds writeTimeout{10'000};
};

}  // namespace migwarden::server
