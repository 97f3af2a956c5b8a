// What kube-apiserver and a node agent send, built from the shared fixtures
// (tests/fixtures/admission), for every suite that drives the real binaries: GPU pod
// CREATE and pods/binding CREATE AdmissionReviews, and agent tokens minted the way an
// operator would (`migwardenctl token`). Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace migwarden::testing {

// The sample GPU pod (namespace ml, CUDA 12.4) with uid/name set, asking for `count` of
// `resource` in its first container instead of the fixture's nvidia.com/mig-1g.10gb.
nlohmann::json gpuPodReview(const std::string& podUid, const std::string& name, const std::string& resource,
                            int count = 1);

// The scheduler's pods/binding CREATE of pod (uid, name) to `node`.
nlohmann::json bindingReview(const std::string& podUid, const std::string& name, const std::string& node,
                             bool dryRun = false);

// An HS256 agent token for `node` from `migwardenctl token --key-file keyFile`; fails the
// test (and returns "") when the command fails.
std::string mintAgentToken(const std::string& node, const std::string& keyFile);

}  // namespace migwarden::testing
