// gtest fixture and small JSON predicates shared by the manifest tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "tests/manifests/rendered_manifests.h"

namespace migwarden::testing {

inline bool contains(const nlohmann::json& array, const std::string& value) {
  if (!array.is_array()) return false;
  for (const auto& v : array)
    if (v.is_string() && v.get<std::string>() == value) return true;
  return false;
}

// A namespaceSelector that leaves out `ns` by its kubernetes.io/metadata.name label.
inline bool excludesNamespace(const nlohmann::json& selector, const std::string& ns) {
  if (!selector.contains("matchExpressions")) return false;
  for (const auto& e : selector["matchExpressions"])
    if (e.value("key", "") == "kubernetes.io/metadata.name" && e.value("operator", "") == "NotIn" &&
        contains(e["values"], ns))
      return true;
  return false;
}

// Some rule sends `operation` on core/v1 `resource` (a "pods" rule never covers
// "pods/binding": subresources must be named).
inline bool ruleCovers(const nlohmann::json& rules, const std::string& operation, const std::string& resource) {
  for (const auto& r : rules) {
    const bool op = contains(r["operations"], operation) || contains(r["operations"], "*");
    const bool group = contains(r["apiGroups"], "") || contains(r["apiGroups"], "*");
    const bool version = contains(r["apiVersions"], "v1") || contains(r["apiVersions"], "*");
    if (op && group && version && contains(r["resources"], resource)) return true;
  }
  return false;
}

// The container port number a probe or Service targets, by name or number.
inline int resolvePort(const nlohmann::json& container, const nlohmann::json& port) {
  if (port.is_number_integer()) return port.get<int>();
  for (const auto& p : container["ports"])
    if (p.value("name", "") == port.get<std::string>()) return p["containerPort"].get<int>();
  return -1;
}

inline const nlohmann::json& onlyContainer(const nlohmann::json& workload) {
  const auto& containers = workload["spec"]["template"]["spec"]["containers"];
  if (containers.size() != 1) throw std::runtime_error(workload["metadata"]["name"].get<std::string>() + ": expected one container");
  return containers[0];
}

// Renders one overlay per test; skips when kubectl is missing, fails on render errors.
class ManifestTest : public ::testing::Test {
 protected:
  void render(const std::string& overlay) {
    if (auto why = manifestToolsMissing()) GTEST_SKIP() << *why;
    rendered_ = std::make_unique<RenderedManifests>(overlay);
    ASSERT_TRUE(rendered_->ok()) << rendered_->error();
  }
  const RenderedManifests& m() const { return *rendered_; }

 private:
  std::unique_ptr<RenderedManifests> rendered_;
};

}  // namespace migwarden::testing
