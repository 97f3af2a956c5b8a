#include "webhook/policy/source_parser.h"

#include "webhook/common/json_util.h"
#include "webhook/policy/parse_context.h"
#include "webhook/policy/source_sections.h"
#include "webhook/policy/validator.h"

#include <algorithm>

namespace migwarden::policy {
namespace {

using detail::ObjectReader;
using detail::ParseContext;

// "0x20B010DE" (NVML pciDeviceId: device id in the high 16 bits, vendor in the low 16).
std::optional<uint32_t> parsePciId(std::string_view text) {
  if (text.size() != 10 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return std::nullopt;
  uint32_t value = 0;
  for (char c : text.substr(2)) {
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') value |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= static_cast<uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return value;
}

// The <GB> of "<G>g.<GB>gb..."; 0 when the name does not have that shape (the validator
// reports the name itself).
uint32_t memoryGBFromName(std::string_view name) {
  size_t g = name.find("g.");
  if (g == std::string_view::npos) return 0;
  uint32_t gb = 0;
  size_t i = g + 2;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && gb < 100000; ++i) gb = gb * 10 + static_cast<uint32_t>(name[i] - '0');
  return name.substr(i, 2) == "gb" ? gb : 0;
}

void parseProfile(const rapidjson::Value& v, const std::string& path, ParseContext& ctx, const GpuModel& gpu,
                  MigProfile& p) {
  ObjectReader r(v, path, ctx);
  if (!r.valid()) return;
  uint32_t memSlicesMax = gpu.memorySlices ? gpu.memorySlices : 8;
  uint32_t compSlicesMax = gpu.computeSlices ? gpu.computeSlices : 8;
  r.string("name", p.name, true);
  r.string("resourceName", p.resourceName, false);
  r.uint("computeSlices", p.computeSlices, true, 1, compSlicesMax);
  r.uint("memorySlices", p.memorySlices, true, 1, memSlicesMax);
  r.uint("memoryGB", p.memoryGB, false, 1, 100000);
  r.uint("maxInstances", p.maxInstances, true, 1, gpu.maxGpuInstances ? gpu.maxGpuInstances : 8);
  r.optionalUint("profileId", p.profileId, 0, 1023);
  r.array("placementStarts", false, [&](const rapidjson::Value& e, const std::string& ep) {
    if (!e.IsUint() || e.GetUint() >= memSlicesMax) {
      ctx.error(ep, "must be a memory-slice index 0.." + std::to_string(memSlicesMax - 1));
      return;
    }
    p.placements.push_back({e.GetUint(), p.memorySlices});
  });
  r.string("note", p.note, false);
  r.finish();
  if (p.resourceName.empty() && !p.name.empty()) p.resourceName = migResourceName(p.name);
  if (p.memoryGB == 0) p.memoryGB = memoryGBFromName(p.name);
}

void parseGpu(const rapidjson::Value& v, const std::string& path, ParseContext& ctx, GpuModel& g) {
  ObjectReader r(v, path, ctx);
  if (!r.valid()) return;
  r.string("id", g.id, true);
  r.string("description", g.description, false);
  r.string("architecture", g.architecture, false);
  r.stringArray("productNames", g.productNames, false);
  r.array("pciDeviceIds", false, [&](const rapidjson::Value& e, const std::string& ep) {
    auto id = e.IsString() ? parsePciId(std::string_view(e.GetString(), e.GetStringLength())) : std::nullopt;
    if (!id) {
      ctx.error(ep, "must be a PCI device id like \"0x20B010DE\" (device id, then vendor 10DE)");
      return;
    }
    g.pciDeviceIds.push_back(*id);
  });
  r.version("computeCapability", g.computeCapability, true);
  r.uint("memoryGB", g.memoryGB, false, 1, 100000);
  r.uint("memorySlices", g.memorySlices, true, 1, 8);
  r.uint("computeSlices", g.computeSlices, true, 1, 8);
  r.uint("maxGpuInstances", g.maxGpuInstances, true, 1, 8);
  r.version("migMinDriver", g.migMinDriver, false);
  r.array("migProfiles", true, [&](const rapidjson::Value& e, const std::string& ep) {
    MigProfile p;
    parseProfile(e, ep, ctx, g, p);
    g.migProfiles.push_back(std::move(p));
  });
  r.finish();
}

// Reads everything it can, reporting problems; the fragment is usable only when no
// problem was reported, but is returned anyway so semantic checks can still run on the
// parts that were fine (see parseSources).
SourceFragment parseFragment(const rapidjson::Value& root, std::string_view file, Diagnostics& errors) {
  ParseContext ctx(std::string(file), errors);
  SourceFragment f;
  f.file = std::string(file);
  ObjectReader r(root, "", ctx);
  if (!r.valid()) return f;
  std::string ignoredSchema;
  r.string("$schema", ignoredSchema, false);
  uint32_t formatVersion = 1;
  if (r.uint("formatVersion", formatVersion, false, 1, 1000) && formatVersion != 1) {
    ctx.error("formatVersion", "unsupported source format " + std::to_string(formatVersion) + " (this build reads 1)");
  }
  std::string name;
  if (r.string("name", name, false) && !name.empty()) f.name = name;
  r.array("gpus", false, [&](const rapidjson::Value& e, const std::string& p) {
    GpuModel g;
    parseGpu(e, p, ctx, g);
    f.gpus.push_back(std::move(g));
  });
  if (const auto* v = r.member("cuda")) f.cuda = detail::parseCudaTable(*v, "cuda", ctx);
  if (const auto* v = r.member("cudaDeclaration"))
    f.cudaDeclaration = detail::parseCudaDeclaration(*v, "cudaDeclaration", ctx);
  if (const auto* v = r.member("mutation")) f.mutation = detail::parseMutation(*v, "mutation", ctx);
  if (const auto* v = r.member("enforcement")) f.enforcement = detail::parseEnforcement(*v, "enforcement", ctx);
  r.finish();
  return f;
}

// The part of a structural error's path whose semantic errors would only be noise: the
// object holding the bad field ("gpus[0].migProfiles[1].memorySlices" -> "gpus[0].migProfiles[1]").
std::string noisyPrefix(const std::string& path) {
  size_t dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(0, dot);
}

}  // namespace

std::optional<SourceFragment> parseSourceValue(const rapidjson::Value& root, std::string_view file,
                                               Diagnostics& errors) {
  size_t before = errors.size();
  SourceFragment f = parseFragment(root, file, errors);
  if (errors.size() != before) return std::nullopt;
  return f;
}

std::optional<SourceFragment> parseSourceFragment(std::string_view text, std::string_view file, Diagnostics& errors,
                                                  bool allowComments) {
  auto doc = json::parse(text, {.allowComments = allowComments, .allowTrailingCommas = allowComments});
  if (!doc.ok()) {
    errors.push_back({std::string(file), "", doc.status().message()});
    return std::nullopt;
  }
  return parseSourceValue(*doc, file, errors);
}

ParsedSources parseSources(const std::vector<SourceInput>& inputs) {
  ParsedSources out;
  if (inputs.empty()) {
    out.errors.push_back({"", "", "no policy source given"});
    return out;
  }
  std::vector<SourceFragment> fragments;
  bool syntaxError = false;
  for (const auto& in : inputs) {
    auto doc = json::parse(in.text, {.allowComments = true, .allowTrailingCommas = true});
    if (!doc.ok()) {
      out.errors.push_back({in.file, "", doc.status().message()});
      syntaxError = true;
      continue;
    }
    fragments.push_back(parseFragment(*doc, in.file, out.errors));
  }
  if (syntaxError) return out;

  PolicyData data;
  // Each singular section may come from one file only; a second copy is almost always
  // an accident (two versions of the same table) and would be resolved silently otherwise.
  auto takeOnce = [&](auto& dst, auto& src, std::string& origin, const SourceFragment& f, const char* key) {
    if (!src) return;
    if (!origin.empty()) {
      out.errors.push_back({f.file, key, "already defined in " + origin + " (define each section in one file)"});
      return;
    }
    origin = f.file;
    dst = std::move(*src);
  };
  std::string nameOrigin;
  for (auto& f : fragments) {
    for (size_t i = 0; i < f.gpus.size(); ++i) {
      out.origins.gpus.push_back({f.file, i});
      data.gpus.push_back(std::move(f.gpus[i]));
    }
    takeOnce(data.name, f.name, nameOrigin, f, "name");
    takeOnce(data.cuda, f.cuda, out.origins.cuda, f, "cuda");
    takeOnce(data.cudaDeclaration, f.cudaDeclaration, out.origins.cudaDeclaration, f, "cudaDeclaration");
    takeOnce(data.mutation, f.mutation, out.origins.mutation, f, "mutation");
    takeOnce(data.enforcement, f.enforcement, out.origins.enforcement, f, "enforcement");
  }
  if (out.origins.cuda.empty()) out.errors.push_back({inputs.front().file, "cuda", "is required in one of the files"});
  if (out.errors.empty()) {
    out.data = std::move(data);
    return out;
  }
  // Structural problems: still run the semantic checks, so an author sees every problem
  // in one pass, but drop those inside an object that already has a structural error
  // (a missing field read as 0 would only produce echoes).
  Diagnostics structural = out.errors;
  for (auto& d : validatePolicy(data, &out.origins)) {
    bool noisy = std::any_of(structural.begin(), structural.end(), [&](const Diagnostic& e) {
      std::string prefix = noisyPrefix(e.path);
      return e.file == d.file && (prefix.empty() || d.path.rfind(prefix, 0) == 0);
    });
    if (!noisy) out.errors.push_back(std::move(d));
  }
  return out;
}

}  // namespace migwarden::policy
