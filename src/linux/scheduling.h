// Execution domain and scheduling of the init: personality, I/O priority, CPU scheduler,
// CPU affinity. Pure translations (spec -> kernel values) are separate from the syscalls
// so they can be tested without privileges.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// The persona for personality(2): domain LINUX (PER_LINUX) or LINUX32 (PER_LINUX32), ORed
/// with the flags (ADDR_NO_RANDOMIZE, ...). Unknown names are errors (EINVAL).
[[nodiscard]] util::Result<unsigned long> personality_value(const spec::Personality& personality);

/// The ioprio value for ioprio_set(2): class (IOPRIO_CLASS_RT/_BE/_IDLE) << 13 | priority
/// (0..7). Unknown class or priority out of range: EINVAL.
[[nodiscard]] util::Result<int> io_priority_value(const spec::IoPriority& io_priority);

/// struct sched_attr of sched_setattr(2), spelled out because glibc 2.36 has no wrapper.
struct SchedAttr {
  uint32_t size = sizeof(SchedAttr);
  uint32_t sched_policy = 0;
  uint64_t sched_flags = 0;
  int32_t sched_nice = 0;
  uint32_t sched_priority = 0;
  uint64_t sched_runtime = 0;
  uint64_t sched_deadline = 0;
  uint64_t sched_period = 0;
  uint32_t sched_util_min = 0;
  uint32_t sched_util_max = 0;
};

/// process.scheduler as a sched_attr: policy SCHED_* and flags SCHED_FLAG_* by name,
/// nice, priority, runtime, deadline, period. Unknown names: EINVAL.
[[nodiscard]] util::Result<SchedAttr> scheduler_attr(const spec::Scheduler& scheduler);

/// "0-3,7" -> {0, 1, 2, 3, 7}: sorted, without duplicates. Blanks around items are
/// allowed; an empty list gives an empty vector. Errors (EINVAL) name the list.
[[nodiscard]] util::Result<std::vector<unsigned>> parse_cpu_list(std::string_view list);

/// personality(2). Safe in the init child.
[[nodiscard]] util::Status apply_personality(const spec::Personality& personality);
/// ioprio_set(IOPRIO_WHO_PROCESS, 0, ...). Safe in the init child.
[[nodiscard]] util::Status apply_io_priority(const spec::IoPriority& io_priority);
/// sched_setattr(0, ...). Realtime policies and negative nice need CAP_SYS_NICE.
[[nodiscard]] util::Status apply_scheduler(const spec::Scheduler& scheduler);
/// sched_setaffinity(0, ...) to the CPUs of `list`; an empty list changes nothing.
[[nodiscard]] util::Status apply_cpu_affinity(std::string_view list);

}  // namespace ocistart::os
