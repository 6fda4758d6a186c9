#include "spec/effective_resources.h"

namespace ocistart::spec {
namespace {

// 0 is the value clients write for "leave it alone".
template <class T>
void zero_is_unset(std::optional<T>& v) {
  if (v && *v == T{0})
    v.reset();
}

void memory(Memory& m) {
  zero_is_unset(m.limit);
  zero_is_unset(m.reservation);
  zero_is_unset(m.swap);
  zero_is_unset(m.kernel);
  zero_is_unset(m.kernel_tcp);
  if (m.swappiness == kSwappinessUnset)
    m.swappiness.reset();
  if (m.disable_oom_killer == false)
    m.disable_oom_killer.reset();
  if (m.use_hierarchy == true)
    m.use_hierarchy.reset();
}

void cpu(Cpu& c) {
  zero_is_unset(c.shares);
  zero_is_unset(c.quota);
  zero_is_unset(c.period);
  zero_is_unset(c.realtime_runtime);
  zero_is_unset(c.realtime_period);
}

void block_io(BlockIo& b) {
  zero_is_unset(b.weight);
  zero_is_unset(b.leaf_weight);
  for (WeightDevice& d : b.weight_device) {
    zero_is_unset(d.weight);
    zero_is_unset(d.leaf_weight);
  }
}

void device_access(DeviceCgroupRule& rule) {
  std::string known;
  for (char c : rule.access)
    if ((c == 'r' || c == 'w' || c == 'm') && known.find(c) == std::string::npos)
      known += c;
  if (!known.empty())
    rule.access = std::move(known);
}

}  // namespace

Resources effective_resources(const Resources& resources) {
  Resources r = resources;
  for (DeviceCgroupRule& rule : r.devices)
    device_access(rule);
  if (r.memory)
    memory(*r.memory);
  if (r.cpu)
    cpu(*r.cpu);
  if (r.pids)
    zero_is_unset(r.pids->limit);
  if (r.block_io)
    block_io(*r.block_io);
  if (r.network)
    zero_is_unset(r.network->class_id);
  return r;
}

}  // namespace ocistart::spec
