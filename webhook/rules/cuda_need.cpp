#include "webhook/rules/cuda_need.h"

#include "webhook/policy/require_cuda.h"

namespace migwarden::rules {
namespace {

Result<policy::Version> parseDeclared(const std::string& text, const std::string& field) {
  auto v = policy::Version::parse(text);
  if (!v.ok() || v->empty())
    return Status::InvalidArgument(field + ": \"" + text + "\" is not a CUDA version (want e.g. \"12.4\")");
  return *v;
}

}  // namespace

Result<CudaNeed> resolveCudaNeed(const admission::Pod& pod, const PodGpuRequests& gpu, const policy::Policy& policy) {
  const policy::CudaDeclaration& decl = policy.data().cudaDeclaration;
  CudaNeed need;

  auto annotation = pod.metadata.annotations.find(decl.annotation);
  auto label = pod.metadata.labels.find(decl.label);
  std::optional<policy::Version> fromLabel;
  if (label != pod.metadata.labels.end()) {
    auto v = parseDeclared(label->second, "metadata.labels[\"" + decl.label + "\"]");
    if (!v.ok()) return v.status();
    fromLabel = *v;
  }
  if (annotation != pod.metadata.annotations.end()) {
    auto v = parseDeclared(annotation->second, "metadata.annotations[\"" + decl.annotation + "\"]");
    if (!v.ok()) return v.status();
    need.version = *v;
    need.source = "annotation \"" + decl.annotation + "\"";
    if (fromLabel && *fromLabel != *v)
      need.labelConflict = "annotation " + decl.annotation + "=" + annotation->second + " != label " + decl.label +
                           "=" + label->second + "; using " + v->toString();
    return need;
  }
  if (fromLabel) {
    need.version = fromLabel;
    need.source = "label \"" + decl.label + "\"";
    return need;
  }

  // Only containers that get GPUs matter: the runtime checks the requirement there only.
  for (const auto& r : gpu.perContainer) {
    const admission::EnvVar* env = r.container->findEnv(decl.requireEnv);
    if (env == nullptr || !env->value) continue;
    const admission::EnvVar* disable = r.container->findEnv(decl.disableRequireEnv);
    if (disable != nullptr && disable->value && !disable->value->empty() && *disable->value != "false") continue;
    auto expr = policy::parseRequireExpression(*env->value);
    if (!expr.ok())
      return Status::InvalidArgument("container \"" + r.container->name + "\": env " + decl.requireEnv + ": " +
                                     expr.status().message());
    if (auto v = expr->declaredCuda()) {
      need.version = *v;
      need.source = "container \"" + r.container->name + "\" env " + decl.requireEnv;
      return need;
    }
  }
  for (const auto& r : gpu.perContainer) {
    if (auto v = policy.cudaFromImage(r.container->image)) {
      need.version = *v;
      need.source = "container \"" + r.container->name + "\" image " + r.container->image;
      return need;
    }
  }
  return need;
}

}  // namespace migwarden::rules
