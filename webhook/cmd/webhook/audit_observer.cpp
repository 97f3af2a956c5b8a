#include "webhook/cmd/webhook/audit_observer.h"

#include <rapidjson/document.h>

#include <charconv>

namespace migwarden::webhook {
namespace {

std::string_view stringMember(const rapidjson::Value* object, const char* parent, const char* name) {
  if (!object || !object->IsObject()) return {};
  auto p = object->FindMember(parent);
  if (p == object->MemberEnd() || !p->value.IsObject()) return {};
  auto m = p->value.FindMember(name);
  if (m == p->value.MemberEnd() || !m->value.IsString()) return {};
  return {m->value.GetString(), m->value.GetStringLength()};
}

// "nvidia.com/mig-1g.5gb=2,nvidia.com/gpu=1" (the rules' slices/reserved annotations).
void addResources(std::string_view list, std::vector<audit::MigResource>& out) {
  while (!list.empty()) {
    std::string_view item = list.substr(0, list.find(','));
    list.remove_prefix(std::min(list.size(), item.size() + 1));
    auto eq = item.rfind('=');
    if (eq == std::string_view::npos) continue;
    int64_t count = 0;
    std::from_chars(item.data() + eq + 1, item.data() + item.size(), count);
    out.push_back({std::string(item.substr(0, eq)), count});
  }
}

audit::Decision decisionOf(const admission::Decision& d) {
  if (!d.allowed) return audit::Decision::kDenied;
  if (!d.warnings.empty()) return audit::Decision::kWarned;
  return audit::Decision::kAllowed;
}

}  // namespace

void AuditObserver::observe(admission::Endpoint endpoint, const admission::AdmissionRequest& request,
                            const admission::Decision& decision, std::chrono::microseconds latency) {
  audit::AuditRecord r;
  r.kind = audit::RecordKind::kAdmission;
  r.requestUid = request.uid;
  r.user = request.userInfo.username;
  r.groups = request.userInfo.groups;
  r.operation = std::string(admission::operationName(request.operation));
  r.resource = request.resource.resource;
  r.subResource = request.subResource;
  r.namespace_ = request.namespace_;
  r.name = request.name;
  const rapidjson::Value* object = request.object ? request.object : request.oldObject;
  r.podUid = std::string(stringMember(object, "metadata", "uid"));
  if (request.subResource == "binding") r.node = std::string(stringMember(object, "target", "name"));
  r.decision = decisionOf(decision);
  r.message = decision.message;
  r.warnings = decision.warnings;
  r.dryRun = request.dryRun;
  r.latencyMicros = latency.count();
  r.policyDigest = policies_.current()->digest();
  r.details["endpoint"] = endpoint == admission::Endpoint::kMutate ? "mutate" : "validate";
  if (endpoint == admission::Endpoint::kMutate && decision.allowed && !decision.patch.empty())
    r.details["patchOperations"] = std::to_string(decision.patch.size());
  for (const auto& [key, value] : decision.auditAnnotations) {
    if (key.rfind("rule.", 0) == 0) {
      r.rules.push_back({key.substr(5), value});
    } else if (key == "slices" || key == "binding.reserved") {
      addResources(value, r.migResources);
      r.details[key] = value;
    } else {
      r.details[key] = value;
    }
  }
  log_.append(std::move(r));
}

}  // namespace migwarden::webhook
