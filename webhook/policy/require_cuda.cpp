#include "webhook/policy/require_cuda.h"

#include <algorithm>
#include <cctype>

namespace migwarden::policy {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<RequireCondition> parseCondition(std::string_view text) {
  size_t opPos = text.find_first_of("=!<>");
  if (opPos == std::string_view::npos || opPos == 0) {
    return Status::InvalidArgument("condition \"" + std::string(text) + "\" needs <property><operator><value>");
  }
  RequireCondition c;
  std::string prop = lower(text.substr(0, opPos));
  if (prop == "cuda") c.property = RequireProperty::kCuda;
  else if (prop == "driver") c.property = RequireProperty::kDriver;
  else if (prop == "arch") c.property = RequireProperty::kArch;
  else if (prop == "brand") c.property = RequireProperty::kBrand;
  else return Status::InvalidArgument("unknown property \"" + prop + "\" in \"" + std::string(text) + "\" (cuda, driver, arch, brand)");

  std::string_view rest = text.substr(opPos);
  struct OpText { std::string_view text; CompareOp op; };
  static constexpr OpText kOps[] = {{">=", CompareOp::kGe}, {"<=", CompareOp::kLe}, {"!=", CompareOp::kNe},
                                    {"=", CompareOp::kEq},  {">", CompareOp::kGt},  {"<", CompareOp::kLt}};
  bool found = false;
  for (const auto& o : kOps) {
    if (rest.substr(0, o.text.size()) == o.text) {
      c.op = o.op;
      rest.remove_prefix(o.text.size());
      found = true;
      break;
    }
  }
  if (!found) return Status::InvalidArgument("bad operator in \"" + std::string(text) + "\"");
  if (rest.empty()) return Status::InvalidArgument("missing value in \"" + std::string(text) + "\"");
  if (c.property == RequireProperty::kBrand) {
    if (c.op != CompareOp::kEq && c.op != CompareOp::kNe) {
      return Status::InvalidArgument("brand accepts only = and != in \"" + std::string(text) + "\"");
    }
    c.brand = lower(rest);
    return c;
  }
  auto v = Version::parse(rest);
  if (!v.ok()) return Status::InvalidArgument("in \"" + std::string(text) + "\": " + v.status().message());
  c.version = *v;
  return c;
}

bool compare(const Version& have, CompareOp op, const Version& want) {
  switch (op) {
    case CompareOp::kEq: return have == want;
    case CompareOp::kNe: return have != want;
    case CompareOp::kLt: return have < want;
    case CompareOp::kLe: return have <= want;
    case CompareOp::kGt: return have > want;
    case CompareOp::kGe: return have >= want;
  }
  return false;
}

bool satisfied(const RequireCondition& c, const RequireFacts& f) {
  switch (c.property) {
    case RequireProperty::kCuda: return compare(f.cuda, c.op, c.version);
    case RequireProperty::kDriver: return compare(f.driver, c.op, c.version);
    case RequireProperty::kArch: return compare(f.arch, c.op, c.version);
    case RequireProperty::kBrand: return (lower(f.brand) == c.brand) == (c.op == CompareOp::kEq);
  }
  return false;
}

}  // namespace

std::string_view compareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

Result<RequireExpression> parseRequireExpression(std::string_view text) {
  RequireExpression expr;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i == text.size()) break;
    size_t end = i;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    std::string_view alt = text.substr(i, end - i);
    std::vector<RequireCondition> conds;
    size_t start = 0;
    while (start <= alt.size()) {
      size_t comma = alt.find(',', start);
      std::string_view cond = alt.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (cond.empty()) return Status::InvalidArgument("empty condition in \"" + std::string(alt) + "\"");
      auto c = parseCondition(cond);
      if (!c.ok()) return c.status();
      conds.push_back(std::move(*c));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    expr.alternatives.push_back(std::move(conds));
    i = end;
  }
  return expr;
}

bool evaluateRequire(const RequireExpression& expr, const RequireFacts& facts) {
  if (expr.alternatives.empty()) return true;
  return std::any_of(expr.alternatives.begin(), expr.alternatives.end(), [&](const auto& conds) {
    return std::all_of(conds.begin(), conds.end(), [&](const RequireCondition& c) { return satisfied(c, facts); });
  });
}

std::optional<Version> RequireExpression::declaredCuda() const {
  for (const auto& alt : alternatives) {
    for (const auto& c : alt) {
      if (c.property == RequireProperty::kCuda && (c.op == CompareOp::kGe || c.op == CompareOp::kEq)) return c.version;
    }
  }
  return std::nullopt;
}

}  // namespace migwarden::policy
