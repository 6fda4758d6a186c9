// config.json "linux.resources" (config-linux.md, "Control groups"), and the same object
// as a document of its own (`update -r`).
#include "spec/json_reader.h"
#include "spec/parse.h"
#include "spec/validate_internal.h"

namespace ocistart::spec {

bool read_object(json::Object& o, DeviceCgroupRule& out) {
  return o.required("allow", out.allow) && o.optional("type", out.type) && o.optional("major", out.major) &&
         o.optional("minor", out.minor) && o.optional("access", out.access);
}

bool read_object(json::Object& o, Memory& out) {
  // -1 (unlimited) is a valid limit/swap, hence int64.
  return o.optional("limit", out.limit) && o.optional("reservation", out.reservation) && o.optional("swap", out.swap) &&
         o.optional("kernel", out.kernel) && o.optional("kernelTCP", out.kernel_tcp) &&
         o.optional("swappiness", out.swappiness) && o.optional("disableOOMKiller", out.disable_oom_killer) &&
         o.optional("useHierarchy", out.use_hierarchy) && o.optional("checkBeforeUpdate", out.check_before_update);
}

bool read_object(json::Object& o, Cpu& out) {
  return o.optional("shares", out.shares) && o.optional("quota", out.quota) && o.optional("burst", out.burst) &&
         o.optional("period", out.period) && o.optional("realtimeRuntime", out.realtime_runtime) &&
         o.optional("realtimePeriod", out.realtime_period) && o.optional("cpus", out.cpus) &&
         o.optional("mems", out.mems) && o.optional("idle", out.idle);
}

bool read_object(json::Object& o, Pids& out) { return o.required("limit", out.limit); }

bool read_object(json::Object& o, WeightDevice& out) {
  return o.required("major", out.major) && o.required("minor", out.minor) && o.optional("weight", out.weight) &&
         o.optional("leafWeight", out.leaf_weight);
}

bool read_object(json::Object& o, ThrottleDevice& out) {
  return o.required("major", out.major) && o.required("minor", out.minor) && o.required("rate", out.rate);
}

bool read_object(json::Object& o, BlockIo& out) {
  return o.optional("weight", out.weight) && o.optional("leafWeight", out.leaf_weight) &&
         o.optional("weightDevice", out.weight_device) &&
         o.optional("throttleReadBpsDevice", out.throttle_read_bps_device) &&
         o.optional("throttleWriteBpsDevice", out.throttle_write_bps_device) &&
         o.optional("throttleReadIOPSDevice", out.throttle_read_iops_device) &&
         o.optional("throttleWriteIOPSDevice", out.throttle_write_iops_device);
}

bool read_object(json::Object& o, HugepageLimit& out) {
  return o.required("pageSize", out.page_size) && o.required("limit", out.limit);
}

bool read_object(json::Object& o, InterfacePriority& out) {
  return o.required("name", out.name) && o.required("priority", out.priority);
}

bool read_object(json::Object& o, Network& out) {
  return o.optional("classID", out.class_id) && o.optional("priorities", out.priorities);
}

bool read_object(json::Object& o, Rdma& out) {
  return o.optional("hcaHandles", out.hca_handles) && o.optional("hcaObjects", out.hca_objects);
}

bool read_object(json::Object& o, Resources& out) {
  return o.optional("devices", out.devices) && o.optional("memory", out.memory) && o.optional("cpu", out.cpu) &&
         o.optional("pids", out.pids) && o.optional("blockIO", out.block_io) &&
         o.optional("hugepageLimits", out.hugepage_limits) && o.optional("network", out.network) &&
         o.optional("rdma", out.rdma) && o.optional("unified", out.unified);
}

util::Result<Resources> parse_resources(std::string_view text) {
  if (text.size() > kMaxDocumentSize)
    return too_large("the document");
  return parse_whole<Resources>(text);
}

util::Status check_resources(const Resources& resources) {
  // validate() checks the same object at "/linux/resources"; here it is the whole document.
  return detail::validate_resources("", resources);
}

}  // namespace ocistart::spec
