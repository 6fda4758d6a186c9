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

/// Whether this command line has systemd move a container's init into a unit: create or
/// run with the systemd cgroup driver asked for (--systemd-cgroup, --cgroup-manager
/// systemd). A driver chosen otherwise (auto, --unit, a "slice:prefix:name" cgroupsPath)
/// is the runtime's to see.
[[nodiscard]] inline bool has_systemd_move_an_init(int argc, char** argv) noexcept {
  bool creates = false;
  bool systemd = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    creates = creates || arg == "create" || arg == "run";
    systemd = systemd || arg == "--systemd-cgroup" || arg == "--systemd-cgroup=true" ||
              arg == "--cgroup-manager=systemd" ||
              (arg == "--cgroup-manager" && i + 1 < argc && std::string_view(argv[i + 1]) == "systemd");
  }
  return creates && systemd;
}

}  // namespace ocistart::cli
