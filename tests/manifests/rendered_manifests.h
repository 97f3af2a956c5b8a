// Renders a kustomize directory under manifests/ with the real `kubectl kustomize` and
// hands the objects to tests as JSON (nlohmann, an independent reader), plus lookups that
// fail with the object's kind and name when something is missing.
//
// Each render works on a private copy of manifests/ in a TempDir, so the dev overlay's
// certificates (made by the real certs/gen-dev-certs.sh) never touch the source tree.
// Not thread-safe; one instance per test.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace migwarden::testing {

// Why the manifest tests cannot run here, or nullopt when they can. Tests GTEST_SKIP()
// with this text: kubectl is not a build dependency.
std::optional<std::string> manifestToolsMissing();

class RenderedManifests {
 public:
  // Renders manifests/<overlay> ("base", "dev", "cert-manager", "floor"). For "dev" the
  // dev certificates are generated first. ok() is false and error() says why when
  // kubectl, the YAML reader or the certificate script fails.
  explicit RenderedManifests(const std::string& overlay);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const nlohmann::json& objects() const { return objects_; }  // a JSON array

  // The single object of that kind and name; throws std::runtime_error naming both
  // (and listing what was rendered) when it is absent or ambiguous.
  const nlohmann::json& get(const std::string& kind, const std::string& name) const;
  std::vector<const nlohmann::json*> ofKind(const std::string& kind) const;

  // Where the private copy of manifests/ lives (e.g. to read the dev certificates).
  std::string copyDir() const { return tmp_.path() + "/manifests"; }

 private:
  TempDir tmp_;
  nlohmann::json objects_ = nlohmann::json::array();
  std::string error_;
};

// A binary's flag names (without "--"), read from its flag table in the source file
// (e.g. "webhook/cmd/webhook/flags.cpp"), so manifests' arguments cannot drift from it.
std::vector<std::string> flagNamesIn(const std::string& sourceRelativePath);

// "--name=value" arguments as name -> value; arguments without "=" map to "".
std::vector<std::pair<std::string, std::string>> parseArgs(const nlohmann::json& args);
std::optional<std::string> argValue(const nlohmann::json& container, const std::string& flag);

}  // namespace migwarden::testing
