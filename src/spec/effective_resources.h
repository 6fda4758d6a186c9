// What a linux.resources value means once the values clients write for "not set" are set
// aside: the ONE place that decides it. Validation, the cgroupfs plans (v1 and v2) and the
// systemd unit properties all read resources through effective_resources(), so that no
// two of them can disagree (pids.limit 0 is nothing at all everywhere, never pids.max=1
// in one driver and TasksMax=infinity in the other).
//
// The rules are runc 1.1's, the runtime Docker, containerd and CRI-O were written against
// (Docker 20.10 always writes "blockIO":{"weight":0}):
// - 0 means "not set" for memory limit, reservation, swap, kernel and kernelTCP; cpu
//   shares, quota, period, realtimeRuntime and realtimePeriod; pids limit; blockIO weight
//   and leafWeight, and the weight and leafWeight of each weightDevice entry; the
//   network classID. Empty cpus/mems already mean unset.
// - memory swappiness 2^64-1 (a -1 stored into the spec's uint64, as Docker does) is unset.
// - disableOOMKiller false and useHierarchy true are what every cgroup has: unset.
// - device rule access letters other than r, w and m are ignored ("rwa" is "rw"), as
//   runc's device emulator reads only those; an access with none of them is left as is
//   for validation to refuse (it must not turn into the empty access, which means rwm).
// Negative values are not unset: -1 means "unlimited" (validation says which others are
// refused). Entries of lists are never removed, so JSON pointer indices stay valid.
#pragma once

#include "spec/config.h"

namespace ocistart::spec {

/// `resources` with every "not set" value (see above) made absent. Pure and idempotent.
[[nodiscard]] Resources effective_resources(const Resources& resources);

/// Docker's "no swappiness": -1 stored into the spec's uint64.
inline constexpr uint64_t kSwappinessUnset = ~uint64_t{0};

}  // namespace ocistart::spec
