#include "webhook/rules/mutate_affinity.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "webhook/rules/mutate_node_requirements.h"
#include "webhook/rules/mutate_scope.h"

namespace migwarden::rules {
namespace {

using admission::JsonPointer;
using admission::NodeSelectorRequirement;

rapidjson::Value requirementJson(const NodeSelectorRequirement& r, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value out(rapidjson::kObjectType);
  out.AddMember("key", rapidjson::Value(r.key.c_str(), alloc), alloc);
  out.AddMember("operator", rapidjson::Value(r.operator_.c_str(), alloc), alloc);
  rapidjson::Value values(rapidjson::kArrayType);
  for (const std::string& v : r.values) values.PushBack(rapidjson::Value(v.c_str(), alloc), alloc);
  out.AddMember("values", values, alloc);
  return out;
}

// `base` (a copy of one of the pod's terms, or an empty object) AND `ours`: our
// requirements appended to its matchExpressions, skipping ones it already has.
rapidjson::Value combinedTerm(const rapidjson::Value* base, const admission::NodeSelectorTerm& baseTyped,
                              const NodeTerm& ours, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value term(rapidjson::kObjectType);
  if (base != nullptr && base->IsObject()) term.CopyFrom(*base, alloc);
  auto expressions = term.FindMember("matchExpressions");
  if (expressions == term.MemberEnd() || !expressions->value.IsArray()) {
    if (expressions != term.MemberEnd()) term.RemoveMember(expressions);  // null
    term.AddMember("matchExpressions", rapidjson::Value(rapidjson::kArrayType), alloc);
    expressions = term.FindMember("matchExpressions");
  }
  for (const NodeSelectorRequirement& r : ours)
    if (!termImplies(baseTyped, {r})) expressions->value.PushBack(requirementJson(r, alloc), alloc);
  return term;
}

std::string toJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

class NodeAffinityMutation final : public admission::Rule {
 public:
  explicit NodeAffinityMutation(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return kRuleMutateNodeAffinity; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto scope = mutationScope(context, deps_.policies);
    if (!scope.ok()) return scope.status();
    if (!scope->has_value() || !(*scope)->isGpuPod()) return Status::Ok();
    const MutationScope& s = **scope;
    NodeRequirements needs = nodeRequirements(*s.policy, *s.pod, s.gpu);
    if (needs.anyOf.empty()) return Status::Ok();

    const auto& theirs = s.pod->requiredNodeAffinity;
    auto impliesOurs = [&](const admission::NodeSelectorTerm& t) {
      for (const NodeTerm& o : needs.anyOf)
        if (termImplies(t, o)) return true;
      return false;
    };
    if (!theirs.empty() && std::all_of(theirs.begin(), theirs.end(), impliesOurs)) return Status::Ok();

    const JsonPointer required =
        JsonPointer::of({"spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"});
    const JsonPointer termsPath = required.child("nodeSelectorTerms");
    const rapidjson::Value* rawTerms = admission::resolve(*s.object, termsPath);
    bool haveArray = rawTerms != nullptr && rawTerms->IsArray() && rawTerms->Size() == theirs.size();

    rapidjson::Document doc(rapidjson::kArrayType);
    auto& alloc = doc.GetAllocator();
    if (theirs.empty()) {
      for (const NodeTerm& o : needs.anyOf) doc.PushBack(combinedTerm(nullptr, {}, o, alloc), alloc);
    } else {
      if (!haveArray) return Status::Internal("decoded node affinity does not match request.object");
      for (size_t i = 0; i < theirs.size(); ++i) {
        const rapidjson::Value& raw = (*rawTerms)[static_cast<rapidjson::SizeType>(i)];
        if (impliesOurs(theirs[i])) {
          doc.PushBack(rapidjson::Value(raw, alloc), alloc);
          continue;
        }
        for (const NodeTerm& o : needs.anyOf) doc.PushBack(combinedTerm(&raw, theirs[i], o, alloc), alloc);
      }
    }

    if (rawTerms != nullptr && rawTerms->IsArray()) {
      decision.patch.replace(termsPath, toJson(doc));
    } else {
      // Absent or null (an empty array is replaced above): create each missing parent
      // object with its own add, then add the array.
      MIGWARDEN_RETURN_IF_ERROR(decision.patch.ensureObject(*s.object, required));
      decision.patch.add(termsPath, toJson(doc));
    }
    return Status::Ok();
  }

 private:
  const RuleDeps& deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makeNodeAffinityMutation(const RuleDeps& deps) {
  return std::make_unique<NodeAffinityMutation>(deps);
}

}  // namespace migwarden::rules
