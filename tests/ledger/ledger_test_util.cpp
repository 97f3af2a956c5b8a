#include "tests/ledger/ledger_test_util.h"

#include <stdexcept>

namespace migwarden::ledger::testutil {

std::string migUuid(const std::string& node, int gpu, int slice) {
  return "MIG-" + node + "-" + std::to_string(gpu) + "-" + std::to_string(slice);
}
std::string numbered(std::string prefix, long n) {
  prefix += std::to_string(n);
  return prefix;
}

std::string gpuUuid(const std::string& node, int gpu) { return "GPU-" + node + "-" + std::to_string(gpu); }

NodeReport a100Node(const std::string& node, int gpus, int slicesPerGpu, int64_t sequence, const std::string& bootId) {
  NodeReport r;
  r.node = node;
  r.sequence = sequence;
  r.bootId = bootId;
  r.driverVersion = "550.54.15";
  r.cudaDriverVersion = "12.4";
  r.migConfigState = "success";
  for (int g = 0; g < gpus; ++g) {
    Gpu gpu{gpuUuid(node, g), "NVIDIA A100-SXM4-40GB", "0x20B010DE", "8.0", 40960, "enabled", {}};
    for (int i = 0; i < slicesPerGpu; ++i) {
      gpu.migDevices.push_back(MigDevice{migUuid(node, g, i), "1g.5gb", 7 + i, 0, Placement{i, 1}, true});
    }
    r.gpus.push_back(std::move(gpu));
  }
  return r;
}

void allocate(NodeReport& report, const std::string& podUid, const std::string& pod, const std::string& resource,
              std::vector<std::string> deviceIds, const std::string& container, const std::string& ns) {
  report.allocations.push_back(Allocation{podUid, ns, pod, container, resource, std::move(deviceIds)});
}

ReserveRequest reserveRequest(const std::string& podUid, const std::string& node, int64_t count,
                              const std::string& resource) {
  ReserveRequest r;
  r.podUid = podUid;
  r.ns = "default";
  r.name = "pod-" + podUid;
  r.node = node;
  r.needs = {{resource, count}};
  r.ttl = std::chrono::seconds(300);
  return r;
}

namespace {

class FaultFile final : public WritableFile {
 public:
  FaultFile(FaultEnv& env, std::unique_ptr<WritableFile> base) : env_(env), base_(std::move(base)) {}
  Status append(std::string_view data) override {
    if (env_.failAppend) return Status::IOError("injected write failure");
    if (env_.diskFull) return Status::IOError("write: No space left on device (injected)");
    long n = env_.shortWrite.load();
    if (n >= 0) {
      (void)base_->append(data.substr(0, std::min<size_t>(static_cast<size_t>(n), data.size())));
      return Status::IOError("injected short write");
    }
    return base_->append(data);
  }
  Status sync() override {
    ++env_.syncs;
    if (env_.failSync) return Status::IOError("fdatasync: Input/output error (injected)");
    return base_->sync();
  }
  Status close() override { return base_->close(); }

 private:
  FaultEnv& env_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> FaultEnv::wrap(Result<std::unique_ptr<WritableFile>> file) {
  if (!file.ok()) return file.status();
  return std::unique_ptr<WritableFile>(new FaultFile(*this, std::move(file).value()));
}

Result<std::unique_ptr<WritableFile>> FaultEnv::newAppendableFile(const std::string& path) {
  return wrap(base_.newAppendableFile(path));
}

Result<std::unique_ptr<WritableFile>> FaultEnv::newWritableFile(const std::string& path) {
  return wrap(base_.newWritableFile(path));
}

StoreFixture::StoreFixture(uint64_t snapshotEvery)
    : metrics_(std::make_unique<MetricsRegistry>()), snapshotEvery_(snapshotEvery) {
  Status s = reopen();
  if (!s.ok()) throw std::runtime_error("cannot open ledger: " + s.toString());
}

Status StoreFixture::reopen(bool repair) {
  store_.reset();
  metrics_ = std::make_unique<MetricsRegistry>();
  LocalStoreOptions o;
  o.dir = dir_.path();
  o.env = &env_;
  o.clock = &clock_;
  o.metrics = metrics_.get();
  o.repair = repair;
  o.snapshotEveryRecords = snapshotEvery_;
  auto opened = LocalStore::open(o);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened).value();
  return Status::Ok();
}

}  // namespace migwarden::ledger::testutil
