// migwardenctl policy test: table-driven cases against a policy. A case file holds
//   {"cases": [{"name": "...", "query": {...}, "expect": {...}}]}
// Query kinds (by their keys): cuda+driver [gpu|cc, mig] -> CUDA verdict; resource ->
// GPU models; image -> CUDA version from image rules; requireCuda [+facts] ->
// NVIDIA_REQUIRE_CUDA evaluation; rule+namespace [namespaceLabels] -> action;
// namespace alone -> ignored or not. See docs/policy-authoring.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "webhook/cmd/ctl/policy_command.h"
#include "webhook/common/env.h"
#include "webhook/common/json_util.h"
#include "webhook/policy/require_cuda.h"

namespace migwarden::ctl::policycmd {
namespace {

namespace fs = std::filesystem;
using policy::Policy;

struct CaseResult {
  std::string file, name;
  std::vector<std::string> failures;  // empty = pass
};

std::string str(const rapidjson::Value& obj, const char* key) {
  const auto* v = json::find(obj, key);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

class Expectations {
 public:
  Expectations(const rapidjson::Value* expect, std::vector<std::string>& failures) : expect_(expect), failures_(failures) {}

  void boolean(const char* key, bool actual) {
    const auto* v = find(key);
    if (v == nullptr) return;
    if (!v->IsBool() || v->GetBool() != actual) {
      failures_.push_back(std::string(key) + ": expected " + json::toString(*v) + ", got " + (actual ? "true" : "false"));
    }
  }
  void string(const char* key, const std::string& actual) {
    const auto* v = find(key);
    if (v == nullptr) return;
    if (v->IsNull() && actual.empty()) return;
    if (!v->IsString() || actual != v->GetString()) {
      failures_.push_back(std::string(key) + ": expected " + json::toString(*v) + ", got \"" + actual + "\"");
    }
  }
  void contains(const char* key, const std::string& actual) {
    const auto* v = find(key);
    if (v == nullptr) return;
    if (!v->IsString() || actual.find(v->GetString()) == std::string::npos) {
      failures_.push_back(std::string(key) + ": expected to contain " + json::toString(*v) + ", got \"" + actual + "\"");
    }
  }
  void stringSet(const char* key, std::vector<std::string> actual) {
    const auto* v = find(key);
    if (v == nullptr) return;
    std::vector<std::string> want;
    if (v->IsArray()) {
      for (const auto& e : v->GetArray()) want.emplace_back(e.IsString() ? e.GetString() : json::toString(e));
    }
    std::sort(want.begin(), want.end());
    std::sort(actual.begin(), actual.end());
    if (want != actual) {
      std::string a, w;
      for (const auto& s : actual) a += (a.empty() ? "" : ", ") + s;
      for (const auto& s : want) w += (w.empty() ? "" : ", ") + s;
      failures_.push_back(std::string(key) + ":\n      - expected [" + w + "]\n      + got      [" + a + "]");
    }
  }

 private:
  const rapidjson::Value* find(const char* key) {
    if (expect_ == nullptr || !expect_->IsObject()) return nullptr;
    auto it = expect_->FindMember(key);
    return it == expect_->MemberEnd() ? nullptr : &it->value;
  }
  const rapidjson::Value* expect_;
  std::vector<std::string>& failures_;
};

std::optional<policy::Version> version(const rapidjson::Value& q, const char* key, std::vector<std::string>& failures) {
  std::string text = str(q, key);
  if (text.empty()) return std::nullopt;
  auto v = policy::Version::parse(text);
  if (!v.ok()) {
    failures.push_back(std::string("query.") + key + ": " + v.status().message());
    return std::nullopt;
  }
  return *v;
}

void runCase(const Policy& p, const rapidjson::Value& c, CaseResult& r) {
  const rapidjson::Value* q = json::find(c, "query");
  const rapidjson::Value* e = json::find(c, "expect");
  if (q == nullptr || !q->IsObject() || e == nullptr || !e->IsObject()) {
    r.failures.push_back("a case needs \"query\" and \"expect\" objects");
    return;
  }
  Expectations ex(e, r.failures);
  if (json::find(*q, "cuda") && json::find(*q, "driver")) {
    policy::CudaQuery cq;
    auto cuda = version(*q, "cuda", r.failures);
    auto driver = version(*q, "driver", r.failures);
    if (!cuda || !driver) return;
    cq.cuda = *cuda;
    cq.driver = *driver;
    cq.computeCapability = version(*q, "cc", r.failures);
    if (std::string gpu = str(*q, "gpu"); !gpu.empty()) {
      cq.gpu = p.gpuByName(gpu);
      if (cq.gpu == nullptr) r.failures.push_back("query.gpu: no GPU model \"" + gpu + "\"");
    }
    const auto* mig = json::find(*q, "mig");
    cq.mig = mig && mig->IsBool() && mig->GetBool();
    auto v = p.checkCuda(cq);
    ex.boolean("compatible", v.compatible);
    ex.string("reason", std::string(policy::cudaVerdictReasonName(v.reason)));
    ex.string("rule", v.ruleId);
    ex.contains("messageContains", v.message);
    ex.string("requiredDriver", v.requiredDriver.toString());
  } else if (std::string res = str(*q, "resource"); !res.empty()) {
    std::vector<std::string> gpus;
    for (const auto& ref : p.profilesForResource(res)) gpus.push_back(ref.gpu->id);
    ex.stringSet("gpus", gpus);
  } else if (std::string image = str(*q, "image"); !image.empty()) {
    auto v = p.cudaFromImage(image);
    ex.string("cuda", v ? v->toString() : "");
  } else if (const auto* req = json::find(*q, "requireCuda"); req && req->IsString()) {
    auto expr = policy::parseRequireExpression(req->GetString());
    ex.boolean("valid", expr.ok());
    if (!expr.ok()) {
      ex.contains("errorContains", expr.status().message());
      return;
    }
    auto declared = expr->declaredCuda();
    ex.string("declaredCuda", declared ? declared->toString() : "");
    policy::RequireFacts facts;
    facts.cuda = version(*q, "hostCuda", r.failures).value_or(policy::Version{});
    facts.driver = version(*q, "driver", r.failures).value_or(policy::Version{});
    facts.arch = version(*q, "arch", r.failures).value_or(policy::Version{});
    facts.brand = str(*q, "brand");
    ex.boolean("satisfied", policy::evaluateRequire(*expr, facts));
  } else if (std::string rule = str(*q, "rule"); !rule.empty()) {
    policy::Labels labels;
    if (const auto* l = json::find(*q, "namespaceLabels"); l && l->IsObject()) {
      for (auto it = l->MemberBegin(); it != l->MemberEnd(); ++it) {
        if (it->value.IsString()) labels[it->name.GetString()] = it->value.GetString();
      }
    }
    auto d = p.resolveAction(rule, str(*q, "namespace"), labels);
    ex.string("action", std::string(policy::actionName(d.action)));
  } else if (std::string ns = str(*q, "namespace"); !ns.empty()) {
    ex.boolean("ignored", p.isIgnoredNamespace(ns));
  } else {
    r.failures.push_back("query has none of: cuda+driver, resource, image, requireCuda, rule, namespace");
  }
}

std::string xmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string junit(const std::vector<CaseResult>& results) {
  size_t failed = 0;
  for (const auto& r : results) failed += r.failures.empty() ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"migwarden-policy\" tests=\"" +
                    std::to_string(results.size()) + "\" failures=\"" + std::to_string(failed) + "\">\n";
  for (const auto& r : results) {
    out += "  <testcase classname=\"" + xmlEscape(r.file) + "\" name=\"" + xmlEscape(r.name) + "\"";
    if (r.failures.empty()) {
      out += "/>\n";
      continue;
    }
    std::string text;
    for (const auto& f : r.failures) text += f + "\n";
    out += ">\n    <failure message=\"" + xmlEscape(r.failures.front()) + "\">" + xmlEscape(text) + "</failure>\n  </testcase>\n";
  }
  return out + "</testsuite>\n";
}

}  // namespace

int runTest(Args args) {
  std::vector<std::string> files, inputs;
  std::string junitPath;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::printf(
          "usage: migwardenctl policy test [--policy F]... [--junit OUT.xml] CASES...\n\n"
          "Runs policy test cases (JSON files, or directories of *.json) against the policy\n"
          "(--policy sources or artifact; default: the built-in table). Prints a diff for\n"
          "each failing case; exit 1 when any case fails. Case format: docs/policy-authoring.md.\n");
      return 0;
    }
    if (args[i] == "--policy" && i + 1 < args.size()) files.emplace_back(args[++i]);
    else if (args[i] == "--junit" && i + 1 < args.size()) junitPath = std::string(args[++i]);
    else inputs.emplace_back(args[i]);
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: migwardenctl policy test [--policy F]... [--junit OUT.xml] CASES...\n");
    return 2;
  }
  auto p = loadPolicyOrBuiltin(files);
  if (!p) return 1;

  std::vector<std::string> caseFiles;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& ent : fs::directory_iterator(in, ec)) {
        if (ent.path().extension() == ".json") caseFiles.push_back(ent.path().string());
      }
    } else {
      caseFiles.push_back(in);
    }
  }
  std::sort(caseFiles.begin(), caseFiles.end());
  PosixEnv env;
  std::vector<CaseResult> results;
  for (const auto& f : caseFiles) {
    auto text = env.readFile(f);
    auto doc = text.ok() ? json::parse(*text, {.allowComments = true, .allowTrailingCommas = true})
                         : Result<rapidjson::Document>(text.status());
    const rapidjson::Value* cases = doc.ok() ? json::find(*doc, "cases") : nullptr;
    if (cases == nullptr || !cases->IsArray()) {
      results.push_back({f, "(file)", {doc.ok() ? "needs a \"cases\" array" : doc.status().message()}});
      continue;
    }
    for (rapidjson::SizeType i = 0; i < cases->Size(); ++i) {
      CaseResult r{f, str((*cases)[i], "name"), {}};
      if (r.name.empty()) r.name = "cases[" + std::to_string(i) + "]";
      runCase(*p, (*cases)[i], r);
      results.push_back(std::move(r));
    }
  }
  size_t failed = 0;
  for (const auto& r : results) {
    if (r.failures.empty()) continue;
    ++failed;
    std::printf("FAIL %s: %s\n", r.file.c_str(), r.name.c_str());
    for (const auto& f : r.failures) std::printf("    %s\n", f.c_str());
  }
  std::printf("%zu case(s), %zu passed, %zu failed (policy %s)\n", results.size(), results.size() - failed, failed,
              p->digest().c_str());
  if (!junitPath.empty()) {
    auto st = env.writeFileAtomically(junitPath, junit(results));
    if (!st.ok()) std::fprintf(stderr, "%s: %s\n", junitPath.c_str(), st.message().c_str());
  }
  return failed == 0 && !results.empty() ? 0 : 1;
}

}  // namespace migwarden::ctl::policycmd
