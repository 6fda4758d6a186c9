// The two JSON forms of a container's state: the OCI state document (what `state`
// prints and hooks read) and state.json (the runtime-private file in the state dir).
#include <simdjson.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "runtime/state_store.h"
#include "util/json_writer.h"

namespace ocistart::runtime {
namespace {

using util::make_error;

// state.json member names, in one place for the writer and the reader.
constexpr std::string_view kOciVersion = "ociVersion";
constexpr std::string_view kId = "id";
constexpr std::string_view kStatus = "status";
constexpr std::string_view kPid = "pid";
constexpr std::string_view kPidStartTime = "pidStartTime";
constexpr std::string_view kBundle = "bundle";
constexpr std::string_view kRootfs = "rootfs";
constexpr std::string_view kCreated = "created";
constexpr std::string_view kOwner = "owner";
constexpr std::string_view kAnnotations = "annotations";
constexpr std::string_view kCgroupDriver = "cgroupDriver";
constexpr std::string_view kCgroupPath = "cgroupPath";
constexpr std::string_view kSystemdUnit = "systemdUnit";
constexpr std::string_view kMachine = "machine";
constexpr std::string_view kSystemdCgroup = "systemdCgroup";

util::Error member_error(std::string_view name, std::string_view what) {
  std::string m = "`";
  m.append(name).append("`: ").append(what);
  return make_error(std::move(m), EINVAL);
}

util::Status get_string(simdjson::dom::element v, std::string_view name, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS)
    return member_error(name, "expected a string");
  out.assign(s);
  return {};
}

}  // namespace

// Matches runc's `state` output member for member (state.go, list.go containerState):
// ociVersion, id, pid, status, bundle, rootfs, created, annotations (only when not
// empty, runc's omitempty), owner. `pid` is always present and is 0 once the container
// is stopped: runc prints it that way (its field has no omitempty), and engines that
// unmarshal into a struct with an int `pid` (containerd's runc shim, podman) accept both,
// while a tool that checks for the member does not break on a stopped container.
std::string oci_state_json(const ContainerState& s, ContainerStatus status, int indent) {
  util::JsonWriter w(indent);
  w.begin_object();
  w.member("ociVersion", s.oci_version);
  w.member("id", s.id);
  w.member("pid", status == ContainerStatus::stopped ? 0 : s.pid);
  w.member("status", to_string(status));
  w.member("bundle", s.bundle);
  w.member("rootfs", s.rootfs);
  w.member("created", s.created);
  if (!s.annotations.empty()) {
    w.key("annotations").begin_object();
    for (const auto& [k, v] : s.annotations)
      w.member(k, v);
    w.end_object();
  }
  w.member("owner", s.owner);
  w.end_object();
  return std::move(w).str();
}

std::string state_file_json(const ContainerState& s) {
  util::JsonWriter w(0);
  w.begin_object();
  w.member(kOciVersion, s.oci_version);
  w.member(kId, s.id);
  w.member(kStatus, to_string(s.status));
  w.member(kPid, s.pid);
  w.member(kPidStartTime, s.pid_start_time);
  w.member(kBundle, s.bundle);
  w.member(kRootfs, s.rootfs);
  w.member(kCreated, s.created);
  w.member(kOwner, s.owner);
  w.key(kAnnotations).begin_object();
  for (const auto& [k, v] : s.annotations)
    w.member(k, v);
  w.end_object();
  w.member(kCgroupDriver, s.cgroup_driver);
  w.member(kCgroupPath, s.cgroup_path);
  w.member(kSystemdUnit, s.systemd_unit);
  if (!s.machine.empty())
    w.member(kMachine, s.machine);
  w.member(kSystemdCgroup, s.systemd_cgroup_flag);
  w.end_object();
  return std::move(w).str();
}

util::Result<ContainerState> parse_state_file(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (simdjson::error_code e = parser.parse(padded).get(doc); e != simdjson::SUCCESS)
    return make_error(std::string("invalid JSON: ") + simdjson::error_message(e), EINVAL);
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS)
    return make_error("expected a JSON object", EINVAL);

  ContainerState s;
  bool have_id = false;
  bool have_status = false;
  // Unknown members are ignored so that a newer ocistart's state.json stays readable.
  for (simdjson::dom::key_value_pair field : obj) {
    std::string_view name = field.key;
    simdjson::dom::element v = field.value;
    util::Status r;
    if (name == kOciVersion) {
      r = get_string(v, name, s.oci_version);
    } else if (name == kId) {
      r = get_string(v, name, s.id);
      have_id = true;
    } else if (name == kStatus) {
      std::string text;
      r = get_string(v, name, text);
      if (r) {
        std::optional<ContainerStatus> st = status_from_string(text);
        if (!st)
          return member_error(name, "unknown status `" + text + "`");
        s.status = *st;
        have_status = true;
      }
    } else if (name == kPid) {
      int64_t pid = 0;
      if (v.get_int64().get(pid) != simdjson::SUCCESS || pid < 0 ||
          pid > std::numeric_limits<int>::max())
        return member_error(name, "expected a process id");
      s.pid = static_cast<int>(pid);
    } else if (name == kPidStartTime) {
      if (v.get_uint64().get(s.pid_start_time) != simdjson::SUCCESS)
        return member_error(name, "expected an unsigned integer");
    } else if (name == kBundle) {
      r = get_string(v, name, s.bundle);
    } else if (name == kRootfs) {
      r = get_string(v, name, s.rootfs);
    } else if (name == kCreated) {
      r = get_string(v, name, s.created);
    } else if (name == kOwner) {
      r = get_string(v, name, s.owner);
    } else if (name == kAnnotations) {
      simdjson::dom::object annotations;
      if (v.get_object().get(annotations) != simdjson::SUCCESS)
        return member_error(name, "expected an object");
      for (simdjson::dom::key_value_pair a : annotations) {
        std::string_view value;
        if (a.value.get_string().get(value) != simdjson::SUCCESS)
          return member_error(std::string(name) + "/" + std::string(a.key), "expected a string");
        s.annotations.insert_or_assign(std::string(a.key), std::string(value));
      }
    } else if (name == kCgroupDriver) {
      r = get_string(v, name, s.cgroup_driver);
    } else if (name == kCgroupPath) {
      r = get_string(v, name, s.cgroup_path);
    } else if (name == kSystemdUnit) {
      r = get_string(v, name, s.systemd_unit);
    } else if (name == kMachine) {
      r = get_string(v, name, s.machine);
    } else if (name == kSystemdCgroup) {
      if (v.get_bool().get(s.systemd_cgroup_flag) != simdjson::SUCCESS)
        return member_error(name, "expected a boolean");
    }
    if (!r)
      return std::move(r).error();
  }
  if (!have_id)
    return member_error(kId, "required member missing");
  if (!have_status)
    return member_error(kStatus, "required member missing");
  return s;
}

}  // namespace ocistart::runtime
