// A container without a cgroup of its own: what a rootless container gets when the host
// delegates no cgroup to its user and the config asks for no limit (runc's rootless
// mode on cgroup v1). Its processes stay in the cgroup of whoever ran the runtime.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/driver.h"
#include "spec/config.h"

namespace ocistart::cgroups {

/// The driver state.json calls "none": create() and add_process() move nobody; pids() are
/// the processes in the pid namespace of the container's init (`init_pid`, or the pid
/// create() is given), or the init alone when it shares ours; destroy() has nothing to
/// remove; update(), freeze() and thaw() fail with one line saying the container has no
/// cgroup. create() refuses resources that ask for a limit.
[[nodiscard]] std::unique_ptr<Driver> make_no_cgroup_driver(int init_pid = 0);

/// The processes whose pid namespace is `pid`'s, from `proc` (a procfs): `pid` alone when
/// that namespace is ours (a container without a pid namespace of its own), or when its
/// namespace cannot be read; empty when `pid` is gone.
[[nodiscard]] std::vector<int> pid_namespace_members(int pid, const std::string& proc = "/proc");

/// The first limit `resources` asks for, as its JSON path below linux.resources
/// ("memory.limit", "pids.limit", "unified"), after the values that mean "unset" are set
/// aside (spec::effective_resources); nullopt when it asks for none. Device rules are not
/// limits here: without a cgroup the devices a rootless container sees are its binds.
[[nodiscard]] std::optional<std::string> first_limit(const spec::Resources& resources);

}  // namespace ocistart::cgroups
