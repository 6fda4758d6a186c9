// Moving a process between cgroups (a pid written to cgroup.procs) takes the kernel's
// global cgroup_threadgroup_rwsem for writing, and the first writer after a quiet spell
// waits for an RCU grace period: 8-15 ms when systemd moves a container's init into its
// new scope on the development VM (bench/README.md "The systemd driver's start job"),
// most of a systemd-driver `run`. Writers that come within about one grace period of
// another's do not wait again.
#pragma once

namespace ocistart::cgroups {

/// Starts that grace period now, in a helper process that moves itself into the cgroup it
/// is already in (cgroup.procs of our own cgroup, "0": nothing changes), so that systemd's
/// move of the init a few milliseconds later finds it under way or passed. For the systemd
/// driver's create, before the module is loaded and the init cloned. The helper shares our
/// memory (clone(CLONE_VM): nothing copied) and makes two raw system calls; it is not a
/// thread, whose start and exit take locks of the C library that the init, cloned
/// meanwhile, would inherit held (tried: the init hung in 6 runs of 20). Best effort and
/// silent: no cgroup file we may write, no helper, nothing.
void start_migration_grace_period() noexcept;

/// Reaps that helper if it is done (it has no exit signal: only this wait sees it). Once
/// create is over; a helper still waiting is reaped by whoever inherits it.
void reap_migration_helper() noexcept;

}  // namespace ocistart::cgroups
