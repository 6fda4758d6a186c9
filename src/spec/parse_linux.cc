// config.json "linux" object (config-linux.md), except "resources" (parse_resources.cc).
#include <string>

#include "spec/json_reader.h"

namespace ocistart::spec {

bool read_value(json::Reader& reader, json::element value, NamespaceType& out) {
  std::string_view name;
  if (value.get(name) != simdjson::SUCCESS)
    return reader.fail_type("a string", value);
  std::optional<NamespaceType> type = namespace_type_from_string(name);
  if (!type) {
    std::string what = "unknown namespace type \"";
    what.append(name).append("\"");
    return reader.fail(what);
  }
  out = *type;
  return true;
}

bool read_object(json::Object& o, Namespace& out) {
  return o.required("type", out.type) && o.optional("path", out.path);
}

bool read_object(json::Object& o, TimeOffset& out) {
  return o.optional("secs", out.secs) && o.optional("nanosecs", out.nanosecs);
}

bool read_object(json::Object& o, Device& out) {
  // major/minor are required unless the type is "p"; that is validate()'s check.
  return o.required("type", out.type) && o.required("path", out.path) && o.optional("major", out.major) &&
         o.optional("minor", out.minor) && o.optional("fileMode", out.file_mode) && o.optional("uid", out.uid) &&
         o.optional("gid", out.gid);
}

bool read_object(json::Object& o, IntelRdt& out) {
  return o.optional("closID", out.clos_id) && o.optional("schemata", out.schemata) &&
         o.optional("l3CacheSchema", out.l3_cache_schema) && o.optional("memBwSchema", out.mem_bw_schema) &&
         o.optional("enableCMT", out.enable_cmt) && o.optional("enableMBM", out.enable_mbm) &&
         o.optional("enableMonitoring", out.enable_monitoring);
}

bool read_object(json::Object& o, SeccompArg& out) {
  return o.required("index", out.index) && o.required("value", out.value) && o.optional("valueTwo", out.value_two) &&
         o.required("op", out.op);
}

bool read_object(json::Object& o, SeccompSyscall& out) {
  return o.required("names", out.names) && o.required("action", out.action) && o.optional("errnoRet", out.errno_ret) &&
         o.optional("args", out.args);
}

bool read_object(json::Object& o, Seccomp& out) {
  return o.required("defaultAction", out.default_action) && o.optional("defaultErrnoRet", out.default_errno_ret) &&
         o.optional("architectures", out.architectures) && o.optional("flags", out.flags) &&
         o.optional("listenerPath", out.listener_path) && o.optional("listenerMetadata", out.listener_metadata) &&
         o.optional("syscalls", out.syscalls);
}

bool read_object(json::Object& o, Personality& out) {
  return o.required("domain", out.domain) && o.optional("flags", out.flags);
}

bool read_object(json::Object& o, MemoryPolicy& out) {
  return o.required("mode", out.mode) && o.optional("nodes", out.nodes) && o.optional("flags", out.flags);
}

bool read_object(json::Object& o, NetDevice& out) { return o.optional("name", out.name); }

bool read_object(json::Object& o, Linux& out) {
  return o.optional("namespaces", out.namespaces) && o.optional("uidMappings", out.uid_mappings) &&
         o.optional("gidMappings", out.gid_mappings) && o.optional("timeOffsets", out.time_offsets) &&
         o.optional("devices", out.devices) && o.optional("cgroupsPath", out.cgroups_path) &&
         o.optional("resources", out.resources) && o.optional("intelRdt", out.intel_rdt) &&
         o.optional("sysctl", out.sysctl) && o.optional("seccomp", out.seccomp) &&
         o.optional("rootfsPropagation", out.rootfs_propagation) && o.optional("maskedPaths", out.masked_paths) &&
         o.optional("readonlyPaths", out.readonly_paths) && o.optional("mountLabel", out.mount_label) &&
         o.optional("personality", out.personality) && o.optional("memoryPolicy", out.memory_policy) &&
         o.optional("netDevices", out.net_devices);
}

}  // namespace ocistart::spec
