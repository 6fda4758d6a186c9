// Which command lines may fork into a container, and so must run from a sealed binary
// (linux/sealed_exe.h): read by main() of the runtime and by the launcher (src/launcher.cc)
// before any parsing. Header-only, no C++ library: the launcher links nothing else.
#pragma once

#include <string_view>

namespace ocistart::cli {

/// Whether this command line may fork into a container (create, run, exec, shell): any
/// argument with one of those names, so that a container named "run" only costs a
/// needless sealed start.
[[nodiscard]] inline bool may_enter_a_container(int argc, char** argv) noexcept {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "create" || arg == "run" || arg == "exec" || arg == "shell")
      return true;
  }
  return false;
}

}  // namespace ocistart::cli
