// Semantic validation of a parsed policy: the rules that span fields (duplicate GPU ids
// and profile names, placements inside the slice count and not overlapping beyond what
// maxInstances needs, profile names that agree with their slices, CUDA rows that do not
// go backwards, references to rules and compute capabilities that exist, image regexes
// that compile). Reports every problem found. Pure function, thread-safe.
#pragma once

#include "webhook/policy/diagnostics.h"
#include "webhook/policy/model.h"
#include "webhook/policy/source_parser.h"

namespace migwarden::policy {

// `origins` (optional) maps GPUs and sections back to their source files.
Diagnostics validatePolicy(const PolicyData& data, const SourceOrigins* origins = nullptr);

}  // namespace migwarden::policy
