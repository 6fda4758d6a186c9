// OCI linux.resources -> transient unit properties (pure; the bus layer sends them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spec/config.h"
#include "systemd/property.h"
#include "util/result.h"

namespace ocistart::systemd {

/// The property names differ between cgroup v1 (legacy and hybrid hosts: MemoryLimit,
/// CPUShares, BlockIO*) and v2 (MemoryMax, CPUWeight, IO*).
enum class CgroupVersion { v1, v2 };

/// Resource properties for `resources`, using spec/resource_values.h for every value
/// conversion (shares -> weight, swap, pids, sizes, quota rounding), as the cgroupfs plans
/// do, and spec::effective_resources() for what is "not set" (pids limit 0, weights 0,
/// ...), so that the properties and the cgroupfs follow-up agree. Settings systemd cannot
/// express are not returned; the driver writes the full cgroupfs plan after the unit
/// starts. Errors as the plan's.
[[nodiscard]] util::Result<UnitProperties> resource_properties(const spec::Resources& resources, CgroupVersion version);

struct ScopeRequest {
  std::string description;
  std::string slice;
  int pid = 0;
  CgroupVersion version = CgroupVersion::v2;
  const spec::Resources* resources = nullptr;             // may be null
  const spec::StringMap* annotations = nullptr;           // org.systemd.property.* override
  const std::vector<std::string>* assignments = nullptr;  // `-p NAME=VALUE`, last word
};

/// Everything StartTransientUnit gets for a container scope: Description, Slice,
/// Delegate=yes, DefaultDependencies=no, PIDs=[pid], the accounting switches (BlockIO on v1
/// only with blockIO settings: it costs a realization of the whole tree), the resource
/// properties, then the annotation properties, which replace same-named ones, then the
/// `-p` assignments (assignment.h), which win over both.
[[nodiscard]] util::Result<UnitProperties> scope_properties(const ScopeRequest& request);

/// "0-2,4" -> systemd's CPU/NUMA set bitmask (ay: bit n in byte n/8), as AllowedCPUs and
/// AllowedMemoryNodes take it. EINVAL names `what`.
[[nodiscard]] util::Result<std::vector<uint8_t>> cpu_set_mask(std::string_view list, std::string_view what);

/// DeviceAllow's name for every device of `type` ('c' or 'b') with `major`: "char-pts"
/// for ('c', 136), from the text of /proc/devices; nullopt when it lists no such major. Pure.
[[nodiscard]] std::optional<std::string> device_group(std::string_view proc_devices, char type, int64_t major);

/// Drops the property named `name` (after systemd said it cannot set it).
void drop_property(UnitProperties& properties, std::string_view name);

}  // namespace ocistart::systemd
