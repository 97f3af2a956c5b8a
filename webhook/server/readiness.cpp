#include "webhook/server/readiness.h"

namespace migwarden::server {

void Readiness::add(std::string name, Check check) { checks_.push_back({std::move(name), std::move(check)}); }

std::vector<std::string> Readiness::failing() const {
  std::vector<std::string> out;
  if (draining_.load(std::memory_order_relaxed)) out.emplace_back("shutdown: draining");
  for (const auto& c : checks_) {
    Status s = c.check();
    if (!s.ok()) out.push_back(c.name + ": " + s.message());
  }
  return out;
}

}  // namespace migwarden::server
