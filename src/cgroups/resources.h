// What an OCI `linux.resources` value means in cgroup terms: pure functions from
// spec::Resources to an ordered list of cgroup file writes (a Plan), for cgroup v1 and v2.
// This is the ONLY place that translates OCI resources into cgroup files; the cgroupfs
// drivers apply plans. Each value both drivers compute (cpu weight, io weight, v2 swap,
// pids.max, memory sizes) comes from spec/resource_values.h, as the unit properties do.
//
// Which values mean "not set" (0 for most sizes, shares, weights and periods; pids.limit 0;
// ...) is decided in ONE place, spec::effective_resources(); every function here reads its
// resources through it, and so does the systemd driver (systemd/unit_properties.cc).
// Semantics chosen where the spec leaves room (each follows runc 1.1 unless noted):
// - memory limit/reservation/swap -1 means unlimited (v1 writes "-1", v2 writes "max").
// - v2 memory.swap.max = swap - limit (OCI swap is memory+swap, v2 swap is swap only).
// - pids.limit: > 0 is the limit, < 0 is "max" (0 is unset, as runc 1.1 and Docker read it).
// - v2 cpu.weight uses runc/crun's quadratic log mapping of cpu.shares.
// - cpu quota/period on v2: cpu.max "<quota|max> <period>", period defaulting to 100000.
// - v2 cannot express kernel, kernelTCP, swappiness, useHierarchy, disableOOMKiller,
//   leafWeight, realtime and network settings: they are skipped with a warning (Plan::warnings).
//   useHierarchy false is skipped with a warning on v1 too (kernels refuse it; runc ignores it).
// - `unified` needs cgroup v2 (error on v1/hybrid); each line of a value is one write.
// - devices: v1 writes `devices.deny a` then each rule in order; v2 gets an eBPF program
//   (device_bpf.h) where the last matching rule wins.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// One write of a plan: `value` into `file` in the container's cgroup directory of the
/// hierarchy that holds `controller` (v1), or of the unified hierarchy (v2, where
/// `controller` names the controller to enable in the parents; "" for core files).
struct Write {
  std::string controller;
  std::string file;
  std::string value;
  /// When `file` does not exist (ENOENT), `fallback_value` goes to `fallback_file` instead
  /// (blkio.weight -> blkio.bfq.weight; io.bfq.weight -> io.weight). Empty: no fallback.
  std::string fallback_file;
  std::string fallback_value;
  /// ENOENT (a knob this kernel lacks) is not an error: the write is skipped.
  bool optional = false;
  /// On EINVAL the write is retried once after the next write that succeeds: pairs the
  /// kernel checks against each other's current value (memory limit vs memsw, cfs period
  /// or burst vs quota, rt period vs runtime). runc and crun reorder the same way.
  bool retry_after_next = false;

  bool operator==(const Write&) const = default;
};

/// The translation of one spec::Resources for one cgroup version.
struct Plan {
  std::vector<Write> writes;
  /// v2 only: the device rules to compile into an eBPF program (device_bpf.h); absent when
  /// the resources have no device rules (an update without devices keeps the old program).
  std::optional<std::vector<spec::DeviceCgroupRule>> device_rules;
  /// Settings this version cannot express, skipped: "memory.kernel is not supported on
  /// cgroup v2, ignored". The caller logs them.
  std::vector<std::string> warnings;
};

/// The cgroup v1 plan for `resources`. Errors: `unified` present, invalid values
/// (swappiness > 100, bad device rule, bad hugepage size).
[[nodiscard]] util::Result<Plan> plan_v1(const spec::Resources& resources);
/// The cgroup v2 plan for `resources`. Errors: swap without a limit, swap < limit, bad
/// unified key, bad device rule, bad hugepage size.
[[nodiscard]] util::Result<Plan> plan_v2(const spec::Resources& resources);

/// Whether `resources` can be applied on cgroup v2 (`v2`) or v1/hybrid, before anything is
/// made: the plan's errors as runc words them at create, "invalid configuration: ...",
/// starting with the JSON pointer below linux.resources when there is one ("/unified: ...",
/// "/memory/swap: ...").
[[nodiscard]] util::Status check_for_version(const spec::Resources& resources, bool v2);

/// Reads one file of the container's cgroup for with_current_pairs(): `file` in the
/// hierarchy of `controller` (v1) or in the unified one (v2); its content, or an error.
using ReadCgroupFile = std::function<util::Result<std::string>(const std::string& controller, const std::string& file)>;

/// For update(), which changes only the settings it is given: settings that the kernel or
/// systemd take as one value get their missing half from the cgroup's current files, so that
/// it keeps its value instead of falling back to a default:
/// - CFS quota and period (given = non-zero): one file on v2 (cpu.max "<quota|max>
///   <period>"), and one property with systemd (CPUQuotaPerSecUSec = quota per period).
///   A current "max" / -1 quota comes back as -1.
/// - v2 only: a swap value given without a memory limit takes the limit from memory.max
///   (memory.swap.max is swap minus limit); "max" comes back as -1.
/// A file that cannot be read or parsed leaves the half unset (the old behaviour). Pure but
/// for `read`.
[[nodiscard]] spec::Resources with_current_pairs(const spec::Resources& resources, bool v2, const ReadCgroupFile& read);

// --- Conversions ----------------------------------------------------------------------
// The value conversions shared with the systemd driver are in spec/resource_values.h.

/// The v1 devices.allow/deny line for a rule: "a", or "c 1:3 rwm" with "*" for an absent
/// major/minor and "rwm" for an empty access. Errors on an unknown type or access letter.
[[nodiscard]] util::Result<std::string> device_rule_line(const spec::DeviceCgroupRule& rule);

/// checkBeforeUpdate: an error when a positive memory limit or memory+swap limit in
/// `memory` is not above `usage` (bytes in use now); otherwise ok.
[[nodiscard]] util::Status check_memory_update(const spec::Memory& memory, uint64_t usage);

}  // namespace ocistart::cgroups
