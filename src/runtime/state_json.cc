// The two JSON forms of a container's state: the OCI state document (what `state`
// prints and hooks read) and state.json (the runtime-private file in the state dir).
#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/state_store.h"
#include "spec/json_reader.h"
#include "spec/state.h"
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

}  // namespace

// Matches runc's `state` output member for member (state.go, list.go containerState):
// ociVersion, id, pid, status, bundle, rootfs, created, annotations (only when not
// empty, runc's omitempty), owner. `pid` is always present and is 0 once the container
// is stopped: runc prints it that way (its field has no omitempty), and engines that
// unmarshal into a struct with an int `pid` (containerd's runc shim, podman) accept both,
// while a tool that checks for the member does not break on a stopped container.
spec::State oci_state(const ContainerState& s, ContainerStatus status) {
  spec::State out;
  out.oci_version = s.oci_version;
  out.id = s.id;
  out.pid = status == ContainerStatus::stopped ? 0 : s.pid;
  out.status = to_string(status);
  out.bundle = s.bundle;
  out.rootfs = s.rootfs;
  out.created = s.created;
  out.annotations = s.annotations;
  out.owner = s.owner;
  return out;
}

std::string oci_state_json(const ContainerState& s, ContainerStatus status, int indent) {
  return spec::to_json(oci_state(s, status), indent);
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

// state.json is read with the config's reader (spec/json_reader.h), so that a bad member
// is named by its JSON pointer ("/pid: expected a 32-bit integer, got \"12\"") as in a
// config. Unknown members are ignored so that a newer ocistart's state.json stays readable.
bool read_value(spec::json::Reader& reader, spec::json::element value, ContainerStatus& out) {
  std::string text;
  if (!spec::json::read_value(reader, value, text))
    return false;
  std::optional<ContainerStatus> status = status_from_string(text);
  if (!status)
    return reader.fail("unknown status `" + text + "`");
  out = *status;
  return true;
}

bool read_object(spec::json::Object& o, ContainerState& out) {
  if (!(o.optional(kOciVersion, out.oci_version) && o.required(kId, out.id) && o.required(kStatus, out.status) &&
        o.optional(kPid, out.pid)))
    return false;
  if (out.pid < 0) {
    spec::json::Reader::Scope scope = o.reader().enter(kPid);
    return o.reader().fail("expected a process id, got " + std::to_string(out.pid));
  }
  return o.optional(kPidStartTime, out.pid_start_time) && o.optional(kBundle, out.bundle) &&
         o.optional(kRootfs, out.rootfs) && o.optional(kCreated, out.created) && o.optional(kOwner, out.owner) &&
         o.optional(kAnnotations, out.annotations) && o.optional(kCgroupDriver, out.cgroup_driver) &&
         o.optional(kCgroupPath, out.cgroup_path) && o.optional(kSystemdUnit, out.systemd_unit) &&
         o.optional(kMachine, out.machine) && o.optional(kSystemdCgroup, out.systemd_cgroup_flag);
}

util::Result<ContainerState> parse_state_file(std::string_view json) {
  util::Result<ContainerState> state = spec::parse_whole<ContainerState>(json);
  if (!state)
    return make_error(std::move(state).error().message, EINVAL);
  return state;
}

}  // namespace ocistart::runtime
