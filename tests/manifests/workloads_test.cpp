// The base's workloads and their surroundings: the webhook Deployment, the agent
// DaemonSet, Service, NetworkPolicy, PodDisruptionBudget and (the absence of) RBAC.
#include <algorithm>

#include "tests/manifests/manifest_test_base.h"

namespace migwarden::testing {
namespace {

class Workloads : public ManifestTest {
 protected:
  void SetUp() override { render("base"); }
  const nlohmann::json& webhook() const { return m().get("Deployment", "migwarden-webhook"); }
  const nlohmann::json& agent() const { return m().get("DaemonSet", "migwarden-agent"); }
  const nlohmann::json& podSpec(const nlohmann::json& w) const { return w["spec"]["template"]["spec"]; }

  const nlohmann::json* volumeNamed(const nlohmann::json& workload, const std::string& name) const {
    for (const auto& v : podSpec(workload)["volumes"])
      if (v["name"] == name) return &v;
    return nullptr;
  }
  // The volume mounted at exactly `path` in the workload's container.
  const nlohmann::json* mountAt(const nlohmann::json& workload, const std::string& path) const {
    for (const auto& vm : onlyContainer(workload)["volumeMounts"])
      if (vm["mountPath"] == path) return &vm;
    return nullptr;
  }
};

void expectHardenedContainer(const nlohmann::json& c) {
  SCOPED_TRACE("container " + c["name"].get<std::string>());
  const auto& sc = c["securityContext"];
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc.value("privileged", false), false);
  EXPECT_EQ(sc["capabilities"]["drop"], nlohmann::json::array({"ALL"}));
  EXPECT_FALSE(sc["capabilities"].contains("add"));
  EXPECT_TRUE(c["resources"]["requests"].contains("cpu"));
  EXPECT_TRUE(c["resources"]["requests"].contains("memory"));
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
}

TEST_F(Workloads, WebhookRunsAsNonRootWithReadOnlyRootAndNoCapabilities) {
  const auto& pod = podSpec(webhook());
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_NE(pod["securityContext"].value("runAsUser", 0), 0);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(pod["automountServiceAccountToken"], false);
  expectHardenedContainer(onlyContainer(webhook()));
}

TEST_F(Workloads, WebhookProbesUseTheHealthPortAndServesTlsOn8443) {
  const auto& c = onlyContainer(webhook());
  EXPECT_EQ(resolvePort(c, "https"), 8443);
  EXPECT_EQ(resolvePort(c, "health"), 8080);
  EXPECT_EQ(argValue(c, "listen"), "0.0.0.0:8443");
  EXPECT_EQ(argValue(c, "health-listen"), "0.0.0.0:8080");
  ASSERT_TRUE(c.contains("readinessProbe") && c.contains("livenessProbe"));
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(resolvePort(c, c["readinessProbe"]["httpGet"]["port"]), 8080);
  EXPECT_EQ(resolvePort(c, c["livenessProbe"]["httpGet"]["port"]), 8080);
}

TEST_F(Workloads, WebhookDrainsBeforeStoppingWithinItsGracePeriod) {
  const auto& c = onlyContainer(webhook());
  ASSERT_TRUE(c["lifecycle"]["preStop"].contains("sleep")) << "the distroless image has no shell for exec";
  const int preStop = c["lifecycle"]["preStop"]["sleep"]["seconds"].get<int>();
  EXPECT_GE(preStop, 3);
  const auto grace = argValue(c, "shutdown-grace");
  ASSERT_TRUE(grace.has_value());
  ASSERT_EQ(grace->back(), 's');
  const int shutdown = std::stoi(grace->substr(0, grace->size() - 1));
  EXPECT_LT(preStop + shutdown, podSpec(webhook())["terminationGracePeriodSeconds"].get<int>());
}

TEST_F(Workloads, WebhookKeepsOneWriterOnItsPersistentLedger) {
  EXPECT_EQ(webhook()["spec"]["replicas"], 1);
  EXPECT_EQ(webhook()["spec"]["strategy"]["type"], "Recreate");
  for (const char* flag : {"ledger-dir", "audit-log"}) {
    SCOPED_TRACE(flag);
    auto path = argValue(onlyContainer(webhook()), flag);
    ASSERT_TRUE(path.has_value());
    if (std::string(flag) == "audit-log") path = path->substr(0, path->rfind('/'));
    const auto* mount = mountAt(webhook(), *path);
    ASSERT_NE(mount, nullptr) << *path << " is not a volume mount";
    const auto* volume = volumeNamed(webhook(), (*mount)["name"]);
    ASSERT_NE(volume, nullptr);
    ASSERT_TRUE(volume->contains("persistentVolumeClaim"));
    const auto& pvc = m().get("PersistentVolumeClaim", (*volume)["persistentVolumeClaim"]["claimName"]);
    EXPECT_TRUE(contains(pvc["spec"]["accessModes"], "ReadWriteOnce"));
  }
}

// A binary's flags are its own table plus the ones every binary shares (--log-*).
void expectKnownFlags(const nlohmann::json& container, const std::string& flagSource) {
  auto known = flagNamesIn(flagSource);
  ASSERT_GT(known.size(), 10u) << "could not read the flag table in " << flagSource;
  for (auto& shared : flagNamesIn("webhook/common/flag_table.h")) known.push_back(std::move(shared));
  for (const auto& [name, value] : parseArgs(container["args"]))
    EXPECT_NE(std::find(known.begin(), known.end(), name), known.end()) << "--" << name << " is not in " << flagSource;
}

TEST_F(Workloads, WebhookArgumentsAreFlagsTheWebhookKnows) {
  expectKnownFlags(onlyContainer(webhook()), "webhook/cmd/webhook/flags.cpp");
}

TEST_F(Workloads, AgentArgumentsAreFlagsTheAgentKnows) {
  expectKnownFlags(onlyContainer(agent()), "webhook/cmd/agent/flags.cpp");
}

TEST_F(Workloads, AgentTokenAudienceEqualsTheWebhooksAgentAudience) {
  const auto audience = argValue(onlyContainer(webhook()), "agent-audience").value_or("migwarden");
  const auto* volume = volumeNamed(agent(), "migwarden-token");
  ASSERT_NE(volume, nullptr);
  const auto& token = (*volume)["projected"]["sources"][0]["serviceAccountToken"];
  EXPECT_EQ(token["audience"], audience);
  EXPECT_EQ(token["expirationSeconds"], 3600);
  const auto* mount = mountAt(agent(), "/var/run/secrets/migwarden");
  ASSERT_NE(mount, nullptr);
  EXPECT_EQ((*mount)["name"], "migwarden-token");
  EXPECT_EQ(argValue(onlyContainer(agent()), "token-file"),
            "/var/run/secrets/migwarden/" + token["path"].get<std::string>());
  EXPECT_EQ(podSpec(agent())["automountServiceAccountToken"], false);
}

TEST_F(Workloads, AgentReadsKubeletStateReadOnly) {
  for (const char* path : {"/var/lib/kubelet/pod-resources", "/var/lib/kubelet/device-plugins"}) {
    SCOPED_TRACE(path);
    const auto* mount = mountAt(agent(), path);
    ASSERT_NE(mount, nullptr);
    EXPECT_EQ((*mount)["readOnly"], true);
    const auto* volume = volumeNamed(agent(), (*mount)["name"]);
    ASSERT_NE(volume, nullptr);
    EXPECT_EQ((*volume)["hostPath"]["path"], path);
  }
  EXPECT_EQ(argValue(onlyContainer(agent()), "pod-resources-socket"), "/var/lib/kubelet/pod-resources/kubelet.sock");
}

TEST_F(Workloads, AgentRunsOnGpuNodesOnlyAndToleratesTheirTaint) {
  const auto& pod = podSpec(agent());
  EXPECT_EQ(pod["nodeSelector"]["nvidia.com/gpu.present"], "true");
  bool tolerated = false;
  for (const auto& t : pod["tolerations"])
    tolerated |= t["key"] == "nvidia.com/gpu" && t.value("effect", "") == "NoSchedule";
  EXPECT_TRUE(tolerated);
}

TEST_F(Workloads, AgentKnowsItsNodeFromTheDownwardApi) {
  const auto& c = onlyContainer(agent());
  bool fromSpec = false;
  for (const auto& e : c["env"])
    fromSpec |= e["name"] == "NODE_NAME" && e["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName";
  EXPECT_TRUE(fromSpec);
  EXPECT_EQ(argValue(c, "node-name"), "$(NODE_NAME)");
}

TEST_F(Workloads, AgentIsHardenedAndProbedOnItsHealthPort) {
  const auto& c = onlyContainer(agent());
  expectHardenedContainer(c);
  EXPECT_EQ(podSpec(agent())["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  for (const char* probe : {"readinessProbe", "livenessProbe"}) {
    ASSERT_TRUE(c.contains(probe)) << probe;
    EXPECT_EQ(resolvePort(c, c[probe]["httpGet"]["port"]), resolvePort(c, "health")) << probe;
  }
  const auto listen = argValue(c, "health-listen");
  ASSERT_TRUE(listen.has_value());
  EXPECT_EQ(listen->substr(listen->rfind(':') + 1), std::to_string(resolvePort(c, "health")));
}

TEST_F(Workloads, AgentCallsTheWebhookServiceAndTrustsOnlyItsCa) {
  const auto& svc = m().get("Service", "migwarden");
  const std::string host = svc["metadata"]["name"].get<std::string>() + "." +
                           svc["metadata"]["namespace"].get<std::string>() + ".svc";
  EXPECT_EQ(argValue(onlyContainer(agent()), "server"), "https://" + host + ":443");
  // Never the webhook's Secret: it also holds the serving key.
  for (const auto& v : podSpec(agent())["volumes"]) EXPECT_FALSE(v.contains("secret")) << v["name"];
}

TEST_F(Workloads, ServiceSendsPort443ToTheWebhooksTlsPort) {
  const auto& svc = m().get("Service", "migwarden");
  bool https = false;
  for (const auto& p : svc["spec"]["ports"])
    https |= p["port"] == 443 && resolvePort(onlyContainer(webhook()), p["targetPort"]) == 8443;
  EXPECT_TRUE(https);
  EXPECT_EQ(svc["spec"]["selector"], webhook()["spec"]["selector"]["matchLabels"]);
}

TEST_F(Workloads, NoServiceAccountIsGrantedAnyRole) {
  EXPECT_TRUE(m().ofKind("RoleBinding").empty());
  EXPECT_TRUE(m().ofKind("ClusterRoleBinding").empty());
  for (const auto* sa : m().ofKind("ServiceAccount")) EXPECT_EQ((*sa)["automountServiceAccountToken"], false);
}

TEST_F(Workloads, NetworkPolicyAdmitsAgentsOnTheTlsPortAndMonitoringOnTheHealthPort) {
  const auto& np = m().get("NetworkPolicy", "migwarden-webhook");
  EXPECT_EQ(np["spec"]["podSelector"]["matchLabels"], webhook()["spec"]["selector"]["matchLabels"]);
  EXPECT_TRUE(contains(np["spec"]["policyTypes"], "Ingress"));
  bool agents = false, apiserver = false, monitoring = false;
  const auto& agentLabels = agent()["spec"]["template"]["metadata"]["labels"];
  for (const auto& rule : np["spec"]["ingress"]) {
    const int port = rule["ports"][0]["port"].get<int>();
    for (const auto& from : rule["from"]) {
      if (port == 8443 && from.contains("podSelector")) {
        bool matches = true;
        for (const auto& [k, v] : from["podSelector"]["matchLabels"].items())
          matches &= agentLabels.contains(k) && agentLabels[k] == v;
        agents |= matches && !from.contains("namespaceSelector");  // same namespace only
      }
      apiserver |= port == 8443 && from.contains("ipBlock");
      monitoring |= port == 8080 &&
                    from["namespaceSelector"]["matchLabels"].value("kubernetes.io/metadata.name", "") == "monitoring";
      EXPECT_TRUE(port == 8443 || port == 8080) << "unexpected port " << port;
    }
  }
  EXPECT_TRUE(agents);
  EXPECT_TRUE(apiserver);
  EXPECT_TRUE(monitoring);
}

TEST_F(Workloads, DisruptionBudgetCoversTheWebhookPods) {
  const auto& pdb = m().get("PodDisruptionBudget", "migwarden-webhook");
  EXPECT_EQ(pdb["spec"]["selector"]["matchLabels"], webhook()["spec"]["selector"]["matchLabels"]);
}

TEST_F(Workloads, EveryNamespacedObjectLivesInTheMigwardenNamespace) {
  for (const auto& o : m().objects()) {
    const std::string kind = o["kind"];
    if (kind == "Namespace" || kind.find("WebhookConfiguration") != std::string::npos) continue;
    EXPECT_EQ(o["metadata"].value("namespace", ""), "migwarden") << kind << "/" << o["metadata"]["name"];
  }
}

}  // namespace
}  // namespace migwarden::testing
