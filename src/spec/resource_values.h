// What one linux.resources value is in the kernel's or systemd's units: the conversions
// both cgroup drivers need, so that a cgroupfs file and the unit property for the same
// setting come from the same function (TasksMax and pids.max; CPUWeight and cpu.weight;
// MemorySwapMax and memory.swap.max). Pure: no I/O, no state.
//
// The callers format the result: cgroupfs writes kUnlimited as "max" (cgroups/resources.cc),
// systemd takes it as its "infinity" (systemd/unit_properties.cc). Which values mean "not
// set" is decided before these are asked, by spec::effective_resources().
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ocistart::spec {

/// No limit: systemd's "infinity" (USEC_INFINITY, CGROUP_LIMIT_MAX); "max" in a v2 file.
inline constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

/// The kernel's default CFS period, in microseconds (cfs_period_us, cpu.max).
inline constexpr uint64_t kDefaultCfsPeriodUs = 100000;

/// OCI cpu.shares [2, 262144] -> v2 cpu.weight and CPUWeight [1, 10000]: 0 stays 0
/// ("unset"); otherwise ceil(10^((L^2 + 125 L) / 612 - 7/34)) with L = log2(shares),
/// clamped (2 -> 1, 1024 -> 100, 262144 -> 10000), the mapping runc and crun use.
[[nodiscard]] uint64_t cpu_shares_to_weight(uint64_t shares) noexcept;

/// OCI blkio weight [10, 1000] -> v2 io.weight and IOWeight [1, 10000], linearly; 0 stays 0.
[[nodiscard]] uint64_t blkio_weight_to_io_weight(uint64_t weight) noexcept;

/// OCI memory.swap (memory+swap) -> v2 memory.swap.max and MemorySwapMax (swap alone); -1
/// means unlimited, nullopt "do not set". Errors (EINVAL) when a positive swap has no
/// positive limit or is smaller than the limit.
[[nodiscard]] util::Result<std::optional<int64_t>> memory_swap_to_v2(std::optional<int64_t> swap,
                                                                     std::optional<int64_t> limit);

/// A memory size (limit, reservation, v2 swap): any negative (validation lets only -1
/// through) is kUnlimited, otherwise the bytes.
[[nodiscard]] uint64_t memory_size_value(int64_t bytes) noexcept;

/// OCI pids.limit -> pids.max and TasksMax: < 0 is kUnlimited, otherwise the number. A
/// limit of 0 is unset (spec::effective_resources() removes it before this is asked).
[[nodiscard]] uint64_t pids_max(int64_t limit) noexcept;

/// systemd's CPUQuotaPerSecUSec for a quota/period pair: quota * 1e6 / period rounded UP to
/// a multiple of 10000 us (systemd keeps CPUQuota as whole percent). `period` 0 means
/// kDefaultCfsPeriodUs. kUnlimited when quota <= 0.
[[nodiscard]] uint64_t cpu_quota_per_sec_usec(int64_t quota, uint64_t period) noexcept;

/// A device rule's access as both drivers grant it: the empty access means "rwm".
[[nodiscard]] std::string device_access(std::string_view access);

}  // namespace ocistart::spec
