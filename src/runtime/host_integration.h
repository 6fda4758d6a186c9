// What a systemd host adds to a container, behind one interface (crun's cgroup manager
// struct, youki's SystemdClient): the systemd cgroup driver, the delegated cgroup of the
// unit we run in, machined registration, the journald log stream and reader. (READY=1
// needs no libsystemd: notify_runtime_ready in notify_relay.h.)
// host_systemd.cc implements it over sd-bus and libsystemd; the `-Dsystemd=disabled` build
// gets host_none.cc, whose every step is either nothing or ENOTSUP with the words the
// CLI has always printed. runtime/ calls these and never tests OCISTART_HAVE_SYSTEMD.
#pragma once

#include <cerrno>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/driver.h"
#include "spec/config.h"
#include "systemd/journal_reader.h"
#include "systemd/transient_service.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

/// What a new container's systemd driver is made from (create).
struct NewUnit {
  std::string id;
  std::string cgroups_path;             // linux.cgroupsPath ("slice:prefix:name" or empty)
  std::string unit;                     // --unit, or empty
  std::vector<std::string> properties;  // -p NAME=VALUE
  spec::StringMap annotations;
  std::string state_root;  // --root
};

/// Opens a journal stream for a syslog priority (os::InitArgs::log_stream).
using JournalStreamOpener = std::function<util::Result<util::UniqueFd>(int priority)>;

class HostIntegration {
 public:
  virtual ~HostIntegration() = default;

  /// -p NAME=VALUE: the syntax of each, before anything exists ("-p `X`: ...").
  [[nodiscard]] virtual util::Status check_properties(const std::vector<std::string>& properties) const = 0;
  /// --log-driver journald can be honoured (ENOTSUP when built without systemd).
  [[nodiscard]] virtual util::Status check_journald() const = 0;
  /// The cgroup of the unit with Delegate=yes we run in, if any (cgroups/delegation.h).
  [[nodiscard]] virtual std::optional<std::string> delegated_cgroup() const = 0;
  /// Moves us out of the delegated unit's root cgroup, so the container may go below it.
  [[nodiscard]] virtual util::Status leave_delegated_root(const std::string& delegated) const = 0;
  /// The systemd driver for a new container (its unit not made yet).
  [[nodiscard]] virtual util::Result<std::unique_ptr<cgroups::Driver>> new_systemd_driver(
      const NewUnit& unit) const = 0;
  /// The systemd driver of an existing container, from its state.json.
  [[nodiscard]] virtual util::Result<std::unique_ptr<cgroups::Driver>> existing_systemd_driver(
      const std::string& id, const std::string& unit, const std::string& cgroup_path,
      const std::string& state_root) const = 0;
  /// --register-machine: registers `name` with machined, `leader` its pid.
  [[nodiscard]] virtual util::Status register_machine(const std::string& name, int leader,
                                                      const std::string& rootfs) const = 0;
  /// Says machined that `name` is gone.
  [[nodiscard]] virtual util::Status unregister_machine(const std::string& name) const = 0;
  /// --log-driver journald: what the init calls to get its stdout and stderr streams.
  [[nodiscard]] virtual JournalStreamOpener journal_stream_opener(const std::string& id) const = 0;
  /// `logs`, `status`: systemd::read_journal (journal_reader.h); ENOTSUP without systemd.
  [[nodiscard]] virtual util::Result<systemd::JournalReadResult> read_journal(
      const systemd::JournalQuery& query,
      const std::function<util::Status(const systemd::JournalEntry&)>& on_entry) const = 0;
  /// run --service: starts the transient service (or timer and service) of `request`, calls
  /// `started` once its start job is done, and with request.wait returns how the service
  /// ended (systemd/transient_service.h). ENOTSUP when built without systemd (the default,
  /// so that test fakes need not implement it).
  [[nodiscard]] virtual util::Result<std::optional<systemd::ServiceOutcome>> run_transient_service(
      const systemd::TransientServiceRequest& request, const std::function<void()>& started) const {
    (void)request;
    (void)started;
    return util::make_error("run --service: built without systemd support", ENOTSUP);
  }
};

/// The host integration this binary was built with: none (host_none.cc), or systemd's,
/// which lives in a module loaded on its first real need (host_loader.cc, host_module.h).
[[nodiscard]] const HostIntegration& host_integration();

/// For a command line that will need systemd's side at once (a systemd-driver create):
/// loads the systemd module now, in a thread, while the command parses and plans (about
/// 1 ms of the dynamic loader); the first use of the module waits for it and joins the
/// thread. Nothing in a build without systemd.
void preload_host_integration();
/// Waits for that preload (joins its thread): before a process is cloned, which must not
/// inherit a lock of the C library the thread holds.
void await_host_integration();

}  // namespace ocistart::runtime
