// Resource statistics of a cgroup (`ocistart events`): pure parsers of the text of cgroup
// v1 and v2 files, and a reader that collects them for a cgroup path under a mount root.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/cgroupfs.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// CPU time in nanoseconds.
struct CpuUsage {
  uint64_t total = 0;
  std::vector<uint64_t> percpu, percpu_kernel, percpu_user;  // v1 only
  uint64_t kernel = 0, user = 0;
};

struct CpuThrottling {
  uint64_t periods = 0, throttled_periods = 0;
  uint64_t throttled_time = 0;  // ns
};

/// One memory counter: bytes, except failcnt. An unlimited limit is UINT64_MAX on v2 and
/// whatever the kernel says on v1 (9223372036854771712), as runc reports them.
struct MemoryEntry {
  uint64_t limit = 0, usage = 0, max = 0, failcnt = 0;
};

struct MemoryStats {
  uint64_t cache = 0;
  MemoryEntry usage, swap, kernel, kernel_tcp;
  std::map<std::string, uint64_t> raw;  // memory.stat
};

struct PidsStats {
  uint64_t current = 0;
  uint64_t limit = 0;  // 0: no limit ("max")
};

/// A line of blkio.*io_service* (v1) or an item of io.stat (v2).
struct BlkioEntry {
  uint64_t major = 0, minor = 0;
  std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total"
  uint64_t value = 0;

  bool operator==(const BlkioEntry&) const = default;
};

struct HugetlbStats {
  uint64_t usage = 0, max = 0, failcnt = 0;
};

struct Stats {
  CpuUsage cpu;
  CpuThrottling throttling;
  MemoryStats memory;
  PidsStats pids;
  std::vector<BlkioEntry> io_service_bytes, io_serviced;
  std::map<std::string, HugetlbStats> hugetlb;  // by page size ("2MB")
  /// OOM kills so far (v1 memory.oom_control `oom_kill`, v2 memory.events `oom_kill`);
  /// nullopt when the kernel does not count them.
  std::optional<uint64_t> oom_kills;
  bool under_oom = false;  // v1 memory.oom_control `under_oom`
  /// Which counters the cgroup's files gave: a controller not enabled for it, or a file the
  /// kernel lacks (memory.peak before 5.19), leaves its counters at zero and these false.
  bool have_memory = false;       // memory.current / memory.usage_in_bytes
  bool have_memory_peak = false;  // memory.peak / memory.max_usage_in_bytes (memory.usage.max)
  bool have_cpu = false;          // cpu.stat usage_usec / cpuacct.usage (cpu.total)
  bool have_pids = false;         // pids.current
  bool have_io = false;           // io.stat / blkio (io_service_bytes)
};

// ---- pure parsers ----

/// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events) as a map;
/// lines whose value is not an unsigned number are skipped.
[[nodiscard]] std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text);

/// Blank-separated unsigned numbers (cpuacct.usage_percpu). Stops at the first non-number.
[[nodiscard]] std::vector<uint64_t> parse_u64_list(std::string_view text);

/// cpuacct.usage_all ("cpu user system" then one row per cpu): per-cpu user and kernel ns.
/// Returns false (outputs untouched) when the text is not in that form.
[[nodiscard]] bool parse_cpuacct_usage_all(std::string_view text, std::vector<uint64_t>& ret_user,
                                           std::vector<uint64_t>& ret_kernel);

/// A limit file: a number, or "max" meaning `max_value`. nullopt when neither.
[[nodiscard]] std::optional<uint64_t> parse_limit(std::string_view text, uint64_t max_value);

/// v1 blkio.*io_service_bytes* / *io_serviced*: "MAJ:MIN Op value" lines; the device-less
/// "Total N" line is skipped.
[[nodiscard]] std::vector<BlkioEntry> parse_blkio_v1(std::string_view text);

/// v2 io.stat ("MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=.."): bytes and
/// operations as v1-style "Read"/"Write" entries, in device order.
struct IoStatV2 {
  std::vector<BlkioEntry> bytes, ios;
};
[[nodiscard]] IoStatV2 parse_io_stat_v2(std::string_view text);

// ---- reader ----

/// Collects the statistics of the cgroup `options.cgroup_path` from the hierarchies under
/// `options.mount_root` (layout and v1 mounts found as the cgroupfs driver finds them;
/// only cgroup_path, mount_root, layout and mountinfo_path are used). Files a kernel or a
/// hierarchy lacks are left at zero. Errors: the layout or mounts cannot be read, or the
/// cgroup is missing in the memory (v1) or unified (v2) hierarchy (ENOENT).
[[nodiscard]] util::Result<Stats> read_stats(const CgroupfsOptions& options);

}  // namespace ocistart::cgroups
