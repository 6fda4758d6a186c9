// Moving a process between cgroups (a pid written to cgroup.procs) takes the kernel's
// global cgroup_threadgroup_rwsem for writing, and the first writer after a quiet spell
// waits for an RCU grace period (5-16 ms on the development VM), holding cgroup_mutex, so
// every other cgroup operation waits too: when systemd moves a container's init into its
// new scope it is most of a systemd-driver `run` (bench/README.md "The systemd driver's
// start job"). Writers that come within about one grace period of another's do not wait.
// A helper process (linux/grace_helper.h) starts the grace period early and keeps it
// passed until systemd's move is done.
#pragma once

namespace ocistart::cgroups {

/// Takes over the helper the launcher started (its pid in os::kGraceHelperVar, which this
/// removes from the environment). First thing in main(), before anything reads environ.
void adopt_launcher_helper() noexcept;

/// For the systemd driver's create, before the module is loaded and the init cloned:
/// nothing when the launcher's helper runs; else a helper of our own that shares our
/// memory (clone(CLONE_VM): nothing copied) and makes raw system calls only. It is not a
/// thread, whose start and exit take locks of the C library that the init, cloned
/// meanwhile, would inherit held (tried: the init hung in 6 runs of 20). Best effort and
/// silent: no cgroup file we may write, no helper, nothing.
void start_migration_grace_period() noexcept;

/// systemd's move is done: the helper stops writing (ours is told; the launcher's, a child
/// of ours unless it exited, is killed).
void end_migration_grace_period() noexcept;

/// Stops and reaps the helpers (they have no exit signal: only this wait sees them). Once
/// create is over.
void reap_migration_helper() noexcept;

}  // namespace ocistart::cgroups
