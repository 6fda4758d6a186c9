// The helper process behind cgroups/migration_lock.h: it starts the RCU grace period that
// moving a pid between cgroups waits for, and keeps it passed, by writing "0" to
// cgroup.procs of its own cgroup (it moves to where it is: nothing changes) every few
// milliseconds. A writer within about a grace period of the last one does not wait
// (measured: 5-16 ms for the first write after a quiet spell, 0.02 ms for one 1-12 ms
// after another), so systemd's move of a container's init, later, does not wait either.
//
// Raw system calls only (raw_syscall.h): the static launcher (src/launcher.cc), which links
// no C library, forks it at its start for the command lines that will have systemd move an
// init, and tells the runtime its pid in kGraceHelperVar; the runtime starts one of its own
// (sharing its memory) where no launcher did.
#pragma once

#include <cstddef>

namespace ocistart::os {

/// The environment variable that carries the launcher's helper's pid to the runtime, which
/// removes it from its environment first thing (cgroups::adopt_launcher_helper()).
inline constexpr char kGraceHelperVar[] = "_OCISTART_GRACE_HELPER";

/// How often the helper writes (within the shortest grace period seen here, 5 ms), and how
/// many times at most: 15 ms. systemd's move comes right after the first grace period
/// passed, which the first write waits for, unless the create is slow; and every write
/// makes each fork and exit on the host wait for it (50 creates at once: 376 ms with 333
/// writes at most, 350 with 5).
inline constexpr long kGraceRewriteNs = 3'000'000;
inline constexpr int kGraceMaxWrites = 5;

/// The path field of the line of /proc/self/cgroup text ("ID:CONTROLLERS:PATH") whose
/// controllers field is `controllers` ("" for cgroup2's line): its start, and its length
/// in `*len`; null without one.
const char* proc_cgroup_path(const char* text, const char* controllers, size_t* len) noexcept;

/// cgroup.procs of our own cgroup, from /proc/self/cgroup: the cgroup2 one (mounted at
/// /sys/fs/cgroup, or at /sys/fs/cgroup/unified on a hybrid host), else name=systemd's;
/// opened for writing (close-on-exec), or -errno. Its own small parser: the launcher has
/// no C++ library for util::parse_proc_cgroup.
long open_own_cgroup_procs() noexcept;

/// The helper's life: "0" to `procs_fd` every kGraceRewriteNs, kGraceMaxWrites times at
/// most, until `*stop` is nonzero (a futex word; null: until killed); killed with its
/// parent (PR_SET_PDEATHSIG; `parent` is its pid, so that a parent already gone ends it
/// at once). Then it exits. It first closes every fd of its own table but `procs_fd`.
[[noreturn]] void keep_grace_period(long procs_fd, const int* stop, long parent) noexcept;

/// Forks a helper (no exit signal: only a wait with __WALL sees it) that runs
/// keep_grace_period() until killed. Its pid, or -errno (no cgroup file we may write, no
/// process).
long fork_grace_helper() noexcept;

}  // namespace ocistart::os
