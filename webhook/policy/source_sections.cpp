#include "webhook/policy/source_sections.h"

namespace migwarden::policy::detail {
namespace {

std::vector<EnvVar> parseEnvList(ObjectReader& parent, std::string_view key) {
  std::vector<EnvVar> out;
  parent.array(key, false, [&](const rapidjson::Value& e, const std::string& p) {
    ObjectReader r(e, p, parent.ctx());
    EnvVar var;
    r.string("name", var.name, true);
    r.string("value", var.value, false);
    r.finish();
    out.push_back(std::move(var));
  });
  return out;
}

std::vector<Toleration> parseTolerations(ObjectReader& parent, std::string_view key) {
  std::vector<Toleration> out;
  parent.array(key, false, [&](const rapidjson::Value& e, const std::string& p) {
    ObjectReader r(e, p, parent.ctx());
    Toleration t;
    r.string("key", t.key, false);
    r.string("operator", t.op, false);
    r.string("value", t.value, false);
    r.string("effect", t.effect, false);
    r.finish();
    if (t.op != "Exists" && t.op != "Equal") parent.ctx().error(p + ".operator", "must be Exists or Equal");
    if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
      parent.ctx().error(p + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute");
    }
    out.push_back(std::move(t));
  });
  return out;
}

bool readAction(ObjectReader& r, std::string_view key, std::optional<Action>& out) {
  std::string text;
  if (!r.string(key, text, false) || text.empty()) return false;
  out = parseAction(text);
  if (!out) r.ctx().error(r.pathOf(key), "must be deny, warn or audit, got \"" + text + "\"");
  return out.has_value();
}

}  // namespace

CudaTable parseCudaTable(const rapidjson::Value& v, const std::string& path, ParseContext& ctx) {
  CudaTable t;
  ObjectReader r(v, path, ctx);
  r.array("releases", true, [&](const rapidjson::Value& e, const std::string& p) {
    ObjectReader rr(e, p, ctx);
    CudaRelease rel;
    rr.version("version", rel.version, true);
    rr.string("label", rel.label, false);
    rr.version("linuxMinDriver", rel.linuxMinDriver, true);
    rr.boolean("preRelease", rel.preRelease, false);
    rr.string("note", rel.note, false);
    rr.finish();
    if (rel.label.empty()) rel.label = "CUDA " + rel.version.toString();
    t.releases.push_back(std::move(rel));
  });
  r.boolean("allowMinorVersionCompatibility", t.allowMinorVersionCompatibility, false);
  r.array("minorVersionCompatibility", false, [&](const rapidjson::Value& e, const std::string& p) {
    ObjectReader rr(e, p, ctx);
    MinorVersionFloor f;
    rr.uint("cudaMajor", f.cudaMajor, true, 1, 1000);
    rr.version("minDriver", f.minDriver, true);
    rr.finish();
    t.minorVersionCompatibility.push_back(std::move(f));
  });
  r.array("architectures", false, [&](const rapidjson::Value& e, const std::string& p) {
    ObjectReader rr(e, p, ctx);
    Architecture a;
    rr.string("name", a.name, true);
    std::vector<std::string> ccs;
    rr.stringArray("computeCapabilities", ccs, true);
    for (size_t i = 0; i < ccs.size(); ++i) {
      auto cc = Version::parse(ccs[i]);
      if (!cc.ok()) ctx.error(p + ".computeCapabilities[" + std::to_string(i) + "]", cc.status().message());
      else a.computeCapabilities.push_back(*cc);
    }
    rr.version("firstCuda", a.firstCuda, true);
    rr.optionalUint("lastCudaMajor", a.lastCudaMajor, 1, 1000);
    rr.string("note", a.note, false);
    rr.finish();
    t.architectures.push_back(std::move(a));
  });
  r.finish();
  return t;
}

CudaDeclaration parseCudaDeclaration(const rapidjson::Value& v, const std::string& path, ParseContext& ctx) {
  CudaDeclaration d;
  ObjectReader r(v, path, ctx);
  r.string("annotation", d.annotation, false);
  r.string("label", d.label, false);
  r.string("requireEnv", d.requireEnv, false);
  r.string("disableRequireEnv", d.disableRequireEnv, false);
  r.array("imageRules", false, [&](const rapidjson::Value& e, const std::string& p) {
    ObjectReader rr(e, p, ctx);
    ImageRule rule;
    rr.string("match", rule.match, true);
    rr.string("cudaVersion", rule.cudaVersion, true);
    rr.finish();
    d.imageRules.push_back(std::move(rule));
  });
  r.finish();
  return d;
}

Mutation parseMutation(const rapidjson::Value& v, const std::string& path, ParseContext& ctx) {
  Mutation m;
  ObjectReader r(v, path, ctx);
  if (const auto* env = r.member("env")) {
    ObjectReader er(*env, r.pathOf("env"), ctx);
    m.migSliceEnv = parseEnvList(er, "migSlice");
    m.wholeGpuEnv = parseEnvList(er, "wholeGpu");
    m.noGpuEnv = parseEnvList(er, "noGpu");
    er.finish();
  }
  if (const auto* nccl = r.member("ncclOnMig")) {
    ObjectReader nr(*nccl, r.pathOf("ncclOnMig"), ctx);
    m.ncclOnMigEnv = parseEnvList(nr, "env");
    nr.uint("minCudaDriverMajor", m.ncclOnMigMinCudaDriverMajor, false, 1, 1000);
    nr.finish();
  }
  if (const auto* tol = r.member("tolerations")) {
    ObjectReader tr(*tol, r.pathOf("tolerations"), ctx);
    m.migSliceTolerations = parseTolerations(tr, "migSlice");
    m.wholeGpuTolerations = parseTolerations(tr, "wholeGpu");
    tr.finish();
  }
  if (const auto* labels = r.member("nodeLabels")) {
    ObjectReader lr(*labels, r.pathOf("nodeLabels"), ctx);
    NodeLabels& n = m.nodeLabels;
    lr.string("product", n.product, false);
    lr.string("driverMajor", n.driverMajor, false);
    lr.string("driverMinor", n.driverMinor, false);
    lr.string("driverRevision", n.driverRevision, false);
    lr.string("migCapable", n.migCapable, false);
    lr.string("migStrategy", n.migStrategy, false);
    lr.string("migConfigState", n.migConfigState, false);
    lr.finish();
  }
  r.finish();
  return m;
}

Enforcement parseEnforcement(const rapidjson::Value& v, const std::string& path, ParseContext& ctx) {
  Enforcement e;
  ObjectReader r(v, path, ctx);
  std::optional<Action> def;
  if (readAction(r, "defaultAction", def)) e.defaultAction = *def;
  r.array("rules", false, [&](const rapidjson::Value& el, const std::string& p) {
    ObjectReader rr(el, p, ctx);
    RuleSpec rule;
    rr.string("id", rule.id, true);
    rr.string("description", rule.description, false);
    readAction(rr, "action", rule.action);
    rr.finish();
    e.rules.push_back(std::move(rule));
  });
  r.array("overrides", false, [&](const rapidjson::Value& el, const std::string& p) {
    ObjectReader rr(el, p, ctx);
    NamespaceOverride o;
    rr.stringArray("rules", o.rules, false);
    std::optional<Action> action;
    if (readAction(rr, "action", action)) o.action = *action;
    else if (rr.member("action") == nullptr) ctx.error(p + ".action", "is required");
    rr.stringArray("namespaces", o.namespaces, false);
    if (const auto* sel = rr.member("namespaceSelector")) {
      ObjectReader sr(*sel, p + ".namespaceSelector", ctx);
      std::map<std::string, std::string> labels;
      if (const auto* ml = sr.member("matchLabels")) {
        if (!ml->IsObject()) {
          ctx.error(p + ".namespaceSelector.matchLabels", "must be an object of label: value");
        } else {
          for (auto it = ml->MemberBegin(); it != ml->MemberEnd(); ++it) {
            if (!it->value.IsString()) {
              ctx.error(p + ".namespaceSelector.matchLabels." + it->name.GetString(), "must be a string");
              continue;
            }
            labels[it->name.GetString()] = it->value.GetString();
          }
        }
      }
      sr.finish();
      o.matchLabels = std::move(labels);
    }
    rr.finish();
    e.overrides.push_back(std::move(o));
  });
  r.stringArray("ignoredNamespaces", e.ignoredNamespaces, false);
  r.finish();
  return e;
}

}  // namespace migwarden::policy::detail
