// events: one stats event (--stats), or stats every interval plus OOM events until the
// container stops. The JSON follows runc's types: same member names and order, and the
// same members left out when zero (Go's omitempty).
#include "runtime/events.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <thread>

#include "runtime/container.h"
#include "util/json_writer.h"

namespace ocistart::runtime {
namespace {

using util::JsonWriter;

// A counter that runc omits when zero.
void nonzero(JsonWriter& w, std::string_view key, uint64_t v) {
  if (v != 0)
    w.member(key, v);
}

void numbers(JsonWriter& w, std::string_view key, const std::vector<uint64_t>& v) {
  if (v.empty())
    return;
  w.key(key).begin_array();
  for (uint64_t n : v)
    w.value(n);
  w.end_array();
}

void memory_entry(JsonWriter& w, std::string_view key, const cgroups::MemoryEntry& e) {
  w.key(key).begin_object().member("limit", e.limit);
  nonzero(w, "usage", e.usage);
  nonzero(w, "max", e.max);
  w.member("failcnt", e.failcnt).end_object();
}

void blkio_entries(JsonWriter& w, std::string_view key, const std::vector<cgroups::BlkioEntry>& entries) {
  if (entries.empty())
    return;
  w.key(key).begin_array();
  for (const cgroups::BlkioEntry& e : entries) {
    w.begin_object();
    nonzero(w, "major", e.major);
    nonzero(w, "minor", e.minor);
    if (!e.op.empty())
      w.member("op", e.op);
    nonzero(w, "value", e.value);
    w.end_object();
  }
  w.end_array();
}

void write_stats(JsonWriter& w, const cgroups::Stats& s) {
  w.begin_object();
  w.key("cpu").begin_object().key("usage").begin_object();
  nonzero(w, "total", s.cpu.total);
  numbers(w, "percpu", s.cpu.percpu);
  numbers(w, "percpu_kernel", s.cpu.percpu_kernel);
  numbers(w, "percpu_user", s.cpu.percpu_user);
  w.member("kernel", s.cpu.kernel).member("user", s.cpu.user).end_object();
  w.key("throttling").begin_object();
  nonzero(w, "periods", s.throttling.periods);
  nonzero(w, "throttledPeriods", s.throttling.throttled_periods);
  nonzero(w, "throttledTime", s.throttling.throttled_time);
  w.end_object().end_object();

  w.key("memory").begin_object();
  nonzero(w, "cache", s.memory.cache);
  memory_entry(w, "usage", s.memory.usage);
  memory_entry(w, "swap", s.memory.swap);
  memory_entry(w, "kernel", s.memory.kernel);
  memory_entry(w, "kernelTCP", s.memory.kernel_tcp);
  if (!s.memory.raw.empty()) {
    w.key("raw").begin_object();
    for (const auto& [name, value] : s.memory.raw)
      w.member(name, value);
    w.end_object();
  }
  w.end_object();

  w.key("pids").begin_object();
  nonzero(w, "current", s.pids.current);
  nonzero(w, "limit", s.pids.limit);
  w.end_object();

  w.key("blkio").begin_object();
  blkio_entries(w, "ioServiceBytesRecursive", s.io_service_bytes);
  blkio_entries(w, "ioServicedRecursive", s.io_serviced);
  w.end_object();

  w.key("hugetlb").begin_object();
  for (const auto& [size, h] : s.hugetlb) {
    w.key(size).begin_object();
    nonzero(w, "usage", h.usage);
    nonzero(w, "max", h.max);
    w.member("failcnt", h.failcnt).end_object();
  }
  w.end_object();

  // Not collected by ocistart; present so consumers of runc's shape find them.
  w.key("intel_rdt").begin_object().end_object();
  w.key("network_interfaces").null();
  w.end_object();
}

void print_line(const std::string& json) {
  std::printf("%s\n", json.c_str());
  (void)std::fflush(stdout);
}

}  // namespace

std::string stats_event_json(const std::string& id, const cgroups::Stats& stats) {
  JsonWriter w;
  w.begin_object().member("type", "stats").member("id", id).key("data");
  write_stats(w, stats);
  w.end_object();
  return std::move(w).str();
}

std::string oom_event_json(const std::string& id) {
  JsonWriter w;
  w.begin_object().member("type", "oom").member("id", id).end_object();
  return std::move(w).str();
}

bool oom_happened(const cgroups::Stats& before, const cgroups::Stats& now) {
  if (before.oom_kills && now.oom_kills)
    return *now.oom_kills > *before.oom_kills;
  return now.under_oom && !before.under_oom;
}

util::Status events(const std::string& root, const std::string& id, std::chrono::nanoseconds interval,
                    bool stats_only) {
  ContainerState state;
  std::string dir;
  cgroups::CgroupfsOptions source;
  {
    // The lock is held only to read the state: events runs for as long as the container.
    util::Result<Loaded> l = load_locked(root, id);
    if (!l)
      return std::move(l).error();
    if (l->status == ContainerStatus::stopped || l->status == ContainerStatus::creating)
      return util::make_error("container not running", ESRCH);
    util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state, root);
    if (!driver)
      return std::move(driver).error();
    source.cgroup_path = (*driver)->path();
    state = l->state;
    dir = l->store.dir(id);
  }

  util::Result<cgroups::Stats> last = cgroups::read_stats(source);
  if (!last)
    return std::move(last).error().wrap("read the container's statistics");
  if (stats_only) {
    print_line(stats_event_json(id, *last));
    return {};
  }

  // OOM counters are polled (no eventfd yet): every tick, which is the interval but at
  // most 200ms, so that an OOM is reported soon after it happens.
  using Clock = std::chrono::steady_clock;
  const std::chrono::nanoseconds tick = std::min<std::chrono::nanoseconds>(interval, std::chrono::milliseconds(200));
  // The first stats event comes on the first tick, not one interval later (runc's way):
  // whoever waits for the stream to start does not wait 5 s for the default interval.
  Clock::time_point next_stats = Clock::now();
  for (;;) {
    std::this_thread::sleep_until(std::min(next_stats, Clock::now() + tick));
    // Read before looking at the status, so an OOM that ended the container is reported.
    util::Result<cgroups::Stats> now = cgroups::read_stats(source);
    const bool stopped = current_status(state, dir) == ContainerStatus::stopped;
    if (!now) {
      if (stopped)  // its cgroup may be gone already
        return {};
      return std::move(now).error().wrap("read the container's statistics");
    }
    if (oom_happened(*last, *now))
      print_line(oom_event_json(id));
    *last = std::move(*now);
    if (stopped)
      return {};
    if (Clock::now() >= next_stats) {
      print_line(stats_event_json(id, *last));
      next_stats += interval;
      if (next_stats < Clock::now())  // fell behind (a slow read, a stopped terminal)
        next_stats = Clock::now() + interval;
    }
  }
}

}  // namespace ocistart::runtime
