#include "webhook/audit/verify.h"

#include <unordered_map>

#include "webhook/common/json_util.h"

namespace migwarden::audit {
namespace {

// What pass one learns about each line.
struct Entry {
  size_t file = 0;
  uint64_t line = 0;
  bool valid = false;          // well-formed JSON with seq, prev and the hash suffix
  bool unterminated = false;   // no "\n" at the end: a torn last line
  bool hashOk = false;
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
  std::string error;           // why !valid
};

bool isHex64(std::string_view s) {
  if (s.size() != kHashHexSize) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Entry inspect(std::string_view line, const ChainHasher& hasher) {
  Entry e;
  auto doc = json::parse(line);
  if (!doc.ok()) {
    e.error = "not valid JSON: " + doc.status().message();
    return e;
  }
  if (!doc->IsObject()) {
    e.error = "not a JSON object";
    return e;
  }
  const rapidjson::Value* seq = json::find(*doc, "seq");
  const rapidjson::Value* prev = json::find(*doc, "prev");
  if (seq == nullptr || !seq->IsUint64() || seq->GetUint64() == 0) {
    e.error = "seq: missing or not a positive integer";
    return e;
  }
  e.seq = seq->GetUint64();
  if (prev == nullptr || !prev->IsString() || !isHex64(prev->GetString())) {
    e.error = "prev: missing or not 64 lowercase hex digits";
    return e;
  }
  e.prev = prev->GetString();
  auto parts = splitLine(line);
  if (!parts) {
    e.error = "the line does not end with the \"hash\" member";
    return e;
  }
  e.hash = std::string(parts->hash);
  e.hashOk = hasher.hashHex(parts->signedBytes) == e.hash;
  e.valid = true;
  return e;
}

}  // namespace

std::string_view problemKindName(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kTruncated: return "truncated";
    case ProblemKind::kAltered: return "altered";
    case ProblemKind::kRemoved: return "removed";
    case ProblemKind::kReordered: return "reordered";
    case ProblemKind::kInserted: return "inserted";
  }
  return "altered";
}

std::string describeProblem(const VerifyProblem& p) {
  std::string out = p.file + " line " + std::to_string(p.line);
  if (p.seq) out += " (seq " + std::to_string(*p.seq) + ")";
  out += ": ";
  out += problemKindName(p.kind);
  out += ": " + p.detail;
  return out;
}

Result<VerifyReport> verifyChain(const std::vector<std::string>& files, const ChainHasher& hasher, Env& env) {
  // Pass one: every line of every file, reduced to what the chain check needs.
  std::vector<Entry> entries;
  for (size_t f = 0; f < files.size(); ++f) {
    auto contents = env.readFile(files[f]);
    if (!contents.ok()) return contents.status();
    std::string_view text = *contents;
    uint64_t lineNo = 0;
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      const std::string_view line = text.substr(0, nl);
      Entry e = inspect(line, hasher);
      e.file = f;
      e.line = ++lineNo;
      e.unterminated = nl == std::string_view::npos;
      entries.push_back(std::move(e));
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
  }
  std::unordered_map<uint64_t, size_t> indexOfSeq;
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].valid) indexOfSeq.emplace(entries[i].seq, i);
  auto where = [&](size_t i) { return files[entries[i].file] + " line " + std::to_string(entries[i].line); };

  // Pass two: walk the chain, stop at the first problem.
  VerifyReport report;
  auto fail = [&](size_t i, ProblemKind kind, std::string detail) {
    const Entry& e = entries[i];
    VerifyProblem p{kind, files[e.file], e.line, std::nullopt, std::move(detail)};
    if (e.valid) p.seq = e.seq;
    report.problem = std::move(p);
    return report;
  };
  const std::string keyHint = hasher.keyed() ? "" : " (if the log is HMAC-keyed, pass --hmac-key)";
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.unterminated)
      return fail(i, ProblemKind::kTruncated,
                  "the line has no terminating newline: the file was cut in the middle of a record");
    if (!e.valid) return fail(i, ProblemKind::kAltered, "not a valid audit record: " + e.error);
    if (!e.hashOk)
      return fail(i, ProblemKind::kAltered, "the record's bytes do not match its hash: it was altered" + keyHint);
    if (i == 0) {
      if (e.seq == 1 && e.prev != kGenesisHash)
        return fail(i, ProblemKind::kAltered, "seq 1 must link to the genesis hash (64 zeros)");
      report.firstSeq = e.seq;
      report.fromGenesis = e.seq == 1;
    } else {
      const Entry& last = entries[i - 1];
      const uint64_t expected = last.seq + 1;
      if (e.seq != expected || e.prev != last.hash) {
        const bool nextLinksBack = i + 1 < entries.size() && entries[i + 1].valid &&
                                   entries[i + 1].seq == expected && entries[i + 1].prev == last.hash;
        if (e.seq > expected) {
          // A genuine record out of place still links to its own predecessor.
          auto pred = indexOfSeq.find(e.seq - 1);
          const bool genuine = pred != indexOfSeq.end() && entries[pred->second].hash == e.prev;
          if (!genuine && nextLinksBack)
            return fail(i, ProblemKind::kInserted,
                        "this record is not part of the chain: the next record links to " + where(i - 1));
          auto later = indexOfSeq.find(expected);
          if (later != indexOfSeq.end() && later->second > i)
            return fail(i, ProblemKind::kReordered,
                        "expected seq " + std::to_string(expected) + ", which appears later at " + where(later->second));
          return fail(i, ProblemKind::kRemoved,
                      e.seq == expected + 1 ? "record seq " + std::to_string(expected) + " is missing"
                                            : "records seq " + std::to_string(expected) + ".." +
                                                  std::to_string(e.seq - 1) + " are missing");
        }
        if (nextLinksBack)
          return fail(i, ProblemKind::kInserted,
                      "this record is not part of the chain: the next record links to " + where(i - 1));
        if (e.seq == expected)
          return fail(i, ProblemKind::kAltered,
                      "prev does not match the hash of the previous record (seq " + std::to_string(last.seq) + ", " +
                          where(i - 1) + "): that record was altered and re-hashed, or this one was replaced");
        return fail(i, ProblemKind::kInserted,
                    "expected seq " + std::to_string(expected) + "; seq " + std::to_string(e.seq) +
                        " was already used before this line (inserted or reordered record)");
      }
    }
    ++report.records;
    report.lastSeq = e.seq;
  }
  return report;
}

}  // namespace migwarden::audit
