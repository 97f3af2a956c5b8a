#include "webhook/cmd/ctl/string_options.h"

#include <algorithm>
#include <cstdio>

namespace migwarden::ctl {

std::optional<int> parseStringOptions(Args args, const std::vector<StringOption>& options, std::string_view usage,
                                      const std::function<int(const std::string&)>& usageError) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      return 0;
    }
    std::optional<std::string_view> value;
    if (const size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    auto option = std::find_if(options.begin(), options.end(), [flag](const StringOption& o) {
      return std::find(o.names.begin(), o.names.end(), flag) != o.names.end();
    });
    if (option == options.end()) return usageError("unknown argument \"" + std::string(flag) + "\" (see --help)");
    if (!value || value->empty()) return usageError(std::string(flag) + " needs a value");
    *option->target = std::string(*value);
  }
  return std::nullopt;
}

}  // namespace migwarden::ctl
