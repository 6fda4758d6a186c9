// validate(): linux.resources — device rules, memory, cpu, block I/O, hugepages, network
// priorities, rdma and unified. Only what can be judged without looking at the host: which
// controllers exist is the cgroup driver's business. The values are checked as
// effective_resources() reads them: what clients write for "not set" (0, mostly) passes.
#include <cstdint>

#include "spec/effective_resources.h"
#include "spec/validate_internal.h"

namespace ocistart::spec::detail {
namespace {

using util::Status;

Status check_device_rules(std::string_view pointer, const std::vector<DeviceCgroupRule>& rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const DeviceCgroupRule& r = rules[i];
    std::string base = ptr(pointer, i);
    if (!r.type.empty() && r.type != "a" && r.type != "c" && r.type != "b")
      return invalid(ptr(base, "type"), "unknown device type " + quote(r.type) + ": must be a, c or b");
    // Other letters are ignored next to r, w or m (effective_resources), as runc does.
    if (!r.access.empty() && r.access.find_first_of("rwm") == std::string::npos)
      return invalid(ptr(base, "access"), quote(r.access) + " is not a combination of r, w and m");
  }
  return {};
}

// A memory size: -1 is unlimited; other negatives are refused by the kernel.
Status check_size(std::string_view pointer, const std::optional<int64_t>& bytes) {
  if (bytes && *bytes < -1)
    return invalid(pointer, std::to_string(*bytes) + " is not a size: -1 (unlimited), 0 (unset) or bytes");
  return {};
}

Status check_memory(std::string_view pointer, const Memory& m) {
  for (const auto& [key, value] :
       {std::pair{"limit", &m.limit}, std::pair{"reservation", &m.reservation}, std::pair{"swap", &m.swap}})
    if (Status s = check_size(ptr(pointer, key), *value); !s)
      return s;
  if (m.swappiness && *m.swappiness > 100)
    return invalid(ptr(pointer, "swappiness"), std::to_string(*m.swappiness) + " is outside 0..100");
  // swap is the memory+swap limit (cgroup v1 semantics): it cannot be below the memory limit.
  if (m.limit && m.swap && *m.limit > 0 && *m.swap > 0 && *m.swap < *m.limit)
    return invalid(ptr(pointer, "swap"), "memory+swap limit " + std::to_string(*m.swap) +
                                             " is lower than the memory limit " + std::to_string(*m.limit));
  return {};
}

Status check_cpu(std::string_view pointer, const Cpu& c) {
  // The kernel clamps cpu.shares into 2..262144; runc refuses a value it did not keep.
  if (c.shares && (*c.shares < 2 || *c.shares > 262144))
    return invalid(ptr(pointer, "shares"), std::to_string(*c.shares) + " is outside 2..262144");
  if (c.quota && c.burst && *c.quota > 0 && *c.burst > static_cast<uint64_t>(*c.quota))
    return invalid(ptr(pointer, "burst"),
                   "burst " + std::to_string(*c.burst) + " is greater than quota " + std::to_string(*c.quota));
  if (c.realtime_runtime && c.realtime_period && *c.realtime_runtime > 0 &&
      static_cast<uint64_t>(*c.realtime_runtime) > *c.realtime_period)
    return invalid(ptr(pointer, "realtimeRuntime"), "realtimeRuntime " + std::to_string(*c.realtime_runtime) +
                                                        " is greater than realtimePeriod " +
                                                        std::to_string(*c.realtime_period));
  if (c.realtime_runtime && *c.realtime_runtime < -1)
    return invalid(ptr(pointer, "realtimeRuntime"), "must be -1 (no limit) or at least 0");
  if (c.idle && *c.idle != 0 && *c.idle != 1)
    return invalid(ptr(pointer, "idle"), "must be 0 or 1, got " + std::to_string(*c.idle));
  if (!c.cpus.empty() && count_cpu_list(c.cpus) < 0)
    return invalid(ptr(pointer, "cpus"), quote(c.cpus) + " is not a CPU list like \"0-3,7\"");
  if (!c.mems.empty() && count_cpu_list(c.mems) < 0)
    return invalid(ptr(pointer, "mems"), quote(c.mems) + " is not a node list like \"0-3,7\"");
  return {};
}

// blkio.weight and leaf_weight of cgroup v1 take 10..1000 (the spec's range); 0 is unset.
Status check_weight(std::string_view pointer, const std::optional<uint16_t>& weight) {
  if (weight && (*weight < 10 || *weight > 1000))
    return invalid(pointer, std::to_string(*weight) + " is outside 10..1000");
  return {};
}

Status check_block_io(std::string_view pointer, const BlockIo& b) {
  if (Status s = check_weight(ptr(pointer, "weight"), b.weight); !s)
    return s;
  if (Status s = check_weight(ptr(pointer, "leafWeight"), b.leaf_weight); !s)
    return s;
  std::string devices = ptr(pointer, "weightDevice");
  for (size_t i = 0; i < b.weight_device.size(); ++i) {
    const WeightDevice& d = b.weight_device[i];
    std::string base = ptr(devices, i);
    if (Status s = check_weight(ptr(base, "weight"), d.weight); !s)
      return s;
    if (Status s = check_weight(ptr(base, "leafWeight"), d.leaf_weight); !s)
      return s;
  }
  return {};
}

// "<size><K|M|G>B", as in hugetlb.<size>.limit_in_bytes.
bool is_page_size(std::string_view s) {
  if (s.size() < 3 || !s.ends_with('B'))
    return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G')
    return false;
  std::string_view digits = s.substr(0, s.size() - 2);
  return digits.find_first_not_of("0123456789") == std::string_view::npos && digits[0] != '0';
}

}  // namespace

util::Status validate_resources(std::string_view pointer, const Resources& given) {
  const Resources r = effective_resources(given);
  if (Status s = check_device_rules(ptr(pointer, "devices"), r.devices); !s)
    return s;
  if (r.memory)
    if (Status s = check_memory(ptr(pointer, "memory"), *r.memory); !s)
      return s;
  if (r.cpu)
    if (Status s = check_cpu(ptr(pointer, "cpu"), *r.cpu); !s)
      return s;
  if (r.block_io)
    if (Status s = check_block_io(ptr(pointer, "blockIO"), *r.block_io); !s)
      return s;
  std::string pages = ptr(pointer, "hugepageLimits");
  for (size_t i = 0; i < r.hugepage_limits.size(); ++i)
    if (!is_page_size(r.hugepage_limits[i].page_size))
      return invalid(ptr(ptr(pages, i), "pageSize"),
                     quote(r.hugepage_limits[i].page_size) + " is not a page size like \"2MB\" or \"1GB\"");
  if (r.network) {
    std::string prios = ptr(ptr(pointer, "network"), "priorities");
    for (size_t i = 0; i < r.network->priorities.size(); ++i)
      if (r.network->priorities[i].name.empty())
        return invalid(ptr(ptr(prios, i), "name"), "must not be empty");
  }
  std::string rdma = ptr(pointer, "rdma");
  for (const auto& [device, limit] : r.rdma) {
    if (device.empty())
      return invalid(ptr(rdma, device), "device names must not be empty");
    if (!limit.hca_handles && !limit.hca_objects)
      return invalid(ptr(rdma, device), "needs hcaHandles or hcaObjects");
  }
  std::string unified = ptr(pointer, "unified");
  for (const auto& [file, value] : r.unified) {
    // A file of the container's cgroup, named "<controller>.<parameter>".
    size_t dot = file.find('.');
    if (file.find('/') != std::string::npos || dot == 0 || dot == std::string::npos || dot + 1 == file.size())
      return invalid(ptr(unified, file), quote(file) + " is not a cgroup file name like \"memory.max\"");
  }
  return {};
}

}  // namespace ocistart::spec::detail
