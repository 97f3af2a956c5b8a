#include "tests/audit/audit_test_util.h"

#include <fstream>
#include <sstream>

namespace migwarden::audit::testutil {
namespace {

class FaultFile final : public WritableFile {
 public:
  FaultFile(std::unique_ptr<WritableFile> base, FaultEnv& env) : base_(std::move(base)), env_(env) {}
  Status append(std::string_view data) override {
    if (env_.failAppend) return Status::IOError("injected write error (ENOSPC)");
    return base_->append(data);
  }
  Status sync() override {
    env_.syncGate();
    if (env_.failSync) return Status::IOError("injected fdatasync error (EIO)");
    return base_->sync();
  }
  Status close() override { return base_->close(); }

 private:
  std::unique_ptr<WritableFile> base_;
  FaultEnv& env_;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> FaultEnv::newAppendableFile(const std::string& path) {
  auto f = base_.newAppendableFile(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(std::make_unique<FaultFile>(std::move(*f), *this));
}

Result<std::unique_ptr<WritableFile>> FaultEnv::newWritableFile(const std::string& path) {
  auto f = base_.newWritableFile(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(std::make_unique<FaultFile>(std::move(*f), *this));
}

void FaultEnv::holdSyncs() {
  std::lock_guard lock(gateMu_);
  holding_ = true;
}

void FaultEnv::waitUntilASyncIsHeld() {
  std::unique_lock lock(gateMu_);
  gateCv_.wait(lock, [&] { return held_ > 0; });
}

void FaultEnv::releaseSyncs() {
  {
    std::lock_guard lock(gateMu_);
    holding_ = false;
  }
  gateCv_.notify_all();
}

void FaultEnv::syncGate() {
  std::unique_lock lock(gateMu_);
  if (!holding_) return;
  ++held_;
  gateCv_.notify_all();
  gateCv_.wait(lock, [&] { return !holding_; });
  --held_;
}

std::string numbered(std::string prefix, long n) {
  prefix += std::to_string(n);
  return prefix;
}

AuditRecord deniedPod(const std::string& name, const std::string& ns) {
  AuditRecord r;
  r.kind = RecordKind::kAdmission;
  r.requestUid = "req-" + name;
  r.user = "system:serviceaccount:" + ns + ":deployer";
  r.groups = {"system:serviceaccounts", "system:authenticated"};
  r.operation = "CREATE";
  r.resource = "pods";
  r.namespace_ = ns;
  r.name = name;
  r.podUid = "uid-" + name;
  r.node = "gpu-a";
  r.decision = Decision::kDenied;
  r.rules = {{"hardening.visible-devices", "deny"}, {"cuda.compat", "warn"}};
  r.message = "container \"main\" sets NVIDIA_VISIBLE_DEVICES";
  r.warnings = {"cuda 12.4 needs driver >= 550"};
  r.migResources = {{"nvidia.com/mig-1g.5gb", 2}};
  r.deviceUuids = {"MIG-aaaa", "MIG-bbbb"};
  r.policyDigest = "sha256:0123abcd";
  r.dryRun = false;
  r.latencyMicros = 142;
  return r;
}

AuditRecord reservation(const std::string& podUid, const std::string& node) {
  AuditRecord r;
  r.kind = RecordKind::kLedger;
  r.operation = "CREATE";
  r.resource = "pods";
  r.subResource = "binding";
  r.namespace_ = "team-b";
  r.name = "train-" + podUid;
  r.podUid = podUid;
  r.node = node;
  r.decision = Decision::kAllowed;
  r.event = LedgerEvent::kReservation;
  r.migResources = {{"nvidia.com/mig-3g.20gb", 1}};
  r.details = {{"ttl", "300s"}, {"reservationId", "r-" + podUid}};
  return r;
}

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void writeLines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  testing::writeFile(path, text);
}

LogFixture::LogFixture() : metrics_(std::make_unique<MetricsRegistry>()) {
  options_.path = path();
  options_.maxFileBytes = 0;
}

Status LogFixture::open() {
  log_.reset();
  auto log = AuditLog::open(options_, env_, clock_, *metrics_);
  if (!log.ok()) return log.status();
  log_ = std::move(*log);
  return Status::Ok();
}

void LogFixture::appendPods(int n, int firstIndex) {
  for (int i = firstIndex; i < firstIndex + n; ++i) {
    clock_.advance(std::chrono::milliseconds(1));
    log_->append(deniedPod(numbered("pod-", i)));
  }
  log_->flush();
}

uint64_t LogFixture::counter(const std::string& name) { return metrics_->counter(name, "").value(); }

}  // namespace migwarden::audit::testutil
