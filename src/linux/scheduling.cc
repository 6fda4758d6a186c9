#include "linux/scheduling.h"

#include <sched.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace ocistart::os {
namespace {

template <class T>
struct Named {
  std::string_view name;
  T value;
};

// Personality flags of <sys/personality.h> (the spec defines none yet; these are the
// kernel's names, so a config written for a later spec keeps working).
constexpr Named<unsigned long> kPersonalityFlags[] = {
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
};

// <linux/ioprio.h> values, spelled out: the header's macros changed shape across versions.
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioWhoProcess = 1;
constexpr Named<int> kIoprioClasses[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};

// Policy numbers of <linux/sched.h>; SCHED_ISO (4) is reserved upstream and the kernel
// rejects it with EINVAL, which is what the user then sees.
constexpr Named<uint32_t> kSchedPolicies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

constexpr Named<uint64_t> kSchedFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},     {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},    {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

template <class T, size_t N>
std::optional<T> lookup(const Named<T> (&table)[N], std::string_view name) {
  for (const Named<T>& entry : table)
    if (entry.name == name)
      return entry.value;
  return std::nullopt;
}

// Upper bound for a CPU number: far above any real machine, low enough that a typo
// ("0-4000000000") does not allocate gigabytes.
constexpr unsigned kMaxCpu = 1u << 16;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::optional<unsigned> parse_cpu(std::string_view s) {
  s = trim(s);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value >= kMaxCpu)
    return std::nullopt;
  return value;
}

}  // namespace

util::Result<unsigned long> personality_value(const spec::Personality& personality) {
  unsigned long value = 0;
  if (personality.domain == "LINUX")
    value = PER_LINUX;
  else if (personality.domain == "LINUX32")
    value = PER_LINUX32;
  else
    return util::make_error("unknown personality domain `" + personality.domain + "`", EINVAL);
  for (const std::string& flag : personality.flags) {
    std::optional<unsigned long> bit = lookup(kPersonalityFlags, flag);
    if (!bit)
      return util::make_error("unknown personality flag `" + flag + "`", EINVAL);
    value |= *bit;
  }
  return value;
}

util::Result<int> io_priority_value(const spec::IoPriority& io_priority) {
  std::optional<int> io_class = lookup(kIoprioClasses, io_priority.io_class);
  if (!io_class)
    return util::make_error("unknown I/O priority class `" + io_priority.io_class + "`", EINVAL);
  if (io_priority.priority < 0 || io_priority.priority > 7)
    return util::make_error("I/O priority " + std::to_string(io_priority.priority) + " is out of range (0-7)", EINVAL);
  return (*io_class << kIoprioClassShift) | io_priority.priority;
}

util::Result<SchedAttr> scheduler_attr(const spec::Scheduler& scheduler) {
  SchedAttr attr;
  std::optional<uint32_t> policy = lookup(kSchedPolicies, scheduler.policy);
  if (!policy)
    return util::make_error("unknown scheduler policy `" + scheduler.policy + "`", EINVAL);
  attr.sched_policy = *policy;
  for (const std::string& flag : scheduler.flags) {
    std::optional<uint64_t> bit = lookup(kSchedFlags, flag);
    if (!bit)
      return util::make_error("unknown scheduler flag `" + flag + "`", EINVAL);
    attr.sched_flags |= *bit;
  }
  if (scheduler.priority < 0)
    return util::make_error("scheduler priority " + std::to_string(scheduler.priority) + " is negative", EINVAL);
  attr.sched_nice = scheduler.nice;
  attr.sched_priority = static_cast<uint32_t>(scheduler.priority);
  attr.sched_runtime = scheduler.runtime;
  attr.sched_deadline = scheduler.deadline;
  attr.sched_period = scheduler.period;
  return attr;
}

util::Result<std::vector<unsigned>> parse_cpu_list(std::string_view list) {
  std::vector<unsigned> cpus;
  auto invalid = [&list](std::string_view why) {
    return util::make_error("invalid cpu list `" + std::string(list) + "`: " + std::string(why), EINVAL);
  };
  if (trim(list).empty())
    return cpus;
  std::string_view rest = list;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t dash = item.find('-');
    std::optional<unsigned> first = parse_cpu(item.substr(0, dash));
    std::optional<unsigned> last = dash == std::string_view::npos ? first : parse_cpu(item.substr(dash + 1));
    if (!first || !last)
      return invalid("`" + std::string(trim(item)) + "` is not a cpu or a range of cpus");
    if (*first > *last)
      return invalid("range `" + std::string(trim(item)) + "` ends before it starts");
    for (unsigned cpu = *first; cpu <= *last; ++cpu)
      cpus.push_back(cpu);
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

util::Status apply_personality(const spec::Personality& personality) {
  util::Result<unsigned long> value = personality_value(personality);
  if (!value)
    return std::move(value).error();
  if (::personality(*value) < 0)
    return util::errno_error("personality `" + personality.domain + "`");
  return {};
}

util::Status apply_io_priority(const spec::IoPriority& io_priority) {
  util::Result<int> value = io_priority_value(io_priority);
  if (!value)
    return std::move(value).error();
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, *value) < 0)
    return util::errno_error("ioprio_set `" + io_priority.io_class + "` priority " +
                             std::to_string(io_priority.priority));
  return {};
}

util::Status apply_scheduler(const spec::Scheduler& scheduler) {
  util::Result<SchedAttr> attr = scheduler_attr(scheduler);
  if (!attr)
    return std::move(attr).error();
  if (::syscall(SYS_sched_setattr, 0, &*attr, 0) < 0)
    return util::errno_error("sched_setattr `" + scheduler.policy + "`");
  return {};
}

util::Status apply_cpu_affinity(std::string_view list) {
  util::Result<std::vector<unsigned>> cpus = parse_cpu_list(list);
  if (!cpus)
    return std::move(cpus).error();
  if (cpus->empty())
    return {};
  int count = static_cast<int>(cpus->back()) + 1;
  std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> set(CPU_ALLOC(count), [](cpu_set_t* s) { CPU_FREE(s); });
  if (!set)
    return util::errno_error("allocate cpu set");
  size_t size = CPU_ALLOC_SIZE(count);
  CPU_ZERO_S(size, set.get());
  for (unsigned cpu : *cpus)
    CPU_SET_S(cpu, size, set.get());
  if (::sched_setaffinity(0, size, set.get()) < 0)
    return util::errno_error("sched_setaffinity `" + std::string(list) + "`");
  return {};
}

}  // namespace ocistart::os
