#include "systemd/unit_properties.h"

#include <algorithm>
#include <cerrno>

#include "spec/effective_resources.h"
#include "spec/resource_values.h"
#include "systemd/annotations.h"
#include "systemd/assignment.h"
#include "util/fs.h"
#include "util/text.h"

namespace ocistart::systemd {
namespace {

using util::Error;
using util::Result;

constexpr uint64_t kInfinity = spec::kUnlimited;  // systemd's "infinity"

using DeviceValues = std::vector<std::pair<std::string, uint64_t>>;

std::string block_device(int64_t major, int64_t minor) {
  return "/dev/block/" + std::to_string(major) + ":" + std::to_string(minor);
}

DeviceValues throttle_values(const std::vector<spec::ThrottleDevice>& devices) {
  DeviceValues out;
  for (const auto& d : devices)
    out.emplace_back(block_device(d.major, d.minor), d.rate);
  return out;
}

// The resources have been through spec::effective_resources(): a present value is one to
// set (0 meaning "not set" is already gone).
void add_memory(const spec::Memory& m, CgroupVersion v, UnitProperties& out) {
  if (m.limit)
    out.push_back({v == CgroupVersion::v2 ? "MemoryMax" : "MemoryLimit", spec::memory_size_value(*m.limit)});
  if (v == CgroupVersion::v2 && m.reservation)
    out.push_back({"MemoryLow", spec::memory_size_value(*m.reservation)});
}

Result<void> add_memory_swap(const spec::Memory& m, CgroupVersion v, UnitProperties& out) {
  if (v != CgroupVersion::v2)
    return {};  // v1 memsw is written by the cgroupfs follow-up
  Result<std::optional<int64_t>> swap = spec::memory_swap_to_v2(m.swap, m.limit);
  if (!swap)
    return std::move(swap).error();
  if (*swap)
    out.push_back({"MemorySwapMax", spec::memory_size_value(**swap)});
  return {};
}

Result<void> add_cpu(const spec::Cpu& c, CgroupVersion v, UnitProperties& out) {
  if (c.shares) {
    if (v == CgroupVersion::v2)
      out.push_back({"CPUWeight", spec::cpu_shares_to_weight(*c.shares)});
    else
      out.push_back({"CPUShares", *c.shares});
  }
  if (c.quota)
    out.push_back({"CPUQuotaPerSecUSec", spec::cpu_quota_per_sec_usec(*c.quota, c.period.value_or(0))});
  if (c.period)
    out.push_back({"CPUQuotaPeriodUSec", *c.period});
  // Also on v1, as runc sends them: systemd applies cpusets on the unified hierarchy only,
  // but keeps (and shows) them; the cgroupfs follow-up writes the v1 cpuset files.
  if (!c.cpus.empty()) {
    Result<std::vector<uint8_t>> mask = cpu_set_mask(c.cpus, "cpus");
    if (!mask)
      return std::move(mask).error();
    out.push_back({"AllowedCPUs", std::move(*mask)});
  }
  if (!c.mems.empty()) {
    Result<std::vector<uint8_t>> mask = cpu_set_mask(c.mems, "mems");
    if (!mask)
      return std::move(mask).error();
    out.push_back({"AllowedMemoryNodes", std::move(*mask)});
  }
  return {};
}

void add_block_io(const spec::BlockIo& b, CgroupVersion v, UnitProperties& out) {
  bool v2 = v == CgroupVersion::v2;
  if (b.weight)
    out.push_back(
        {v2 ? "IOWeight" : "BlockIOWeight", v2 ? spec::blkio_weight_to_io_weight(*b.weight) : uint64_t{*b.weight}});
  DeviceValues weights;
  for (const auto& d : b.weight_device)
    if (d.weight)
      weights.emplace_back(block_device(d.major, d.minor),
                           v2 ? spec::blkio_weight_to_io_weight(*d.weight) : uint64_t{*d.weight});
  if (!weights.empty())
    out.push_back({v2 ? "IODeviceWeight" : "BlockIODeviceWeight", std::move(weights)});
  auto add = [&](const char* name, const std::vector<spec::ThrottleDevice>& devices) {
    if (!devices.empty())
      out.push_back({name, throttle_values(devices)});
  };
  add(v2 ? "IOReadBandwidthMax" : "BlockIOReadBandwidth", b.throttle_read_bps_device);
  add(v2 ? "IOWriteBandwidthMax" : "BlockIOWriteBandwidth", b.throttle_write_bps_device);
  if (v2) {  // no IOPS properties on v1: the cgroupfs follow-up writes them
    add("IOReadIOPSMax", b.throttle_read_iops_device);
    add("IOWriteIOPSMax", b.throttle_write_iops_device);
  }
}

// Device rules: systemd can express "allow these" (strict) or "allow all" (auto). The
// exact rule list, deny rules included, is enforced by the cgroupfs follow-up.
void add_devices(const std::vector<spec::DeviceCgroupRule>& rules, UnitProperties& out) {
  if (rules.empty())
    return;
  const spec::DeviceCgroupRule& last = rules.back();
  bool allow_all = last.allow && (last.type.empty() || last.type == "a") && !last.major && !last.minor;
  if (allow_all) {
    out.push_back({"DevicePolicy", std::string("auto")});
    return;
  }
  std::vector<std::pair<std::string, std::string>> allow;
  std::optional<std::string> proc_devices;  // read once, when a rule needs a group name
  for (const auto& r : rules) {
    if (!r.allow || (r.type != "c" && r.type != "b"))
      continue;
    std::string access = spec::device_access(r.access);
    std::string kind = r.type == "c" ? "char" : "block";
    if (r.major && r.minor) {
      allow.emplace_back("/dev/" + kind + "/" + std::to_string(*r.major) + ":" + std::to_string(*r.minor), access);
    } else if (!r.major) {
      allow.emplace_back(kind + "-*", access);
    } else if (!r.minor) {
      // "c 136:* rwm" (/dev/pts/*): systemd names a major by its group, "char-pts". Without
      // it, systemd's next application of the unit's rules (any update, a daemon-reload)
      // would take the container's pty away.
      if (!proc_devices) {
        util::Result<std::string> text = util::read_file("/proc/devices");
        proc_devices = text ? std::move(*text) : std::string();
      }
      if (std::optional<std::string> group = device_group(*proc_devices, r.type[0], *r.major))
        allow.emplace_back(*group, access);
    }
  }
  out.push_back({"DevicePolicy", std::string("strict")});
  if (!allow.empty())
    out.push_back({"DeviceAllow", std::move(allow)});
}

// unified keys with a unit property of their own (v2).
void add_unified(const spec::StringMap& unified, UnitProperties& out) {
  for (const auto& [key, value] : unified) {
    const char* name = key == "memory.high"       ? "MemoryHigh"
                       : key == "memory.max"      ? "MemoryMax"
                       : key == "memory.low"      ? "MemoryLow"
                       : key == "memory.min"      ? "MemoryMin"
                       : key == "memory.swap.max" ? "MemorySwapMax"
                       : key == "pids.max"        ? "TasksMax"
                                                  : nullptr;
    if (!name)
      continue;  // written as-is by the cgroupfs follow-up
    uint64_t n = kInfinity;
    if (value != "max") {
      try {
        n = std::stoull(value);
      } catch (...) {
        continue;  // the follow-up write reports the bad value, naming the file
      }
    }
    drop_property(out, name);
    out.push_back({name, n});
  }
}

}  // namespace

std::optional<std::string> device_group(std::string_view proc_devices, char type, int64_t major) {
  std::string_view section;  // "Character devices:" or "Block devices:"
  while (!proc_devices.empty()) {
    size_t nl = proc_devices.find('\n');
    std::string_view line = util::trim_blanks(proc_devices.substr(0, nl));
    proc_devices = nl == std::string_view::npos ? std::string_view() : proc_devices.substr(nl + 1);
    if (line.ends_with(':')) {
      section = line;
      continue;
    }
    if ((type == 'c') != (section == "Character devices:") || (type == 'b') != (section == "Block devices:"))
      continue;
    std::vector<std::string_view> words = util::split_words(line);
    if (words.size() == 2 && words[0] == std::to_string(major))
      return std::string(type == 'c' ? "char-" : "block-") + std::string(words[1]);
  }
  return std::nullopt;
}

Result<std::vector<uint8_t>> cpu_set_mask(std::string_view list, std::string_view what) {
  std::vector<uint8_t> mask;
  auto bad = [&] { return Error{EINVAL, std::string(what) + " `" + std::string(list) + "`: not a cpu list"}; };
  size_t i = 0;
  while (i < list.size()) {
    size_t end = list.find(',', i);
    std::string_view item = list.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    size_t dash = item.find('-');
    unsigned long lo = 0, hi = 0;
    try {
      size_t used = 0;
      lo = std::stoul(std::string(item.substr(0, dash)), &used);
      hi = dash == std::string_view::npos ? lo : std::stoul(std::string(item.substr(dash + 1)));
    } catch (...) {
      return bad();
    }
    if (hi < lo || hi > 8191)
      return bad();
    if (mask.size() < hi / 8 + 1)
      mask.resize(hi / 8 + 1);
    for (unsigned long c = lo; c <= hi; ++c)
      mask[c / 8] |= static_cast<uint8_t>(1u << (c % 8));
    if (end == std::string_view::npos)
      break;
    i = end + 1;
  }
  return mask;
}

void drop_property(UnitProperties& properties, std::string_view name) {
  std::erase_if(properties, [&](const UnitProperty& p) { return p.name == name; });
}

Result<UnitProperties> resource_properties(const spec::Resources& given, CgroupVersion v) {
  const spec::Resources r = spec::effective_resources(given);
  UnitProperties out;
  if (r.memory) {
    add_memory(*r.memory, v, out);
    if (Result<void> s = add_memory_swap(*r.memory, v, out); !s)
      return std::move(s).error().wrap("/linux/resources/memory/swap");
  }
  if (r.cpu)
    if (Result<void> s = add_cpu(*r.cpu, v, out); !s)
      return std::move(s).error().wrap("/linux/resources/cpu");
  if (r.pids && r.pids->limit)
    out.push_back({"TasksMax", spec::pids_max(*r.pids->limit)});
  if (r.block_io)
    add_block_io(*r.block_io, v, out);
  add_devices(r.devices, out);
  if (v == CgroupVersion::v2)
    add_unified(r.unified, out);
  return out;
}

Result<UnitProperties> scope_properties(const ScopeRequest& req) {
  bool v2 = req.version == CgroupVersion::v2;
  UnitProperties out{
      {"Description", req.description},
      {"Slice", req.slice},
      {"Delegate", true},
      {"DefaultDependencies", false},
      {"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(req.pid)}},
      {"MemoryAccounting", true},
      {"CPUAccounting", true},
      {"TasksAccounting", true},
  };
  // On v1, BlockIOAccounting on one unit makes systemd realize the blkio hierarchy for the
  // whole tree (every process migrated into it) and prune it again when the unit goes:
  // about 12 ms per container here. Only a container with blockIO settings pays that.
  if (v2 || (req.resources && req.resources->block_io))
    out.push_back({v2 ? "IOAccounting" : "BlockIOAccounting", true});
  if (req.resources) {
    Result<UnitProperties> res = resource_properties(*req.resources, req.version);
    if (!res)
      return res;
    for (auto& p : *res)
      out.push_back(std::move(p));
  }
  if (req.annotations) {
    Result<UnitProperties> extra = properties_from_annotations(*req.annotations);
    if (!extra)
      return extra;
    for (auto& p : *extra) {
      drop_property(out, p.name);
      out.push_back(std::move(p));
    }
  }
  if (req.assignments)
    if (util::Status s = apply_assignments(out, *req.assignments); !s)
      return std::move(s).error();
  return out;
}

}  // namespace ocistart::systemd
