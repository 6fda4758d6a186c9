// The host integration over systemd: sd-bus for the driver and machined, libsystemd for
// the journal stream and the journal reader. Built into the systemd module
// (src/meson.build), never into the binary: host_loader.cc loads it through its one
// export, ocistart_systemd_host (host_module.h).
#include "build_config.h"
#if OCISTART_HAVE_SYSTEMD

#include <cerrno>
#include <cstdlib>

#include "cgroups/delegation.h"
#include "cgroups/systemd_driver.h"
#include "runtime/host_integration.h"
#include "runtime/host_module.h"
#include "systemd/assignment.h"
#include "systemd/journal_stream.h"
#include "systemd/machines.h"
#include "systemd/unit_name.h"

namespace ocistart::runtime {
namespace {

class SystemdHost final : public HostIntegration {
 public:
  util::Status check_properties(const std::vector<std::string>& properties) const override {
    for (const std::string& a : properties)  // bad syntax fails before anything exists
      if (util::Result<systemd::UnitProperty> p = systemd::parse_assignment(a); !p)
        return std::move(p).error().wrap("-p `" + a + "`");
    return {};
  }

  util::Status check_journald() const override { return {}; }

  std::optional<std::string> delegated_cgroup() const override { return cgroups::delegated_cgroup(); }

  util::Status leave_delegated_root(const std::string& delegated) const override {
    return cgroups::leave_delegated_root(delegated);
  }

  util::Result<std::unique_ptr<cgroups::Driver>> new_systemd_driver(const NewUnit& u) const override {
    util::Result<systemd::UnitPlacement> placement = systemd::unit_placement(u.cgroups_path, u.id);
    if (!placement)
      return std::move(placement).error();
    cgroups::SystemdDriverOptions so;
    so.unit = placement->unit;
    if (!u.unit.empty()) {
      if (u.unit.find('/') != std::string::npos ||
          (u.unit.find('.') != std::string::npos && !u.unit.ends_with(".scope")))
        return util::make_error("--unit `" + u.unit + "`: a container is a scope: NAME or NAME.scope", EINVAL);
      so.unit = u.unit.ends_with(".scope") ? u.unit : u.unit + ".scope";
    }
    so.assignments = u.properties;
    so.slice = placement->slice;
    so.description = "ocistart container " + u.id;
    so.annotations = u.annotations;
    so.state_root = u.state_root;
    so.manager = cgroups::bus_manager_factory();
    return std::unique_ptr<cgroups::Driver>(std::make_unique<cgroups::SystemdDriver>(std::move(so)));
  }

  util::Result<std::unique_ptr<cgroups::Driver>> existing_systemd_driver(const std::string& id, const std::string& unit,
                                                                         const std::string& cgroup_path,
                                                                         const std::string& state_root) const override {
    if (unit.empty() || cgroup_path.empty())
      return util::make_error("state of `" + id + "`: systemd driver without a unit and its cgroup", EINVAL);
    cgroups::SystemdDriverOptions o;
    o.unit = unit;
    o.cgroup_path = cgroup_path;
    o.state_root = state_root;
    o.manager = cgroups::bus_manager_factory();
    return std::unique_ptr<cgroups::Driver>(std::make_unique<cgroups::SystemdDriver>(std::move(o)));
  }

  util::Status register_machine(const std::string& name, int leader, const std::string& rootfs) const override {
    return systemd::register_machine(name, leader, rootfs, cgroups::systemd_call_deadline());
  }

  util::Status unregister_machine(const std::string& name) const override {
    return systemd::unregister_machine(name, cgroups::systemd_call_deadline());
  }

  JournalStreamOpener journal_stream_opener(const std::string& id) const override {
    return [id](int priority) { return systemd::journal_stream(id, priority); };
  }

  util::Result<systemd::JournalReadResult> read_journal(
      const systemd::JournalQuery& query,
      const std::function<util::Status(const systemd::JournalEntry&)>& on_entry) const override {
    return systemd::read_journal(query, on_entry);
  }

  util::Result<std::optional<systemd::ServiceOutcome>> run_transient_service(
      const systemd::TransientServiceRequest& request, const std::function<void()>& started) const override {
    return systemd::run_transient_service(request, started, cgroups::systemd_call_deadline());
  }
};

}  // namespace
}  // namespace ocistart::runtime

extern "C" const ocistart::runtime::HostIntegration* ocistart_systemd_host(const char* version) {
  if (version == nullptr || std::string_view(version) != ocistart::runtime::kModuleVersion)
    return nullptr;
  static const ocistart::runtime::SystemdHost host;
  return &host;
}
#endif
