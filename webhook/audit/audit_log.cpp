#include "webhook/audit/audit_log.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "webhook/audit/record_codec.h"

namespace migwarden::audit {

std::optional<AuditFailureMode> parseAuditFailureMode(std::string_view text) {
  if (text == "deny") return AuditFailureMode::kDeny;
  if (text == "allow") return AuditFailureMode::kAllow;
  return std::nullopt;
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(AuditLogOptions options, Env& env, const Clock& clock,
                                                 MetricsRegistry& metrics) {
  if (options.queueCapacity == 0 || options.maxBatch == 0)
    return Status::InvalidArgument("audit log: queueCapacity and maxBatch must be positive");
  ChainWriterOptions w;
  w.path = options.path;
  w.hmacKey = options.hmacKey;
  w.maxFileBytes = options.maxFileBytes;
  w.keepRotated = options.keepRotated;
  auto writer = ChainWriter::open(w, env);
  if (!writer.ok()) return writer.status().withContext("audit log " + options.path);
  const ResumeInfo& resume = (*writer)->resumeInfo();
  if (resume.tornBytesDropped > 0)
    spdlog::warn("audit log {}: dropped an incomplete last line ({} bytes, a write cut short by a crash)",
                 options.path, resume.tornBytesDropped);
  if (resume.lastSeq > 0)
    spdlog::info("audit log {}: chain resumed after seq {} from {}", options.path, resume.lastSeq,
                 resume.resumedFrom);
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(options), clock, metrics, std::move(*writer)));
}

AuditLog::AuditLog(AuditLogOptions options, const Clock& clock, MetricsRegistry& metrics,
                   std::unique_ptr<ChainWriter> writer)
    : options_(std::move(options)),
      clock_(clock),
      recordsTotal_(metrics.counter("migwarden_audit_records_total", "Audit records written and synced.")),
      failuresTotal_(metrics.counter("migwarden_audit_failures_total",
                                     "Audit records lost: queue full, or the audit sink failed (write or fsync).")),
      queueDepth_(metrics.gauge("migwarden_audit_queue_depth", "Audit records waiting for the writer thread.")),
      writer_(std::move(writer)),
      resume_(writer_->resumeInfo()) {
  thread_ = std::thread([this] { run(); });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  workReady_.notify_all();
  thread_.join();
  if (Status s = writer_->close(); !s.ok() && sinkError_.ok())
    spdlog::error("audit log {}: close failed: {}", options_.path, s.toString());
}

bool AuditLog::append(AuditRecord record) {
  if (record.time.time_since_epoch().count() == 0) record.time = clock_.now();
  // Serialized here, on the caller's thread, so the single writer thread only chains.
  std::string body = encodeRecordBody(record);
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !sinkError_.ok() || queue_.size() >= options_.queueCapacity) {
      failuresTotal_.inc();
      return false;
    }
    queue_.push_back(std::move(body));
    ++enqueued_;
    queueDepth_.set(static_cast<double>(queue_.size()));
  }
  workReady_.notify_one();
  return true;
}

Status AuditLog::health() const {
  std::lock_guard lock(mu_);
  return sinkError_;
}

bool AuditLog::acceptingWrites() const {
  if (options_.failureMode == AuditFailureMode::kAllow) return true;
  std::lock_guard lock(mu_);
  return sinkError_.ok() && queue_.size() < options_.queueCapacity;
}

void AuditLog::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = enqueued_;
  progress_.wait(lock, [&] { return processed_ >= target; });
}

void AuditLog::run() {
  std::deque<std::string> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      workReady_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < options_.maxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queueDepth_.set(static_cast<double>(queue_.size()));
    }
    writeBatch(batch);
  }
}

void AuditLog::writeBatch(std::deque<std::string>& batch) {
  const uint64_t n = batch.size();
  Status s;
  {
    std::lock_guard lock(mu_);
    s = sinkError_;
  }
  if (s.ok()) {
    for (const auto& body : batch) {
      s = writer_->add(body);
      if (!s.ok()) break;
    }
    if (s.ok()) s = writer_->commit();
  }
  batch.clear();
  if (s.ok()) {
    recordsTotal_.inc(n);
  } else {
    failuresTotal_.inc(n);
  }
  {
    std::lock_guard lock(mu_);
    if (!s.ok() && sinkError_.ok()) {
      sinkError_ = s.withContext("audit log " + options_.path);
      spdlog::error("{}; no further audit records are written until restart (failure mode: {})",
                    sinkError_.toString(), options_.failureMode == AuditFailureMode::kDeny ? "deny" : "allow");
    }
    processed_ += n;
  }
  progress_.notify_all();
}

}  // namespace migwarden::audit
