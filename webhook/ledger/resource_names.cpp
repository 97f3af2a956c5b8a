#include "webhook/ledger/resource_names.h"

namespace migwarden::ledger {

std::string resourceForProfile(std::string_view profile) {
  std::string out(kMigResourcePrefix);
  for (char c : profile) out.push_back(c == '+' ? '.' : c);
  return out;
}

bool isMigResource(std::string_view resource) { return resource.starts_with(kMigResourcePrefix); }

}  // namespace migwarden::ledger
