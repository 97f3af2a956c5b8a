#include "webhook/common/flag_table.h"

#include <charconv>

namespace migwarden {

Status badFlagValue(std::string_view flag, std::string_view want, std::string_view got) {
  return Status::InvalidArgument("--" + std::string(flag) + ": " + std::string(want) + ", got \"" + std::string(got) +
                                 "\"");
}

Result<uint64_t> parseUnsigned(std::string_view text) {
  uint64_t v = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || err != std::errc() || end != text.data() + text.size())
    return Status::InvalidArgument("not a whole number");
  return v;
}

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  using std::chrono::milliseconds;
  if (text.empty()) return Status::InvalidArgument("empty duration");
  milliseconds total{0};
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0) return Status::InvalidArgument("expected a number");
    auto n = parseUnsigned(rest.substr(0, digits));
    if (!n.ok() || *n > 10'000'000) return Status::InvalidArgument("number out of range");
    rest.remove_prefix(digits);
    size_t unitLen = 0;
    while (unitLen < rest.size() && (rest[unitLen] < '0' || rest[unitLen] > '9')) ++unitLen;
    const std::string_view unit = rest.substr(0, unitLen);
    rest.remove_prefix(unitLen);
    int64_t ms;
    if (unit == "ms") ms = 1;
    else if (unit == "s") ms = 1000;
    else if (unit == "m") ms = 60'000;
    else if (unit == "h") ms = 3'600'000;
    else return Status::InvalidArgument("unit must be ms, s, m or h");
    total += milliseconds(static_cast<int64_t>(*n) * ms);
  }
  return total;
}

std::optional<FlagToken> splitFlag(std::string_view arg) {
  if (!arg.starts_with("--") || arg.size() == 2) return std::nullopt;
  FlagToken token{arg.substr(2), std::nullopt};
  if (auto eq = token.name.find('='); eq != std::string_view::npos) {
    token.inlineValue = token.name.substr(eq + 1);
    token.name = token.name.substr(0, eq);
  }
  return token;
}

std::string renderFlagHelp(const std::vector<FlagHelpRow>& rows) {
  constexpr size_t kHelpColumn = 33;
  std::string out;
  auto row = [&out](std::string head, std::string_view help) {
    out.append(head);
    if (head.size() < kHelpColumn) out.append(kHelpColumn - head.size(), ' ');
    else out.append("\n").append(kHelpColumn, ' ');
    out.append(help).append("\n");
  };
  for (const auto& r : rows) {
    std::string head = "  --";
    head.append(r.name);
    if (!r.value.empty()) head.append(" ").append(r.value);
    row(std::move(head), r.help);
  }
  row("  --help", "Print this help and exit.");
  row("  --version", "Print the version and exit.");
  return out;
}

}  // namespace migwarden
