// The device cgroup rules a container really gets.
#pragma once

#include <vector>

#include "spec/config.h"

namespace ocistart::runtime {

/// linux.resources.devices, then (when that list is not empty) the devices every container
/// needs — mknod of any node, /dev/null, zero, full, random, urandom, tty, console, ptmx and
/// /dev/pts/* — then an allow rule for each linux.devices entry, as runc does. Rules are
/// applied in order and the last match wins, so these allows survive a leading deny-all.
/// An empty config list stays empty: no device restriction, as in runc.
[[nodiscard]] std::vector<spec::DeviceCgroupRule> effective_device_rules(const spec::Config& config);

}  // namespace ocistart::runtime
