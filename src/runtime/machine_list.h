// `ocistart list --format machinectl`: the containers as `machinectl list` shows machines.
// What each row needs (the rootfs's os-release, read safely) and the table (pure).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace ocistart::runtime {

/// ID and VERSION_ID of an os-release file; empty when absent.
struct OsRelease {
  std::string id, version_id;
};

/// The ID and VERSION_ID assignments of os-release text (os-release(5): KEY=value lines,
/// the value optionally in single or double quotes, with \\ \" \$ \` escapes in double
/// quotes; comments and other keys are skipped). Pure.
[[nodiscard]] OsRelease parse_os_release(std::string_view text);

/// The os-release of the rootfs at `rootfs`: etc/os-release, else usr/lib/os-release,
/// each resolved inside the rootfs (util::read_file_in_root: a symlink pointing out of it
/// lands inside it, never on the host's file). Empty when neither is a readable file.
[[nodiscard]] OsRelease read_os_release(const std::string& rootfs);

/// One row of the table.
struct MachineRow {
  std::string name;
  OsRelease os;
};

/// machinectl list's table (systemd 252): MACHINE CLASS SERVICE OS VERSION ADDRESSES,
/// CLASS "container", SERVICE "ocistart", ADDRESSES "-" (not looked up); an empty cell is
/// "-"; columns one space apart, each padded to its widest cell but the last. With
/// `legend`, the header first and "\nN machines listed." after; no rows is "No machines."
/// alone (nothing without `legend`). Pure.
[[nodiscard]] std::string format_machine_list(const std::vector<MachineRow>& rows, bool legend);

}  // namespace ocistart::runtime
