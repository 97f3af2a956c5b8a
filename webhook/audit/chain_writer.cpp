#include "webhook/audit/chain_writer.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "webhook/audit/audit_files.h"
#include "webhook/audit/record_codec.h"

namespace migwarden::audit {
namespace {

// "-": records go to stdout for a log collector; flushed per batch, never fsynced.
class StdoutFile final : public WritableFile {
 public:
  Status append(std::string_view data) override {
    if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size()) return Status::IOError("write to stdout failed");
    return Status::Ok();
  }
  Status sync() override {
    return std::fflush(stdout) == 0 ? Status::Ok() : Status::IOError("flush of stdout failed");
  }
  Status close() override { return sync(); }
};

std::string parentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Reads seq and checks the stored hash of a complete line we are about to chain onto.
struct LineHead {
  uint64_t seq = 0;
  std::string hash;
};
Result<LineHead> inspectLine(const ChainHasher& hasher, const std::string& file, const std::string& line) {
  auto parts = splitLine(line);
  auto decoded = decodeRecordLine(line);
  if (!parts || !decoded.ok())
    return Status::Corruption(file + ": the last record is not a valid audit line" +
                              (decoded.ok() ? std::string() : " (" + decoded.status().message() + ")") +
                              "; run `migwardenctl audit verify` and move the file aside");
  if (hasher.hashHex(parts->signedBytes) != parts->hash)
    return Status::FailedPrecondition(file + ": the last record (seq " + std::to_string(decoded->seq) +
                                      ") does not verify with the configured hash key; was the HMAC key changed?");
  return LineHead{decoded->seq, std::string(parts->hash)};
}

}  // namespace

ChainWriter::ChainWriter(ChainWriterOptions options, Env& env)
    : options_(std::move(options)), env_(env), hasher_(options_.hmacKey) {}

ChainWriter::~ChainWriter() { (void)close(); }

Result<std::unique_ptr<ChainWriter>> ChainWriter::open(const ChainWriterOptions& options, Env& env) {
  if (options.path.empty()) return Status::InvalidArgument("audit log path: must not be empty");
  std::unique_ptr<ChainWriter> w(new ChainWriter(options, env));
  if (options.path == "-") {
    w->stdout_ = true;
    w->file_ = std::make_unique<StdoutFile>();
    return w;
  }
  MIGWARDEN_RETURN_IF_ERROR(env.createDirs(parentDir(options.path)));
  MIGWARDEN_RETURN_IF_ERROR(w->resume());
  MIGWARDEN_RETURN_IF_ERROR(w->openActive());
  return w;
}

Status ChainWriter::resume() {
  const std::string& path = options_.path;
  if (env_.fileExists(path)) {
    auto contents = env_.readFile(path);
    if (!contents.ok()) return contents.status();
    const FileTail tail = readFileTail(*contents);
    if (tail.tornBytes > 0) {
      // A crash cut the last write short. Those bytes never formed a record anyone could
      // verify; drop them so the chain continues from the last complete line.
      MIGWARDEN_RETURN_IF_ERROR(env_.truncateFile(path, tail.completeBytes));
      resume_.tornBytesDropped = tail.tornBytes;
    }
    fileBytes_ = tail.completeBytes;
    if (!tail.lastLine.empty()) {
      auto head = inspectLine(hasher_, path, tail.lastLine);
      if (!head.ok()) return head.status();
      lastSeq_ = head->seq;
      lastHash_ = head->hash;
      resume_.resumedFrom = path;
      auto first = decodeRecordLine(tail.firstLine);
      fileFirstSeq_ = first.ok() ? first->seq : lastSeq_;
    }
  }
  if (lastSeq_ == 0) {
    // Empty or missing active file: a rotation may just have happened. Continue the chain
    // from the newest rotated file.
    auto rotated = listRotatedFiles(env_, path);
    if (!rotated.ok()) return rotated.status();
    if (!rotated->empty()) {
      const std::string& newest = rotated->back();
      auto contents = env_.readFile(newest);
      if (!contents.ok()) return contents.status();
      const FileTail tail = readFileTail(*contents);
      if (!tail.lastLine.empty()) {
        auto head = inspectLine(hasher_, newest, tail.lastLine);
        if (!head.ok()) return head.status();
        lastSeq_ = head->seq;
        lastHash_ = head->hash;
        resume_.resumedFrom = newest;
      }
    }
  }
  resume_.lastSeq = lastSeq_;
  return Status::Ok();
}

Status ChainWriter::openActive() {
  auto file = env_.newAppendableFile(options_.path);
  if (!file.ok()) return file.status();
  file_ = std::move(*file);
  // Make the file's directory entry durable before records rely on it.
  return env_.syncDir(parentDir(options_.path));
}

Status ChainWriter::add(std::string_view body) {
  if (!broken_.ok()) return broken_;
  if (file_ == nullptr) return Status::FailedPrecondition("audit log is closed");
  std::string hash;
  std::string line = chainLine(hasher_, lastSeq_ + 1, lastHash_, body, &hash);
  line += '\n';
  const uint64_t used = fileBytes_ + pending_.size();
  if (!stdout_ && options_.maxFileBytes > 0 && used > 0 && used + line.size() > options_.maxFileBytes) {
    MIGWARDEN_RETURN_IF_ERROR(commit());
    MIGWARDEN_RETURN_IF_ERROR(rotate());
  }
  if (fileFirstSeq_ == 0) fileFirstSeq_ = lastSeq_ + 1;
  pending_ += line;
  ++lastSeq_;
  lastHash_ = std::move(hash);
  return Status::Ok();
}

Status ChainWriter::commit() {
  if (!broken_.ok()) return broken_;
  if (file_ == nullptr) return Status::FailedPrecondition("audit log is closed");
  Status s;
  if (!pending_.empty()) {
    s = file_->append(pending_);
    if (s.ok()) fileBytes_ += pending_.size();
    pending_.clear();
  }
  if (s.ok()) s = file_->sync();
  if (!s.ok()) broken_ = s;
  return s;
}

Status ChainWriter::rotate() {
  Status s = file_->close();
  file_.reset();
  if (s.ok()) s = env_.renameFile(options_.path, rotatedFileName(options_.path, fileFirstSeq_));
  if (s.ok()) {
    fileBytes_ = 0;
    fileFirstSeq_ = 0;
    s = openActive();  // also syncs the directory: the rename is durable
  }
  if (!s.ok()) {
    broken_ = s;
    return s;
  }
  // Failing to delete old files does not endanger the chain; report it but keep writing.
  if (Status p = pruneRotated(); !p.ok()) spdlog::warn("audit log {}: removing old rotated files: {}", options_.path, p.toString());
  return Status::Ok();
}

Status ChainWriter::pruneRotated() {
  if (options_.keepRotated == 0) return Status::Ok();
  auto rotated = listRotatedFiles(env_, options_.path);
  if (!rotated.ok()) return rotated.status();
  for (size_t i = 0; i + options_.keepRotated < rotated->size(); ++i)
    MIGWARDEN_RETURN_IF_ERROR(env_.removeFile((*rotated)[i]));
  return Status::Ok();
}

Status ChainWriter::close() {
  if (file_ == nullptr) return Status::Ok();
  Status s = broken_.ok() ? commit() : broken_;
  Status c = file_->close();
  file_.reset();
  return s.ok() ? c : s;
}

}  // namespace migwarden::audit
