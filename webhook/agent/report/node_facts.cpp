#include "webhook/agent/report/node_facts.h"

namespace migwarden::agent {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Go's strconv.Quote output for label values (which are ASCII by Kubernetes' rules):
// only \" \\ and the usual control escapes can appear.
Result<std::string> unquote(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"')
    return Status::InvalidArgument("value must be a double-quoted string");
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= quoted.size()) return Status::InvalidArgument("value ends in a lone backslash");
    switch (quoted[++i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      default: return Status::InvalidArgument("unsupported escape in value");
    }
  }
  return out;
}

}  // namespace

Result<std::string> readBootId(Env& env, const std::string& path) {
  auto contents = env.readFile(path);
  if (!contents.ok()) return contents.status().withContext("boot id file " + path);
  std::string_view text = *contents;
  text = trim(text.substr(0, text.find('\n')));
  if (text.empty()) return Status::InvalidArgument("boot id file " + path + " is empty");
  if (text.size() > 128) return Status::InvalidArgument("boot id file " + path + ": longer than 128 bytes");
  return std::string(text);
}

Result<std::string> parseLabelsFile(std::string_view contents, std::string_view label) {
  size_t lineNo = 0;
  while (!contents.empty()) {
    ++lineNo;
    const size_t nl = contents.find('\n');
    std::string_view line = trim(contents.substr(0, nl));
    contents = nl == std::string_view::npos ? std::string_view() : contents.substr(nl + 1);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return Status::InvalidArgument("line " + std::to_string(lineNo) + ": expected key=\"value\"");
    if (trim(line.substr(0, eq)) != label) continue;
    auto value = unquote(trim(line.substr(eq + 1)));
    if (!value.ok()) return Status::InvalidArgument("line " + std::to_string(lineNo) + ": " + value.status().message());
    return *value;
  }
  return std::string();
}

}  // namespace migwarden::agent
