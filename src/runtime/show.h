// `ocistart show`: a container as `systemctl show` shows a unit, "Name=Value" lines. The
// facts are gathered once (state, the kept config's resources, the cgroup's counters),
// then turned into properties and printed by pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cgroups/stats.h"
#include "runtime/status_report.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::runtime {

/// Everything `show` prints.
struct ShowFacts : ContainerFacts {
  /// The resources of the config the container was created with (the state directory's
  /// config.json); nullopt when it could not be read.
  std::optional<spec::Resources> resources;
  /// The cgroup's counters now; nullopt when it is gone (stopped) or unreadable.
  std::optional<cgroups::Stats> stats;
};

/// One property: its name and its value as systemctl writes it; "" is an empty value
/// (printed only with --all or when asked for with -p, as systemctl does).
using Property = std::pair<std::string, std::string>;

/// The properties in their fixed order: Id, Status, Pid, Bundle, Rootfs, Created, Owner,
/// Unit, Machine, ControlGroup, CgroupDriver; the use now (MemoryCurrent, MemoryPeak,
/// CPUUsageNSec, TasksCurrent, IOReadBytes, IOWriteBytes: "[not set]" when the cgroup
/// does not count it); the limits of the config (MemoryMin, MemoryLow, MemoryHigh,
/// MemoryMax, MemorySwapMax, CPUWeight, CPUShares, CPUQuotaPerSecUSec,
/// CPUQuotaPeriodUSec, AllowedCPUs, AllowedMemoryNodes, TasksMax, IOWeight), converted as
/// the drivers convert them (spec/resource_values.h) and written as systemctl writes them:
/// bytes as integers, "infinity" for no limit, "[not set]" for an unset weight, time spans
/// ("100ms"); all empty when the config could not be read. `created` is shown in the local
/// time zone. Pure.
[[nodiscard]] std::vector<Property> show_properties(const ShowFacts& facts);

/// What to print of the properties (systemctl show's -p, --value, --all).
struct ShowSelection {
  std::vector<std::string> names;  // -p, each may be "A,B"; empty: all
  bool value_only = false;         // --value
  bool all = false;                // --all: empty values too (implied by -p)
};

/// The "Name=Value" lines (or only the values) of `properties` that `selection` asks for,
/// in the properties' own order whatever the order of -p, each at most once (as systemctl
/// 252 does); names that are no property print nothing. Empty values are skipped unless
/// `all` or -p was given. Pure.
[[nodiscard]] std::string format_show(const std::vector<Property>& properties, const ShowSelection& selection);

/// The facts of container `id` in `root`: its state (under the container's lock, briefly),
/// the kept config and the cgroup's statistics (not for a stopped container). Errors: the
/// state store's ("container `id` does not exist").
[[nodiscard]] util::Result<ShowFacts> gather_show(const std::string& root, const std::string& id);

}  // namespace ocistart::runtime
