#include "cgroups/resources.h"

#include <string_view>

#include "spec/effective_resources.h"
#include "spec/resource_values.h"

namespace ocistart::cgroups {

// Every function below that takes spec::Resources first reads them through
// spec::effective_resources(): the values meaning "not set" (0, mostly) are absent there,
// so a present value is one to write.
namespace {

using util::make_error;

// Builders keep the plan functions below readable: one line per file.
Write w(std::string controller, std::string file, std::string value) {
  Write out;
  out.controller = std::move(controller);
  out.file = std::move(file);
  out.value = std::move(value);
  return out;
}

Write optional_write(std::string controller, std::string file, std::string value) {
  Write out = w(std::move(controller), std::move(file), std::move(value));
  out.optional = true;
  return out;
}

Write with_fallback(Write write, std::string file, std::string value) {
  write.fallback_file = std::move(file);
  write.fallback_value = std::move(value);
  return write;
}

Write retried(Write write, bool retry) {
  write.retry_after_next = retry;
  return write;
}

std::string dev(int64_t major, int64_t minor) { return std::to_string(major) + ":" + std::to_string(minor); }

// v2 files with max/low semantics: spec::kUnlimited is "max".
std::string max_or_number(uint64_t v) { return v == spec::kUnlimited ? std::string("max") : std::to_string(v); }

// "2MB", "64KB", "1GB": digits, an optional binary unit prefix, "B" (config-linux.md).
util::Status check_page_size(const std::string& size) {
  size_t i = 0;
  while (i < size.size() && size[i] >= '0' && size[i] <= '9')
    ++i;
  bool ok = i > 0;
  std::string_view unit = std::string_view(size).substr(i);
  if (ok && !(unit == "B" || (unit.size() == 2 && unit[1] == 'B' &&
                              std::string_view("KMGTPE").find(unit[0]) != std::string_view::npos)))
    ok = false;
  if (!ok)
    return make_error("invalid hugepage size `" + size + "`", EINVAL);
  return {};
}

// A name that goes into a space-separated file line (interface, rdma device).
util::Status check_token(std::string_view what, const std::string& name) {
  if (name.empty() || name.find_first_of(" \t\n") != std::string::npos)
    return make_error(std::string(what) + " `" + name + "` is not a valid name", EINVAL);
  return {};
}

util::Status check_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) {
  for (const spec::DeviceCgroupRule& rule : rules) {
    auto line = device_rule_line(rule);
    if (!line)
      return std::move(line).error();
  }
  return {};
}

util::Status add_hugepages(const spec::Resources& r, const char* suffix, std::vector<Write>& out) {
  for (const spec::HugepageLimit& h : r.hugepage_limits) {
    if (auto st = check_page_size(h.page_size); !st)
      return st;
    std::string prefix = "hugetlb." + h.page_size;
    out.push_back(w("hugetlb", prefix + "." + suffix, std::to_string(h.limit)));
    // Reservation accounting (kernel 5.7+) is what the spec prefers; older kernels lack it.
    out.push_back(optional_write("hugetlb", prefix + ".rsvd." + suffix, std::to_string(h.limit)));
  }
  return {};
}

util::Status add_rdma(const spec::Resources& r, std::vector<Write>& out) {
  for (const auto& [device, limits] : r.rdma) {
    if (auto st = check_token("rdma device", device); !st)
      return st;
    if (!limits.hca_handles && !limits.hca_objects)
      continue;
    std::string line = device;
    if (limits.hca_handles)
      line += " hca_handle=" + std::to_string(*limits.hca_handles);
    if (limits.hca_objects)
      line += " hca_object=" + std::to_string(*limits.hca_objects);
    out.push_back(w("rdma", "rdma.max", line));
  }
  return {};
}

// ---- cgroup v1 ---------------------------------------------------------------------

util::Status v1_memory(const spec::Memory& m, std::vector<Write>& out, std::vector<std::string>& warnings) {
  const bool swap = m.swap.has_value();
  // The kernel keeps memsw >= limit at every step, so the order depends on the current
  // values: the limit goes first (right when lowering) and is retried after memsw on
  // EINVAL (raising). Unlimited memory without a swap value lifts memsw too, as runc does.
  const bool implicit_swap = !swap && m.limit == -1;
  if (m.limit.has_value())
    out.push_back(retried(w("memory", "memory.limit_in_bytes", std::to_string(*m.limit)), swap || implicit_swap));
  if (swap) {
    Write sw = w("memory", "memory.memsw.limit_in_bytes", std::to_string(*m.swap));
    sw.optional = *m.swap < 0;  // without swap accounting, "unlimited" is already true
    out.push_back(sw);
  } else if (implicit_swap) {
    out.push_back(optional_write("memory", "memory.memsw.limit_in_bytes", "-1"));
  }
  if (m.reservation.has_value())
    out.push_back(w("memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation)));
  // kmem limits are deprecated and gone from recent kernels: best effort.
  if (m.kernel)
    out.push_back(optional_write("memory", "memory.kmem.limit_in_bytes", std::to_string(*m.kernel)));
  if (m.kernel_tcp)
    out.push_back(optional_write("memory", "memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernel_tcp)));
  if (m.swappiness) {
    if (*m.swappiness > 100)
      return make_error("invalid memory swappiness `" + std::to_string(*m.swappiness) + "` (0-100)", EINVAL);
    out.push_back(w("memory", "memory.swappiness", std::to_string(*m.swappiness)));
  }
  // Only `false` is left (true is unset): kernels refuse it now, and runc never wrote it.
  if (m.use_hierarchy)
    warnings.emplace_back("memory.useHierarchy false is not supported (the hierarchy is always used), ignored");
  // Only `true` is left (false is unset).
  if (m.disable_oom_killer)
    out.push_back(w("memory", "memory.oom_control", "1"));
  return {};
}

void v1_cpu(const spec::Cpu& c, std::vector<Write>& out) {
  if (c.shares.has_value())
    out.push_back(w("cpu", "cpu.shares", std::to_string(*c.shares)));
  const bool quota = c.quota.has_value();
  // A new period or burst may not fit the old quota (EINVAL): retry once the quota is in.
  if (c.period.has_value())
    out.push_back(retried(w("cpu", "cpu.cfs_period_us", std::to_string(*c.period)), quota));
  if (c.burst)
    out.push_back(retried(optional_write("cpu", "cpu.cfs_burst_us", std::to_string(*c.burst)), quota));
  if (quota)
    out.push_back(w("cpu", "cpu.cfs_quota_us", std::to_string(*c.quota)));
  if (c.idle)
    out.push_back(w("cpu", "cpu.idle", std::to_string(*c.idle)));
  const bool rt_runtime = c.realtime_runtime.has_value();
  if (c.realtime_period.has_value())
    out.push_back(retried(w("cpu", "cpu.rt_period_us", std::to_string(*c.realtime_period)), rt_runtime));
  if (rt_runtime)
    out.push_back(w("cpu", "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime)));
}

util::Status v1_blkio(const spec::BlockIo& b, std::vector<Write>& out) {
  // Without CFQ (blk-mq kernels) the weight knobs exist only under the bfq names.
  if (b.weight.has_value()) {
    std::string v = std::to_string(*b.weight);
    out.push_back(with_fallback(w("blkio", "blkio.weight", v), "blkio.bfq.weight", v));
  }
  if (b.leaf_weight.has_value())
    out.push_back(w("blkio", "blkio.leaf_weight", std::to_string(*b.leaf_weight)));
  for (const spec::WeightDevice& d : b.weight_device) {
    if (d.weight.has_value()) {
      std::string v = dev(d.major, d.minor) + " " + std::to_string(*d.weight);
      out.push_back(with_fallback(w("blkio", "blkio.weight_device", v), "blkio.bfq.weight_device", v));
    }
    if (d.leaf_weight.has_value())
      out.push_back(
          w("blkio", "blkio.leaf_weight_device", dev(d.major, d.minor) + " " + std::to_string(*d.leaf_weight)));
  }
  auto throttle = [&](const std::vector<spec::ThrottleDevice>& list, const char* file) {
    for (const spec::ThrottleDevice& t : list)
      out.push_back(w("blkio", file, dev(t.major, t.minor) + " " + std::to_string(t.rate)));
  };
  throttle(b.throttle_read_bps_device, "blkio.throttle.read_bps_device");
  throttle(b.throttle_write_bps_device, "blkio.throttle.write_bps_device");
  throttle(b.throttle_read_iops_device, "blkio.throttle.read_iops_device");
  throttle(b.throttle_write_iops_device, "blkio.throttle.write_iops_device");
  return {};
}

util::Status v1_network(const spec::Network& n, std::vector<Write>& out) {
  if (n.class_id)
    out.push_back(w("net_cls", "net_cls.classid", std::to_string(*n.class_id)));
  for (const spec::InterfacePriority& p : n.priorities) {
    if (auto st = check_token("interface", p.name); !st)
      return st;
    out.push_back(w("net_prio", "net_prio.ifpriomap", p.name + " " + std::to_string(p.priority)));
  }
  return {};
}

// ---- cgroup v2 ---------------------------------------------------------------------

util::Status v2_memory(const spec::Memory& m, std::vector<Write>& out, std::vector<std::string>& warnings) {
  auto swap = spec::memory_swap_to_v2(m.swap, m.limit);
  if (!swap)
    return std::move(swap).error();
  // memory.swap.max is independent of memory.max on v2, so no ordering games. Without swap
  // accounting the file is missing: fine for "max" and "0" (nothing to limit), as runc.
  if (*swap) {
    Write sw = w("memory", "memory.swap.max", max_or_number(spec::memory_size_value(**swap)));
    sw.optional = **swap <= 0;
    out.push_back(sw);
  }
  if (m.limit.has_value())
    out.push_back(w("memory", "memory.max", max_or_number(spec::memory_size_value(*m.limit))));
  if (m.reservation.has_value())
    out.push_back(w("memory", "memory.low", max_or_number(spec::memory_size_value(*m.reservation))));
  if (m.kernel)
    warnings.emplace_back("memory.kernel is not supported on cgroup v2, ignored");
  if (m.kernel_tcp)
    warnings.emplace_back("memory.kernelTCP is not supported on cgroup v2, ignored");
  if (m.swappiness)
    warnings.emplace_back("memory.swappiness is not supported on cgroup v2, ignored");
  if (m.use_hierarchy)
    warnings.emplace_back("memory.useHierarchy is always true on cgroup v2, ignored");
  if (m.disable_oom_killer)
    warnings.emplace_back("memory.disableOOMKiller is not supported on cgroup v2, ignored");
  return {};
}

void v2_cpu(const spec::Cpu& c, std::vector<Write>& out, std::vector<std::string>& warnings) {
  if (c.idle)
    out.push_back(w("cpu", "cpu.idle", std::to_string(*c.idle)));
  if (c.shares.has_value()) {
    uint64_t weight = spec::cpu_shares_to_weight(*c.shares);
    out.push_back(w("cpu", "cpu.weight", std::to_string(weight)));
  }
  const bool max = c.quota.has_value() || c.period.has_value();
  if (c.burst)
    out.push_back(retried(w("cpu", "cpu.max.burst", std::to_string(*c.burst)), max));
  if (max) {
    uint64_t period = c.period.has_value() ? *c.period : spec::kDefaultCfsPeriodUs;
    int64_t quota = c.quota.value_or(0);
    std::string value = (quota > 0 ? std::to_string(quota) : std::string("max")) + " " + std::to_string(period);
    out.push_back(w("cpu", "cpu.max", value));
  }
  if (c.realtime_runtime.has_value() || c.realtime_period.has_value())
    warnings.emplace_back("cpu.realtimeRuntime and cpu.realtimePeriod are not supported on cgroup v2, ignored");
}

util::Status v2_io(const spec::BlockIo& b, std::vector<Write>& out, std::vector<std::string>& warnings) {
  // BFQ takes the OCI weight range as is; io.weight (iocost) needs the linear conversion.
  if (b.weight.has_value()) {
    out.push_back(with_fallback(w("io", "io.bfq.weight", std::to_string(*b.weight)), "io.weight",
                                std::to_string(spec::blkio_weight_to_io_weight(*b.weight))));
  }
  if (b.leaf_weight.has_value())
    warnings.emplace_back("blockIO.leafWeight is not supported on cgroup v2, ignored");
  for (const spec::WeightDevice& d : b.weight_device) {
    if (d.weight.has_value()) {
      std::string key = dev(d.major, d.minor) + " ";
      out.push_back(with_fallback(w("io", "io.bfq.weight", key + std::to_string(*d.weight)), "io.weight",
                                  key + std::to_string(spec::blkio_weight_to_io_weight(*d.weight))));
    }
    if (d.leaf_weight.has_value())
      warnings.emplace_back("blockIO.weightDevice leafWeight is not supported on cgroup v2, ignored");
  }
  // One io.max line per device, keys in the kernel's order, devices in order of appearance.
  struct Limits {
    int64_t major, minor;
    std::string keys;
  };
  std::vector<Limits> devices;
  auto add = [&](const std::vector<spec::ThrottleDevice>& list, const char* key) {
    for (const spec::ThrottleDevice& t : list) {
      Limits* found = nullptr;
      for (Limits& l : devices)
        if (l.major == t.major && l.minor == t.minor)
          found = &l;
      if (!found)
        found = &devices.emplace_back(Limits{t.major, t.minor, {}});
      found->keys += std::string(" ") + key + "=" + std::to_string(t.rate);
    }
  };
  add(b.throttle_read_bps_device, "rbps");
  add(b.throttle_write_bps_device, "wbps");
  add(b.throttle_read_iops_device, "riops");
  add(b.throttle_write_iops_device, "wiops");
  for (const Limits& l : devices)
    out.push_back(w("io", "io.max", dev(l.major, l.minor) + l.keys));
  return {};
}

util::Status v2_unified(const spec::StringMap& unified, std::vector<Write>& out) {
  for (const auto& [key, value] : unified) {
    if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos)
      return make_error("unified resource `" + key + "` must be a file name", EINVAL);
    size_t dot = key.find('.');
    if (dot == std::string::npos || dot == 0)
      return make_error("unified resource `" + key + "` must be CONTROLLER.PARAMETER", EINVAL);
    std::string controller = key.substr(0, dot);
    if (controller == "cgroup")
      controller.clear();  // core files need no controller
    // Many files take one entry per write (io.max, rdma.max): one write per line.
    if (value.find('\n') == std::string::npos) {
      out.push_back(w(controller, key, value));
      continue;
    }
    size_t start = 0;
    while (start <= value.size()) {
      size_t nl = value.find('\n', start);
      std::string line = value.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty())
        out.push_back(w(controller, key, line));
      if (nl == std::string::npos)
        break;
      start = nl + 1;
    }
  }
  return {};
}

// The first word of `text` as a number; "max" (or "-1") is -1. nullopt when it is neither.
std::optional<int64_t> current_number(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\n");
  if (start == std::string_view::npos)
    return std::nullopt;
  text.remove_prefix(start);
  text = text.substr(0, text.find_first_of(" \t\n"));
  if (text == "max" || text == "-1")
    return int64_t{-1};
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  return static_cast<int64_t>(std::stoll(std::string(text)));
}

std::optional<int64_t> read_number(const ReadCgroupFile& read, const std::string& controller, const std::string& file,
                                   size_t word = 0) {
  util::Result<std::string> text = read(controller, file);
  if (!text)
    return std::nullopt;
  std::string_view rest = *text;
  // A fake tree (tests) appends every write: the value is the last line.
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' '))
    rest.remove_suffix(1);
  if (size_t nl = rest.rfind('\n'); nl != std::string_view::npos)
    rest.remove_prefix(nl + 1);
  for (; word > 0; --word) {
    size_t space = rest.find(' ');
    if (space == std::string_view::npos)
      return std::nullopt;
    rest.remove_prefix(space + 1);
  }
  return current_number(rest);
}

}  // namespace

spec::Resources with_current_pairs(const spec::Resources& resources, bool v2, const ReadCgroupFile& read) {
  spec::Resources out = spec::effective_resources(resources);
  if (out.cpu && out.cpu->quota.has_value() != out.cpu->period.has_value()) {
    spec::Cpu& c = *out.cpu;
    if (c.quota.has_value()) {
      std::optional<int64_t> period =
          v2 ? read_number(read, "cpu", "cpu.max", 1) : read_number(read, "cpu", "cpu.cfs_period_us");
      if (period && *period > 0)
        c.period = static_cast<uint64_t>(*period);
    } else {
      std::optional<int64_t> quota =
          v2 ? read_number(read, "cpu", "cpu.max") : read_number(read, "cpu", "cpu.cfs_quota_us");
      if (quota && *quota != 0)
        c.quota = *quota;
    }
  }
  if (v2 && out.memory && out.memory->swap.has_value() && !out.memory->limit.has_value()) {
    std::optional<int64_t> limit = read_number(read, "memory", "memory.max");
    if (limit && *limit != 0)
      out.memory->limit = *limit;
  }
  return out;
}

// ---- conversions -------------------------------------------------------------------

util::Result<std::string> device_rule_line(const spec::DeviceCgroupRule& rule) {
  if (rule.type.empty() || rule.type == "a")
    return std::string("a");
  if (rule.type != "c" && rule.type != "b")
    return util::make_error("invalid device type `" + rule.type + "`", EINVAL);
  for (char c : rule.access)
    if (c != 'r' && c != 'w' && c != 'm')
      return util::make_error("invalid device access `" + rule.access + "`", EINVAL);
  if (rule.major.value_or(0) < -1 || rule.minor.value_or(0) < -1)
    return util::make_error("invalid device number", EINVAL);
  auto number = [](const std::optional<int64_t>& n) { return n && *n >= 0 ? std::to_string(*n) : std::string("*"); };
  return rule.type + " " + number(rule.major) + ":" + number(rule.minor) + " " + spec::device_access(rule.access);
}

util::Status check_memory_update(const spec::Memory& memory, uint64_t usage) {
  if (!memory.check_before_update.value_or(false))
    return {};
  if (memory.swap.value_or(0) > 0 && static_cast<uint64_t>(*memory.swap) <= usage)
    return util::make_error("memory+swap limit `" + std::to_string(*memory.swap) + "` is not above the usage `" +
                                std::to_string(usage) + "`",
                            EBUSY);
  if (memory.limit.value_or(0) > 0 && static_cast<uint64_t>(*memory.limit) <= usage)
    return util::make_error(
        "memory limit `" + std::to_string(*memory.limit) + "` is not above the usage `" + std::to_string(usage) + "`",
        EBUSY);
  return {};
}

// ---- plans -------------------------------------------------------------------------

util::Status check_for_version(const spec::Resources& given, bool v2) {
  const spec::Resources r = spec::effective_resources(given);
  auto invalid = [](std::string pointer, const util::Error& e) {
    return util::make_error(pointer + (pointer.empty() ? "" : ": ") + "invalid configuration: " + e.message, EINVAL);
  };
  if (!v2 && !r.unified.empty())
    return invalid("/unified", util::make_error("cannot use unified on cgroup v1"));
  if (v2 && r.memory)
    if (util::Result<std::optional<int64_t>> swap = spec::memory_swap_to_v2(r.memory->swap, r.memory->limit); !swap)
      return invalid("/memory/swap", swap.error());
  util::Result<Plan> plan = v2 ? plan_v2(r) : plan_v1(r);
  return plan ? util::Status{} : invalid("", plan.error());
}

util::Result<Plan> plan_v1(const spec::Resources& given) {
  const spec::Resources r = spec::effective_resources(given);
  if (!r.unified.empty())
    return util::make_error("unified resources need cgroup v2", EINVAL);
  Plan plan;
  std::vector<Write>& out = plan.writes;
  // cpuset first (a cgroup without cpus/mems takes no tasks), then devices, as runc.
  if (r.cpu) {
    if (!r.cpu->cpus.empty())
      out.push_back(w("cpuset", "cpuset.cpus", r.cpu->cpus));
    if (!r.cpu->mems.empty())
      out.push_back(w("cpuset", "cpuset.mems", r.cpu->mems));
  }
  if (!r.devices.empty()) {
    // Start from deny-all so that the rules describe the whole allow list.
    out.push_back(w("devices", "devices.deny", "a"));
    for (const spec::DeviceCgroupRule& rule : r.devices) {
      auto line = device_rule_line(rule);
      if (!line)
        return std::move(line).error();
      out.push_back(w("devices", rule.allow ? "devices.allow" : "devices.deny", *line));
    }
  }
  if (r.memory)
    if (auto st = v1_memory(*r.memory, out, plan.warnings); !st)
      return std::move(st).error();
  if (r.cpu)
    v1_cpu(*r.cpu, out);
  if (r.pids && r.pids->limit)
    out.push_back(w("pids", "pids.max", max_or_number(spec::pids_max(*r.pids->limit))));
  if (r.block_io)
    if (auto st = v1_blkio(*r.block_io, out); !st)
      return std::move(st).error();
  if (auto st = add_hugepages(r, "limit_in_bytes", out); !st)
    return std::move(st).error();
  if (r.network)
    if (auto st = v1_network(*r.network, out); !st)
      return std::move(st).error();
  if (auto st = add_rdma(r, out); !st)
    return std::move(st).error();
  return plan;
}

util::Result<Plan> plan_v2(const spec::Resources& given) {
  const spec::Resources r = spec::effective_resources(given);
  Plan plan;
  std::vector<Write>& out = plan.writes;
  if (r.pids && r.pids->limit)
    out.push_back(w("pids", "pids.max", max_or_number(spec::pids_max(*r.pids->limit))));
  if (r.memory)
    if (auto st = v2_memory(*r.memory, out, plan.warnings); !st)
      return std::move(st).error();
  if (r.block_io)
    if (auto st = v2_io(*r.block_io, out, plan.warnings); !st)
      return std::move(st).error();
  if (r.cpu) {
    v2_cpu(*r.cpu, out, plan.warnings);
    if (!r.cpu->cpus.empty())
      out.push_back(w("cpuset", "cpuset.cpus", r.cpu->cpus));
    if (!r.cpu->mems.empty())
      out.push_back(w("cpuset", "cpuset.mems", r.cpu->mems));
  }
  if (auto st = add_hugepages(r, "max", out); !st)
    return std::move(st).error();
  if (auto st = add_rdma(r, out); !st)
    return std::move(st).error();
  if (r.network && (r.network->class_id || !r.network->priorities.empty()))
    plan.warnings.emplace_back("network.classID and network.priorities need cgroup v1, ignored");
  if (!r.devices.empty()) {
    if (auto st = check_device_rules(r.devices); !st)
      return std::move(st).error();
    plan.device_rules = r.devices;
  }
  // Last, so that explicit unified values win over the translated ones.
  if (auto st = v2_unified(r.unified, out); !st)
    return std::move(st).error();
  return plan;
}

}  // namespace ocistart::cgroups
