// The binary's HostIntegration in a build with systemd: it answers what needs neither
// libsystemd nor sdbus-c++ itself, exactly as host_systemd.cc would, and passes every
// other call to the systemd module (host_module.h), loaded on that first call. A command
// that never gets here (state, start, kill, delete, list, a cgroupfs run) does not even
// look for the module. A method added to HostIntegration is added here as one more
// `module()->method(...)` line (or a cheap answer that keeps host_systemd.cc's behaviour).
#include "build_config.h"
#if OCISTART_HAVE_SYSTEMD
#include <cstdlib>

#include "cgroups/delegation.h"
#include "runtime/host_integration.h"
#include "runtime/host_module.h"
#include "util/log.h"

namespace ocistart::runtime {
namespace {

class LoaderHost final : public HostIntegration {
 public:
  util::Status check_properties(const std::vector<std::string>& properties) const override {
    if (properties.empty())
      return {};
    util::Result<const HostIntegration*> m = systemd_module();
    return m ? (*m)->check_properties(properties) : util::Status(std::move(m).error());
  }

  // Loads the module: --log-driver journald needs it (the init's streams), and a missing
  // module is then said before anything exists.
  util::Status check_journald() const override {
    util::Result<const HostIntegration*> m = systemd_module();
    return m ? (*m)->check_journald() : util::Status(std::move(m).error());
  }

  // /proc/self/cgroup and an xattr: no systemd call (cgroups/delegation.h).
  std::optional<std::string> delegated_cgroup() const override { return cgroups::delegated_cgroup(); }

  util::Status leave_delegated_root(const std::string& delegated) const override {
    return cgroups::leave_delegated_root(delegated);
  }

  util::Result<std::unique_ptr<cgroups::Driver>> new_systemd_driver(const NewUnit& unit) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    if (!m)
      return std::move(m).error();
    return (*m)->new_systemd_driver(unit);
  }

  util::Result<std::unique_ptr<cgroups::Driver>> existing_systemd_driver(const std::string& id, const std::string& unit,
                                                                         const std::string& cgroup_path,
                                                                         const std::string& state_root) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    if (!m)
      return std::move(m).error();
    return (*m)->existing_systemd_driver(id, unit, cgroup_path, state_root);
  }

  util::Status register_machine(const std::string& name, int leader, const std::string& rootfs) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    return m ? (*m)->register_machine(name, leader, rootfs) : util::Status(std::move(m).error());
  }

  util::Status unregister_machine(const std::string& name) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    return m ? (*m)->unregister_machine(name) : util::Status(std::move(m).error());
  }

  // Called in the forked init: check_journald() loaded the module in the parent already.
  JournalStreamOpener journal_stream_opener(const std::string& id) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    if (!m)
      return [e = m.error()](int) -> util::Result<util::UniqueFd> { return e; };
    return (*m)->journal_stream_opener(id);
  }

  // Without $NOTIFY_SOCKET there is no one to notify (host_systemd.cc's own test).
  void notify_ready(int container_pid) const override {
    if (std::getenv("NOTIFY_SOCKET") == nullptr)
      return;
    if (util::Result<const HostIntegration*> m = systemd_module(); m)
      (*m)->notify_ready(container_pid);
    else
      util::log_warning("READY=1 not sent: " + m.error().message);
  }

  util::Result<systemd::JournalReadResult> read_journal(
      const systemd::JournalQuery& query,
      const std::function<util::Status(const systemd::JournalEntry&)>& on_entry) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    if (!m)
      return std::move(m).error();
    return (*m)->read_journal(query, on_entry);
  }
};

}  // namespace

const HostIntegration& host_integration() {
  static const LoaderHost host;
  return host;
}

}  // namespace ocistart::runtime
#endif
