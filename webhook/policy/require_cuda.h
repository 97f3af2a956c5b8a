// NVIDIA_REQUIRE_CUDA / NVIDIA_REQUIRE_* expressions, as libnvidia-container reads them:
//   "cuda>=12.8 brand=tesla,driver>=535,driver<536 brand=tesla,driver>=550,driver<551"
// Space separates alternatives (OR), comma separates conditions (AND). Properties:
// cuda (the host driver's CUDA API version), driver (kernel driver version), arch
// (compute capability), brand (case-insensitive, = and != only). Operators = != < <= > >=,
// numeric dotted comparison with missing components as 0. Unknown properties are an
// error, as in libnvidia-container ("invalid expression"). Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/policy/version.h"

namespace migwarden::policy {

enum class RequireProperty { kCuda, kDriver, kArch, kBrand };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct RequireCondition {
  RequireProperty property = RequireProperty::kCuda;
  CompareOp op = CompareOp::kGe;
  Version version;    // cuda, driver, arch
  std::string brand;  // brand (lower-cased)
};

struct RequireExpression {
  std::vector<std::vector<RequireCondition>> alternatives;  // OR of ANDs

  // The CUDA toolkit the image declares: the version of the first "cuda>=" (or "cuda=")
  // condition, which is how official images state their toolkit. nullopt when absent.
  std::optional<Version> declaredCuda() const;
};

// What a node offers, for evaluating an expression.
struct RequireFacts {
  Version cuda;    // the driver's CUDA API version (cuDriverGetVersion as major.minor)
  Version driver;  // kernel driver version
  Version arch;    // compute capability of the (parent) GPU
  std::string brand;  // "tesla", "nvidia", ... (case-insensitive)
};

Result<RequireExpression> parseRequireExpression(std::string_view text);

// True when some alternative has every condition satisfied. An empty expression is true.
bool evaluateRequire(const RequireExpression& expr, const RequireFacts& facts);

std::string_view compareOpText(CompareOp op);

}  // namespace migwarden::policy
