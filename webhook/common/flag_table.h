// Command-line flags as a table: each binary (migwarden-webhook, migwarden-agent)
// declares its flags as FlagSpec rows that parse into its own typed Config, and shares
// one parser, one --help layout and the value parsers here, so every binary accepts
// the same syntax (--name VALUE, --name=VALUE, switches with =true/=false) and answers
// bad input with the same kind of message ("--threads: must be ..., got \"x\"").
// Pure functions; no global state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden {

template <typename Config>
struct FlagSpec {
  std::string_view name;   // without "--"
  std::string_view value;  // placeholder shown in --help, e.g. "FILE"; "" for a switch
  std::string_view help;
  std::function<Status(Config&, std::string_view)> set;
};

enum class FlagAction { kRun, kHelp, kVersion };

// InvalidArgument "--flag: <want>, got \"<got>\"".
Status badFlagValue(std::string_view flag, std::string_view want, std::string_view got);
// Digits only, no sign or spaces.
Result<uint64_t> parseUnsigned(std::string_view text);
// "10s", "500ms", "2m", "1h", or combinations such as "1m30s". A unit is required.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);

// Splits "--name[=value]"; nullopt for anything that is not a flag.
struct FlagToken {
  std::string_view name;
  std::optional<std::string_view> inlineValue;
};
std::optional<FlagToken> splitFlag(std::string_view arg);

// The "  --name VALUE    help" lines of `rows`, then --help and --version.
struct FlagHelpRow {
  std::string_view name, value, help;
};
std::string renderFlagHelp(const std::vector<FlagHelpRow>& rows);

// Applies `args` to `config` through `table`. Stops at --help/-h or --version and says
// which; errors name the flag (unknown flag, missing value, the setter's message).
template <typename Config>
Result<FlagAction> parseFlagTable(const std::vector<FlagSpec<Config>>& table, const std::vector<std::string_view>& args,
                                  Config& config) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") return FlagAction::kHelp;
    if (arg == "--version") return FlagAction::kVersion;
    const std::optional<FlagToken> token = splitFlag(arg);
    if (!token) return Status::InvalidArgument("unexpected argument \"" + std::string(arg) + "\"");
    const FlagSpec<Config>* spec = nullptr;
    for (const auto& f : table)
      if (f.name == token->name) spec = &f;
    if (spec == nullptr) return Status::InvalidArgument("unknown flag --" + std::string(token->name) + " (see --help)");

    std::string_view value;
    if (spec->value.empty()) {
      if (token->inlineValue && *token->inlineValue != "true") {
        if (*token->inlineValue == "false") continue;
        return badFlagValue(token->name, "takes no value (or =true/=false)", *token->inlineValue);
      }
    } else if (token->inlineValue) {
      value = *token->inlineValue;
    } else {
      if (i + 1 >= args.size()) return Status::InvalidArgument("--" + std::string(token->name) + ": missing value");
      value = args[++i];
    }
    MIGWARDEN_RETURN_IF_ERROR(spec->set(config, value));
  }
  return FlagAction::kRun;
}

template <typename Config>
std::string renderFlagHelp(const std::vector<FlagSpec<Config>>& table) {
  std::vector<FlagHelpRow> rows;
  rows.reserve(table.size());
  for (const auto& f : table) rows.push_back({f.name, f.value, f.help});
  return renderFlagHelp(rows);
}

}  // namespace migwarden

#include "webhook/common/logging.h"

namespace migwarden {

// --log-level and --log-format, the same in every binary. `levelHelp` says what the
// binary logs at which level.
template <typename Config>
std::vector<FlagSpec<Config>> logFlags(LogOptions Config::*field, std::string_view levelHelp) {
  return {
      {"log-level", "LEVEL", levelHelp,
       [field](Config& c, std::string_view v) -> Status {
         if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error")
           return badFlagValue("log-level", "must be trace, debug, info, warn or error", v);
         (c.*field).level = std::string(v);
         return Status::Ok();
       }},
      {"log-format", "FORMAT", "text or json (one JSON object per line). Default text. Logs go to stderr.",
       [field](Config& c, std::string_view v) -> Status {
         auto f = parseLogFormat(v);
         if (!f.ok()) return badFlagValue("log-format", "must be text or json", v);
         (c.*field).format = *f;
         return Status::Ok();
       }},
  };
}

}  // namespace migwarden
