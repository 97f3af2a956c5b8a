// Spec: the typed Pod view.
#include "webhook/admission/pod.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "webhook/admission/review.h"

namespace migwarden::admission {
namespace {

using migwarden::testing::readFixture;

Result<Pod> decodeJson(const std::string& text, rapidjson::Document& doc) {
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError());
  return decodePod(doc, "request.object");
}

std::string gpuPodWith(const std::function<void(nlohmann::json&)>& change) {
  nlohmann::json j = nlohmann::json::parse(readFixture("admission/gpu-pod-create.json"))["request"]["object"];
  change(j);
  return j.dump();
}

TEST(PodView, GpuPodFixtureDecodes) {
  Result<AdmissionReview> review = decodeAdmissionReview(readFixture("admission/gpu-pod-create.json"));
  ASSERT_TRUE(review.ok());
  Result<Pod> pod = decodePod(*review->request.object, "request.object");
  ASSERT_TRUE(pod.ok()) << pod.status().toString();
  EXPECT_EQ(pod->metadata.generateName, "train-");
  EXPECT_EQ(pod->metadata.namespace_, "ml");
  EXPECT_EQ(pod->metadata.annotations.at("migwarden.io/cuda-version"), "12.4");
  EXPECT_EQ(pod->metadata.labels.at("app"), "train");
  ASSERT_EQ(pod->containers.size(), 2u);
  const Container& train = pod->containers[0];
  EXPECT_EQ(train.name, "train");
  EXPECT_EQ(train.image, "nvcr.io/nvidia/pytorch:24.03-py3");
  ASSERT_EQ(train.limits.count("nvidia.com/mig-1g.10gb"), 1u);
  EXPECT_EQ(train.limits.at("nvidia.com/mig-1g.10gb").integerValue(), 1);
  EXPECT_EQ(train.limits.at("memory").integerValue(), int64_t{16} << 30);
  EXPECT_EQ(train.requests.at("cpu").milliValue(), 2000);
  ASSERT_EQ(train.env.size(), 2u);
  EXPECT_EQ(train.env[0].value, "10");
  EXPECT_EQ(train.env[1].valueFrom, EnvSourceKind::kSecretKeyRef);
  EXPECT_EQ(train.env[1].valueFromName, "wandb");
  ASSERT_NE(train.findEnv("EPOCHS"), nullptr);
  EXPECT_EQ(train.findEnv("NOPE"), nullptr);
  ASSERT_EQ(train.volumeMounts.size(), 1u);
  EXPECT_TRUE(train.volumeMounts[0].readOnly);
  EXPECT_FALSE(train.privileged.has_value());
  EXPECT_EQ(pod->containers[1].limits.count("nvidia.com/mig-1g.10gb"), 0u);
  EXPECT_EQ(pod->nodeSelector.at("nvidia.com/mig.strategy"), "mixed");
  ASSERT_EQ(pod->tolerations.size(), 1u);
  EXPECT_EQ(pod->tolerations[0].operator_, "Exists");
  EXPECT_EQ(pod->schedulerName, "default-scheduler");
  EXPECT_EQ(pod->priorityClassName, "ml-batch");
  EXPECT_EQ(pod->affinity, nullptr);
  EXPECT_TRUE(pod->nodeName.empty());
}

TEST(PodView, FullyPopulatedUpstreamPodDecodes) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(readFixture("k8s-api/core.v1.Pod.json"), doc);
  ASSERT_TRUE(pod.ok()) << pod.status().toString();
  EXPECT_EQ(pod->metadata.name, "nameValue");
  EXPECT_EQ(pod->metadata.uid, "uidValue");
  ASSERT_EQ(pod->metadata.ownerReferences.size(), 1u);
  EXPECT_TRUE(pod->metadata.ownerReferences[0].controller);
  ASSERT_EQ(pod->containers.size(), 1u);
  ASSERT_EQ(pod->initContainers.size(), 1u);
  ASSERT_EQ(pod->ephemeralContainers.size(), 1u);
  EXPECT_EQ(pod->initContainers[0].type, ContainerType::kInit);
  EXPECT_EQ(pod->ephemeralContainers[0].type, ContainerType::kEphemeral);
  const Container& c = pod->containers[0];
  EXPECT_EQ(c.limits.at("limitsKey").integerValue(), 0);
  EXPECT_EQ(c.privileged, true);
  ASSERT_FALSE(c.env.empty());
  // The placeholder sets every source at once; we record one, in a fixed order.
  EXPECT_EQ(c.env[0].valueFrom, EnvSourceKind::kSecretKeyRef);
  ASSERT_FALSE(c.envFrom.empty());
  EXPECT_FALSE(c.envFrom[0].kind.empty());
  EXPECT_NE(pod->affinity, nullptr);
  EXPECT_FALSE(pod->requiredNodeAffinity.empty());
  ASSERT_FALSE(pod->volumes.empty());
  EXPECT_TRUE(pod->volumes[0].hostPath.has_value());
  EXPECT_EQ(pod->nodeName, "nodeNameValue");
  EXPECT_EQ(pod->runtimeClassName, "runtimeClassNameValue");
}

TEST(PodView, PlaceholderEnumTextIsKeptNotInterpreted) {
  // Toleration and node-selector operators are validated by the apiserver, not by us.
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(readFixture("k8s-api/core.v1.Pod.json"), doc);
  ASSERT_TRUE(pod.ok());
  ASSERT_FALSE(pod->tolerations.empty());
  EXPECT_EQ(pod->tolerations[0].operator_, "operatorValue");
  EXPECT_EQ(pod->tolerations[0].tolerationSeconds, 5);
}

TEST(PodView, InvalidQuantityNamesTheField) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(gpuPodWith([](nlohmann::json& p) {
                                 p["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/mig-1g.10gb"] = "one";
                               }),
                               doc);
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().message(),
            "request.object.spec.containers[0].resources.limits[\"nvidia.com/mig-1g.10gb\"]: invalid quantity "
            "\"one\": expected a number (e.g. 1, 500m, 2Gi)");
}

TEST(PodView, QuantityOfWrongJsonTypeNamesTheField) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(gpuPodWith([](nlohmann::json& p) {
                                 p["spec"]["containers"][1]["resources"]["requests"] = {{"cpu", true}};
                               }),
                               doc);
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().message(),
            "request.object.spec.containers[1].resources.requests[\"cpu\"]: expected quantity (string or number), got "
            "boolean");
}

TEST(PodView, ContainerThatIsNotAnObjectNamesTheIndex) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(gpuPodWith([](nlohmann::json& p) { p["spec"]["containers"][1] = "sidecar"; }), doc);
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().message(), "request.object.spec.containers[1]: expected object, got string");
}

TEST(PodView, NonStringAnnotationNamesTheKey) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(
      gpuPodWith([](nlohmann::json& p) { p["metadata"]["annotations"]["migwarden.io/cuda-version"] = 12.4; }), doc);
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().message(),
            "request.object.metadata.annotations[\"migwarden.io/cuda-version\"]: expected string, got number");
}

TEST(PodView, NullLabelValueReadsAsEmptyLikeGo) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(gpuPodWith([](nlohmann::json& p) { p["metadata"]["labels"]["team"] = nullptr; }), doc);
  ASSERT_TRUE(pod.ok()) << pod.status().toString();
  EXPECT_EQ(pod->metadata.labels.at("team"), "");
}

TEST(PodView, MissingSpecIsRejected) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(R"({"metadata":{"name":"x"}})", doc);
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().message(), "request.object.spec: required");
}

TEST(PodView, ResourceFieldNameMatchesTheErrorStyle) {
  Container c;
  c.name = "train";
  EXPECT_EQ(c.resourceField("limits", "nvidia.com/mig-1g.10gb"),
            "container \"train\": resources.limits[\"nvidia.com/mig-1g.10gb\"]");
  c.type = ContainerType::kInit;
  EXPECT_EQ(c.resourceField("requests", "cpu"), "initContainer \"train\": resources.requests[\"cpu\"]");
}

TEST(PodView, ForEachContainerVisitsInitThenRegularThenEphemeral) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(readFixture("k8s-api/core.v1.Pod.json"), doc);
  ASSERT_TRUE(pod.ok());
  std::vector<ContainerType> seen;
  pod->forEachContainer([&](const Container& c) { seen.push_back(c.type); });
  EXPECT_EQ(seen,
            (std::vector<ContainerType>{ContainerType::kInit, ContainerType::kContainer, ContainerType::kEphemeral}));
}

TEST(PodView, HalfAGpuIsNotAWholeDevice) {
  rapidjson::Document doc;
  Result<Pod> pod = decodeJson(gpuPodWith([](nlohmann::json& p) {
                                 p["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/mig-1g.10gb"] = "500m";
                               }),
                               doc);
  ASSERT_TRUE(pod.ok());  // a valid quantity ...
  const Container& train = pod->containers[0];
  Result<int64_t> n =
      wholeDevices(train.limits.at("nvidia.com/mig-1g.10gb"), train.resourceField("limits", "nvidia.com/mig-1g.10gb"));
  ASSERT_FALSE(n.ok());  // ... but not a device count
  EXPECT_EQ(n.status().message(),
            "container \"train\": resources.limits[\"nvidia.com/mig-1g.10gb\"]: 500m is not a whole number of devices");
}

}  // namespace
}  // namespace migwarden::admission
