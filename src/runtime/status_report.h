// `ocistart status`: what systemctl status shows for a unit, for a container. The facts
// are gathered once (state, cgroup files, /proc, journal), then formatted by a pure
// function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/driver.h"
#include "runtime/state_store.h"
#include "runtime/status.h"
#include "util/result.h"

namespace ocistart::runtime {

/// One process of the container's cgroup.
struct ProcessLine {
  int pid = 0;
  std::string command;  // its command line, or "[comm]" when it has none
};

/// Tasks and memory of a cgroup; each value nullopt when its file is missing or unreadable.
struct CgroupUsage {
  std::optional<uint64_t> tasks;       // pids.current
  std::optional<uint64_t> tasks_max;   // pids.max, unless "max"
  std::optional<uint64_t> memory;      // memory.current (v2) / memory.usage_in_bytes (v1)
  std::optional<uint64_t> memory_max;  // memory.max / memory.limit_in_bytes, unless unlimited
};

/// Everything `status` prints.
/// What `status` and `show` both print of a container: its state.json and its status now.
struct ContainerFacts {
  std::string id;
  ContainerStatus status = ContainerStatus::stopped;
  int pid = 0;  // init; 0 when stopped
  std::string bundle, rootfs;
  std::string created;  // RFC 3339, as state.json records it
  std::string owner;
  std::string cgroup_driver;  // "cgroupfs" or "systemd"
  std::string unit;           // systemd unit, empty with cgroupfs
  std::string machine;        // the machined name (--register-machine), or empty
  std::string cgroup_path;
};

/// The facts of a loaded state whose status now is `status`.
[[nodiscard]] ContainerFacts container_facts(const ContainerState& s, ContainerStatus status);

struct StatusFacts : ContainerFacts {
  CgroupUsage usage;
  std::vector<ProcessLine> processes;  // sorted by pid
  std::vector<std::string> journal;    // formatted lines, newline-terminated, oldest first
  std::string journal_note;            // why there are no lines, when that needs saying
};

/// How format_status draws.
struct StatusStyle {
  uint64_t now_usec = 0;  // for "3min ago"
  bool utf8 = true;       // "●" and tree lines ("├─", "└─"), else "*", "|-", "`-"
};

/// The report, systemctl-status style: a title line, aligned "Name: value" lines (only
/// those with a value), the cgroup's processes as a tree under "CGroup:", then a blank line
/// and the journal lines. Pure (the created time is shown in the local time zone).
[[nodiscard]] std::string format_status(const StatusFacts& facts, const StatusStyle& style);

/// "Thu 2026-12-03 10:00:00 UTC": µs since the epoch in the local time zone, as systemctl
/// writes a timestamp (format_timestamp()).
[[nodiscard]] std::string format_timestamp(uint64_t usec);

/// "1.5M", "64.0M", "512B": a byte count in systemd's format_bytes style (base 1024).
[[nodiscard]] std::string format_bytes(uint64_t bytes);

/// "3min 2s", "2h 5min", "1 day 3h", "5s": how long ago, at systemd's precision for status.
[[nodiscard]] std::string format_age(uint64_t usec);

/// An RFC 3339 time ("2024-05-01T12:00:00.123456789Z", or with a "+02:00" offset) as µs
/// since the epoch; nullopt when malformed.
[[nodiscard]] std::optional<uint64_t> parse_rfc3339_usec(std::string_view text);

/// The tasks and memory of cgroup `cgroup_path` under `mount_root`, for `layout`: v1 and
/// hybrid read the pids and memory hierarchies (then, for what they lack, the unified
/// one), v2 the unified files. Tests point `mount_root` at a tmpdir.
[[nodiscard]] CgroupUsage read_cgroup_usage(const std::string& mount_root, cgroups::Layout layout,
                                            const std::string& cgroup_path);

/// `/proc/<pid>/cmdline` with NULs as spaces (control characters shown as '?'), or
/// "[comm]" for a process without one (kernel thread, zombie); nullopt when gone.
[[nodiscard]] std::optional<std::string> process_command(int pid);

/// The facts of container `id` in `root`: its state (under the container's lock, briefly),
/// cgroup usage and processes, and its last `lines` journal lines since it was created
/// (none when the journal cannot be read: journal_note says why). Errors: the state
/// store's ("container `id` does not exist").
[[nodiscard]] util::Result<StatusFacts> gather_status(const std::string& root, const std::string& id, unsigned lines);

}  // namespace ocistart::runtime
