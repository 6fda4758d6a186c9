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

/// The global flags that take a value (the next argument, unless given as --flag=value).
inline constexpr std::string_view kGlobalsWithValue[] = {"--root",           "--log",      "--log-format",
                                                         "--cgroup-manager", "--rootless", "--criu"};

[[nodiscard]] inline bool takes_value(std::string_view flag) noexcept {
  for (std::string_view f : kGlobalsWithValue)
    if (flag == f)
      return true;
  return false;
}

/// Where the command word of this command line is: the first argument that is neither a
/// global flag nor such a flag's value; argc when there is none (or "--" comes first).
[[nodiscard]] inline int command_index(int argc, const char* const* argv) noexcept {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--")
      return argc;
    if (!arg.starts_with('-'))
      return i;
    if (takes_value(arg))
      ++i;
  }
  return argc;
}

/// Whether this command line has systemd move a container's init into a unit: the command
/// create or run, with the systemd cgroup driver asked for among the global flags
/// (--systemd-cgroup, --cgroup-manager systemd). A driver chosen otherwise (auto, --unit,
/// a "slice:prefix:name" cgroupsPath) is the runtime's to see.
[[nodiscard]] inline bool has_systemd_move_an_init(int argc, const char* const* argv) noexcept {
  const int command = command_index(argc, argv);
  if (command >= argc)
    return false;
  std::string_view word = argv[command];
  if (word != "create" && word != "run")
    return false;
  for (int i = 1; i < command; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--systemd-cgroup" || arg == "--systemd-cgroup=true" || arg == "--cgroup-manager=systemd" ||
        (arg == "--cgroup-manager" && i + 1 < command && std::string_view(argv[i + 1]) == "systemd"))
      return true;
  }
  return false;
}

}  // namespace ocistart::cli
