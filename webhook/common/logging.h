// Process-wide logging setup (spdlog). Text for people at a terminal, JSON lines for
// log pipelines. Callers log with spdlog::info(...) etc.; never log request bodies at
// info or tokens at any level.
#pragma once

#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden {

enum class LogFormat { kText, kJson };

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  LogFormat format = LogFormat::kText;
};

Result<LogFormat> parseLogFormat(std::string_view text);
// Validates the level name before anything is configured.
Status validateLogLevel(std::string_view level);

// Configures the default spdlog logger to write to stderr.
Status configureLogging(const LogOptions& options);

// Escapes a string for inclusion inside a JSON string literal (no surrounding quotes).
std::string jsonEscape(std::string_view text);

}  // namespace migwarden
