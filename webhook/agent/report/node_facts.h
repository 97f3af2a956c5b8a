// Facts about the node that do not come from NVML or the kubelet: the kernel's boot id
// (the ledger scopes `sequence` to it) and mig-manager's `nvidia.com/mig.config.state`
// node label, read from a labels file in the downward API's `key="value"` format (the
// downward API itself only exposes pod labels, so something else writes this file).
//
// Pure functions over file contents plus thin readers; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "webhook/common/env.h"
#include "webhook/common/status.h"

namespace migwarden::agent {

inline constexpr std::string_view kDefaultBootIdFile = "/proc/sys/kernel/random/boot_id";
inline constexpr std::string_view kMigConfigStateLabel = "nvidia.com/mig.config.state";

// The file's first line, trimmed. InvalidArgument (naming the file) when it is empty
// or longer than 128 bytes; the Env's error when it cannot be read.
Result<std::string> readBootId(Env& env, const std::string& path);

// The value of `label` in a downward-API labels file: one `key="value"` per line, the
// value quoted with Go's %q (backslash escapes). "" when the label is absent (a node
// without mig-manager); InvalidArgument naming the line when the line is malformed.
Result<std::string> parseLabelsFile(std::string_view contents, std::string_view label);

}  // namespace migwarden::agent
