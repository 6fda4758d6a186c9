#include "runtime/show.h"

#include <algorithm>
#include <set>

#include "cgroups/fs_common.h"
#include "runtime/container.h"
#include "runtime/status_report.h"
#include "spec/effective_resources.h"
#include "spec/resource_values.h"
#include "systemd/timespan.h"
#include "util/text.h"

namespace ocistart::runtime {
namespace {

constexpr const char* kNotSet = "[not set]";

// A byte limit or count as systemctl writes one: "infinity" for no limit.
std::string limit_value(uint64_t v) { return v == spec::kUnlimited ? "infinity" : std::to_string(v); }

std::string counter(bool have, uint64_t v) { return have ? std::to_string(v) : kNotSet; }

uint64_t io_bytes(const cgroups::Stats& s, std::string_view op) {
  uint64_t sum = 0;
  for (const cgroups::BlkioEntry& e : s.io_service_bytes)
    if (e.op == op)
      sum += e.value;
  return sum;
}

// The unified keys that have a unit property of their own override it, as the systemd
// driver sends them (systemd/unit_properties.cc): "max" is infinity.
std::optional<uint64_t> unified_value(const spec::Resources& r, const std::string& key) {
  auto it = r.unified.find(key);
  if (it == r.unified.end())
    return std::nullopt;
  if (it->second == "max")
    return spec::kUnlimited;
  std::optional<uint64_t> v = cgroups::fs::parse_u64(util::trim_blanks(it->second));
  return v;
}

void add_usage(const ShowFacts& f, std::vector<Property>& out) {
  const cgroups::Stats none;
  const cgroups::Stats& s = f.stats ? *f.stats : none;
  out.emplace_back("MemoryCurrent", counter(s.have_memory, s.memory.usage.usage));
  out.emplace_back("MemoryPeak", counter(s.have_memory_peak, s.memory.usage.max));
  out.emplace_back("CPUUsageNSec", counter(s.have_cpu, s.cpu.total));
  out.emplace_back("TasksCurrent", counter(s.have_pids, s.pids.current));
  out.emplace_back("IOReadBytes", counter(s.have_io, io_bytes(s, "Read")));
  out.emplace_back("IOWriteBytes", counter(s.have_io, io_bytes(s, "Write")));
}

void add_memory_limits(const spec::Resources& r, std::vector<Property>& out) {
  const spec::Memory m = r.memory.value_or(spec::Memory{});
  auto size = [](std::optional<int64_t> v, uint64_t unset) { return v ? spec::memory_size_value(*v) : unset; };
  uint64_t swap = spec::kUnlimited;
  if (util::Result<std::optional<int64_t>> v2 = spec::memory_swap_to_v2(m.swap, m.limit); v2 && *v2)
    swap = spec::memory_size_value(**v2);
  out.emplace_back("MemoryMin", limit_value(unified_value(r, "memory.min").value_or(0)));
  out.emplace_back("MemoryLow", limit_value(unified_value(r, "memory.low").value_or(size(m.reservation, 0))));
  out.emplace_back("MemoryHigh", limit_value(unified_value(r, "memory.high").value_or(spec::kUnlimited)));
  out.emplace_back("MemoryMax", limit_value(unified_value(r, "memory.max").value_or(size(m.limit, spec::kUnlimited))));
  out.emplace_back("MemorySwapMax", limit_value(unified_value(r, "memory.swap.max").value_or(swap)));
}

void add_cpu_limits(const spec::Resources& r, std::vector<Property>& out) {
  const spec::Cpu c = r.cpu.value_or(spec::Cpu{});
  out.emplace_back("CPUWeight", c.shares ? std::to_string(spec::cpu_shares_to_weight(*c.shares)) : kNotSet);
  out.emplace_back("CPUShares", c.shares ? std::to_string(*c.shares) : kNotSet);
  uint64_t quota = c.quota ? spec::cpu_quota_per_sec_usec(*c.quota, c.period.value_or(0)) : spec::kUnlimited;
  out.emplace_back("CPUQuotaPerSecUSec", systemd::format_timespan_usec(quota));
  // systemd's "no period set" is infinity (the kernel's 100ms then applies).
  out.emplace_back("CPUQuotaPeriodUSec", systemd::format_timespan_usec(c.period.value_or(spec::kUnlimited)));
  out.emplace_back("AllowedCPUs", c.cpus);
  out.emplace_back("AllowedMemoryNodes", c.mems);
}

void add_limits(const std::optional<spec::Resources>& resources, std::vector<Property>& out) {
  // What is "not set" is what the drivers skip (spec/effective_resources.h).
  const spec::Resources r = resources ? spec::effective_resources(*resources) : spec::Resources{};
  const size_t first = out.size();
  add_memory_limits(r, out);
  add_cpu_limits(r, out);
  uint64_t tasks = r.pids && r.pids->limit ? spec::pids_max(*r.pids->limit) : spec::kUnlimited;
  out.emplace_back("TasksMax", limit_value(unified_value(r, "pids.max").value_or(tasks)));
  std::optional<uint16_t> weight = r.block_io ? r.block_io->weight : std::nullopt;
  out.emplace_back("IOWeight", weight ? std::to_string(spec::blkio_weight_to_io_weight(*weight)) : kNotSet);
  // Without the kept config nothing is known of the limits: empty values, not "infinity".
  if (!resources)
    for (size_t i = first; i < out.size(); ++i)
      out[i].second.clear();
}

// systemctl's -p takes "A,B" as two names.
std::set<std::string, std::less<>> selected_names(const std::vector<std::string>& names) {
  std::set<std::string, std::less<>> out;
  for (const std::string& n : names)
    for (std::string_view part : util::split(n, ','))
      if (!part.empty())
        out.emplace(part);
  return out;
}

}  // namespace

std::vector<Property> show_properties(const ShowFacts& f) {
  std::vector<Property> out;
  out.emplace_back("Id", f.id);
  out.emplace_back("Status", to_string(f.status));
  out.emplace_back("Pid", std::to_string(f.pid));
  out.emplace_back("Bundle", f.bundle);
  out.emplace_back("Rootfs", f.rootfs);
  std::optional<uint64_t> created = parse_rfc3339_usec(f.created);
  out.emplace_back("Created", created ? format_timestamp(*created) : f.created);
  out.emplace_back("Owner", f.owner);
  out.emplace_back("Unit", f.unit);
  out.emplace_back("Machine", f.machine);
  const bool relative = !f.cgroup_path.empty() && f.cgroup_path.front() != '/';
  out.emplace_back("ControlGroup", relative ? "/" + f.cgroup_path : f.cgroup_path);
  out.emplace_back("CgroupDriver", f.cgroup_driver);
  add_usage(f, out);
  add_limits(f.resources, out);
  return out;
}

std::string format_show(const std::vector<Property>& properties, const ShowSelection& selection) {
  const std::set<std::string, std::less<>> names = selected_names(selection.names);
  const bool filtered = !selection.names.empty();
  std::string out;
  for (const auto& [name, value] : properties) {
    if (filtered && !names.contains(name))
      continue;
    if (value.empty() && !selection.all && !filtered)
      continue;
    if (!selection.value_only)
      out.append(name).append("=");
    out.append(value).append("\n");
  }
  return out;
}

util::Result<ShowFacts> gather_show(const std::string& root, const std::string& id) {
  ShowFacts f;
  util::Result<Loaded> l = load_locked(root, id);
  if (!l)
    return std::move(l).error();
  const ContainerState& s = l->state;
  static_cast<ContainerFacts&>(f) = container_facts(s, l->status);
  if (util::Result<spec::Config> config = load_config_for(l->store, s); config) {
    f.resources = config->linux_ && config->linux_->resources ? *config->linux_->resources : spec::Resources{};
  }
  // A stopped container's cgroup may be gone or hold another's leftovers: no counters.
  if (l->status != ContainerStatus::stopped && !f.cgroup_path.empty()) {
    cgroups::CgroupfsOptions options;
    options.cgroup_path = f.cgroup_path.front() == '/' ? f.cgroup_path : "/" + f.cgroup_path;
    if (util::Result<cgroups::Stats> stats = cgroups::read_stats(options); stats)
      f.stats = std::move(*stats);
  }
  return f;
}

}  // namespace ocistart::runtime
