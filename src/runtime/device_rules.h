// The device cgroup rules a container really gets.
#pragma once

#include <vector>

#include "spec/config.h"

namespace ocistart::runtime {

/// linux.resources.devices (deny-all when there are none), then the devices every
/// container needs, as runc appends them — mknod of any node, /dev/null, zero, full, random,
/// urandom, tty, ptmx, net/tun and /dev/pts/* (the container's console is a pty, never the
/// host's c 5:1). Rules are applied in order and the last match wins, so these allows
/// survive a leading deny-all. linux.devices entries get no allow rule of their own (runc
/// does not add one either).
[[nodiscard]] std::vector<spec::DeviceCgroupRule> effective_device_rules(const spec::Config& config);

}  // namespace ocistart::runtime
