// systemd-machined registration: `machinectl list` and `machinectl status` show a
// container like an nspawn one (create --register-machine).
#pragma once

#include <chrono>
#include <string>

#include "util/result.h"

namespace ocistart::systemd {

/// RegisterMachine(name, no id, service "ocistart", class "container", leader,
/// root_directory) on its own system bus connection. machined finds the unit from the
/// leader's cgroup, so the leader must already be in the container's unit. Errors:
/// "register machine `name`: systemd-machined `RegisterMachine`: <D-Bus error>".
[[nodiscard]] util::Status register_machine(const std::string& name, int leader, const std::string& root_directory,
                                            std::chrono::milliseconds deadline);

/// UnregisterMachine(name); a machine machined no longer knows (gone with its unit) is fine.
[[nodiscard]] util::Status unregister_machine(const std::string& name, std::chrono::milliseconds deadline);

}  // namespace ocistart::systemd
