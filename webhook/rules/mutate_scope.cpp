#include "webhook/rules/mutate_scope.h"

namespace migwarden::rules {

bool MutationScope::containerUsesMig(const admission::Container& c) const {
  for (const ContainerGpuRequest& r : gpu.perContainer)
    if (r.container == &c && isMigResource(r.resource)) return true;
  return false;
}

bool MutationScope::containerUsesWholeGpu(const admission::Container& c) const {
  for (const ContainerGpuRequest& r : gpu.perContainer)
    if (r.container == &c && r.resource == kWholeGpuResource) return true;
  return false;
}

Result<std::optional<MutationScope>> mutationScope(const admission::ReviewContext& context,
                                                   const policy::PolicyStore& policies) {
  const admission::AdmissionRequest& request = context.request();
  // Only CREATE: on UPDATE almost every pod field is immutable, so a patch would fail
  // apiserver validation; the mutating webhook configuration registers CREATE only.
  if (context.endpoint() != admission::Endpoint::kMutate || !context.isPod() ||
      request.operation != admission::Operation::kCreate || request.object == nullptr)
    return std::optional<MutationScope>();
  MutationScope scope;
  scope.policy = policies.current();
  if (!scope.policy || scope.policy->isIgnoredNamespace(request.namespace_)) return std::optional<MutationScope>();
  Result<const admission::Pod*> pod = context.pod();
  if (!pod.ok()) return pod.status();
  scope.pod = *pod;
  scope.object = request.object;
  Result<PodGpuRequests> gpu = gpuRequests(**pod);
  if (!gpu.ok()) return gpu.status();
  scope.gpu = std::move(*gpu);
  return std::optional<MutationScope>(std::move(scope));
}

std::optional<admission::JsonPointer> containerPointer(const admission::Pod& pod, const admission::Container& c) {
  auto indexIn = [&](const std::vector<admission::Container>& list) -> std::optional<size_t> {
    if (list.empty() || &c < list.data() || &c >= list.data() + list.size()) return std::nullopt;
    return static_cast<size_t>(&c - list.data());
  };
  if (auto i = indexIn(pod.containers)) return admission::JsonPointer::of({"spec", "containers"}).index(*i);
  if (auto i = indexIn(pod.initContainers)) return admission::JsonPointer::of({"spec", "initContainers"}).index(*i);
  return std::nullopt;
}

}  // namespace migwarden::rules
