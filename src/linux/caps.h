// Capabilities of the init: the five sets of process.capabilities as bitmasks, computed
// purely from the config, then applied with prctl and libcap.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linux/syscalls.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// One bit per capability number (bit 0 = CAP_CHOWN), as /proc/<pid>/status prints them.
struct CapabilitySets {
  uint64_t bounding = 0;
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
  uint64_t ambient = 0;
  /// Names the spec knows but the running kernel does not (number > last_cap): left out of
  /// every set, without an error (runc warns about them; the caller may log them).
  std::vector<std::string> skipped;
};

/// Pure: the bitmasks of `caps` for a kernel whose highest capability is `last_cap`.
/// A name that is no capability at all is an error ("unknown capability `CAP_FOO`", EINVAL).
[[nodiscard]] util::Result<CapabilitySets> compute_capability_sets(const spec::Capabilities& caps, int last_cap);

/// "CAP_CHOWN, CAP_KILL" for the bits of `mask` (numbers without a name as "41").
[[nodiscard]] std::string capability_list(uint64_t mask);

/// The highest capability number of the running kernel: /proc/sys/kernel/cap_last_cap, or,
/// when that cannot be read (no /proc yet), probed with PR_CAPBSET_READ.
[[nodiscard]] int kernel_last_cap();

/// Before `create` reports success: every capability `caps` names (in any set, known to
/// the kernel) must be in our bounding set, or the process could never get it and would
/// fail at `start` (runc fails `create`). EPERM: "process.capabilities: CAP_SYS_RESOURCE,
/// CAP_BPF are not in the runtime's bounding set". Safe in the init child.
[[nodiscard]] util::Status check_capabilities_held(const spec::Capabilities& caps);

/// Step 1, while the init still has CAP_SETPCAP (before the uid switch): PR_CAPBSET_DROP
/// for every capability up to `last_cap` not in `sets.bounding`, through `sys`. Safe in the
/// init child.
[[nodiscard]] util::Status drop_bounding_set(Syscalls& sys, const CapabilitySets& sets, int last_cap);

/// Step 2, after the uid switch (done with PR_SET_KEEPCAPS): effective, permitted and
/// inheritable with cap_set_proc, then the ambient set cleared and raised cap by cap.
/// EPERM names the capabilities the runtime itself does not hold. Each call goes through
/// `sys`. Safe in the init child.
[[nodiscard]] util::Status apply_capability_sets(Syscalls& sys, const CapabilitySets& sets, int last_cap);

}  // namespace ocistart::os
