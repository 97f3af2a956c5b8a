#include "webhook/agent/report/report_builder.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace migwarden::agent {

std::string effectiveMigConfigState(const std::string& labelState, bool migModeChangePending) {
  // "rebooting" or "failed" from mig-manager say more than "pending" does: keep them.
  if (migModeChangePending && (labelState.empty() || labelState == "success")) return "pending";
  return labelState;
}

ledger::NodeReport buildNodeReport(const NodeIdentity& identity, int64_t sequence, const ReportInputs& inputs) {
  ledger::NodeReport report;
  report.node = identity.node;
  report.sequence = sequence;
  report.bootId = identity.bootId;
  report.driverVersion = inputs.inventory.driverVersion;
  report.cudaDriverVersion = inputs.inventory.cudaDriverVersion;
  report.migConfigState = effectiveMigConfigState(inputs.migConfigState, inputs.migModeChangePending);
  report.gpus = inputs.inventory.gpus;
  for (ledger::Gpu& gpu : report.gpus) {
    const bool gpuBad = inputs.unhealthy.contains(gpu.uuid);
    gpu.healthy = !gpuBad;
    for (ledger::MigDevice& mig : gpu.migDevices) mig.healthy = !gpuBad && !inputs.unhealthy.contains(mig.uuid);
  }
  report.allocations = inputs.allocations;
  return report;
}

InventoryCounts countDevices(const ledger::NodeReport& report) {
  InventoryCounts c;
  for (const ledger::Gpu& gpu : report.gpus) {
    ++c.gpus;
    if (!gpu.healthy) ++c.unhealthyGpus;
    for (const ledger::MigDevice& mig : gpu.migDevices) {
      ++c.migDevices;
      if (!mig.healthy) ++c.unhealthyMigDevices;
    }
  }
  return c;
}

std::string prettyNodeReport(const ledger::NodeReport& report) {
  rapidjson::Document doc;
  ledger::writeNodeReport(report, doc, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace migwarden::agent
