#include "tests/manifests/rendered_manifests.h"

#include <filesystem>
#include <regex>
#include <set>
#include <stdexcept>

#include "tests/support/run_command.h"

namespace migwarden::testing {
namespace {

namespace fs = std::filesystem;

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Multi-document YAML on stdin -> one JSON array on stdout (empty documents dropped).
// Debian's interpreter first: its python3-yaml is the declared dependency, and a pyenv
// shim earlier on PATH costs seconds per call.
constexpr const char* kYamlToJson =
    "$(test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3) -c 'import sys, json, yaml; "
    "json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout)'";

std::string describe(const nlohmann::json& objects) {
  std::string out;
  for (const auto& o : objects) {
    out += "\n  " + o.value("kind", "?") + "/" + o["metadata"].value("name", "?");
  }
  return out;
}

}  // namespace

std::optional<std::string> manifestToolsMissing() {
  if (runCommand("command -v kubectl").exitCode != 0)
    return std::string("kubectl is not on PATH; the manifest tests render overlays with `kubectl kustomize`");
  return std::nullopt;
}

RenderedManifests::RenderedManifests(const std::string& overlay) {
  std::error_code ec;
  fs::copy(fs::path(MIGWARDEN_SOURCE_DIR) / "manifests", copyDir(), fs::copy_options::recursive, ec);
  if (ec) {
    error_ = "copying manifests/: " + ec.message();
    return;
  }
  if (overlay == "dev") {
    // The overlay's certs/ may exist in a developer's tree: make our own, always.
    fs::remove_all(copyDir() + "/dev/certs", ec);
    auto certs = runCommand(shellQuote(std::string(MIGWARDEN_SOURCE_DIR) + "/certs/gen-dev-certs.sh") + " " +
                            shellQuote(copyDir() + "/dev/certs"));
    if (certs.exitCode != 0) {
      error_ = "certs/gen-dev-certs.sh failed: " + certs.out;
      return;
    }
  }
  const std::string yaml = tmp_.file("rendered.yaml");
  const std::string json = tmp_.file("rendered.json");
  auto render = runCommand("kubectl kustomize " + shellQuote(copyDir() + "/" + overlay) + " > " + shellQuote(yaml));
  if (render.exitCode != 0) {
    error_ = "kubectl kustomize manifests/" + overlay + " failed: " + render.out;
    return;
  }
  auto convert = runCommand(std::string(kYamlToJson) + " < " + shellQuote(yaml) + " > " + shellQuote(json));
  if (convert.exitCode != 0) {
    error_ = "reading the rendered YAML needs python3 with PyYAML (Debian package python3-yaml): " + convert.out;
    return;
  }
  try {
    objects_ = nlohmann::json::parse(readFile(json));
  } catch (const std::exception& e) {
    error_ = std::string("rendered JSON does not parse: ") + e.what();
    return;
  }
  if (!objects_.is_array() || objects_.empty()) error_ = "manifests/" + overlay + " rendered no objects";
}

const nlohmann::json& RenderedManifests::get(const std::string& kind, const std::string& name) const {
  const nlohmann::json* found = nullptr;
  for (const auto& o : objects_) {
    if (o.value("kind", "") != kind || o["metadata"].value("name", "") != name) continue;
    if (found != nullptr) throw std::runtime_error(kind + "/" + name + " is rendered twice");
    found = &o;
  }
  if (found == nullptr)
    throw std::runtime_error(kind + "/" + name + " is not rendered; objects:" + describe(objects_));
  return *found;
}

std::vector<const nlohmann::json*> RenderedManifests::ofKind(const std::string& kind) const {
  std::vector<const nlohmann::json*> out;
  for (const auto& o : objects_)
    if (o.value("kind", "") == kind) out.push_back(&o);
  return out;
}

std::vector<std::string> flagNamesIn(const std::string& sourceRelativePath) {
  // Entries of the flag table look like {"name", "VALUE", "help", setter}.
  const std::string source = readFile(std::string(MIGWARDEN_SOURCE_DIR) + "/" + sourceRelativePath);
  static const std::regex kEntry(R"re(\{"([a-z0-9][a-z0-9-]*)",\s*")re");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), kEntry); it != std::sregex_iterator(); ++it)
    names.push_back((*it)[1].str());
  return names;
}

std::vector<std::pair<std::string, std::string>> parseArgs(const nlohmann::json& args) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : args) {
    std::string s = a.get<std::string>();
    if (s.rfind("--", 0) != 0) continue;
    s = s.substr(2);
    const auto eq = s.find('=');
    if (eq == std::string::npos) out.emplace_back(s, "");
    else out.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return out;
}

std::optional<std::string> argValue(const nlohmann::json& container, const std::string& flag) {
  if (!container.contains("args")) return std::nullopt;
  for (const auto& [name, value] : parseArgs(container["args"]))
    if (name == flag) return value;
  return std::nullopt;
}

}  // namespace migwarden::testing
