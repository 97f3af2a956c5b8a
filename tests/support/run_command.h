// Runs a shell command line to completion, for tests that drive a CLI (migwardenctl)
// the way a person would.
#pragma once

#include <string>

namespace migwarden::testing {

struct CommandRun {
  int exitCode = -1;  // -1 when it did not exit normally
  std::string out;    // stdout and stderr, interleaved
};

CommandRun runCommand(const std::string& commandLine);

}  // namespace migwarden::testing
