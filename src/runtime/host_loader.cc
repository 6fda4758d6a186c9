// The binary's HostIntegration in a build with systemd: it answers what needs neither
// libsystemd nor sdbus-c++ itself, exactly as host_systemd.cc would, and passes every
// other call to the systemd module (host_module.h), loaded on that first call. A command
// that never gets here (state, start, kill, delete, list, a cgroupfs run, a run under
// $NOTIFY_SOCKET; exec, ps, kill of a systemd container) does not even look for the
// module. A method added to HostIntegration is added here as one more
// `module()->method(...)` line (or a cheap answer that keeps host_systemd.cc's behaviour).
#include "build_config.h"
#if OCISTART_HAVE_SYSTEMD
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "cgroups/cgroupfs.h"
#include "cgroups/delegation.h"
#include "runtime/host_integration.h"
#include "runtime/host_module.h"
#include "util/log.h"

namespace ocistart::runtime {
namespace {

// An existing container's systemd driver, as the binary makes it. What only reads or joins
// the unit's cgroup (pids, add_process: exec, kill, ps, delete's checks) is what the
// module's SystemdDriver does too: the cgroupfs driver on the unit's ControlGroup, which
// needs no systemd library. Everything else (D-Bus: destroy, update, freeze; the rest
// too, to keep one implementation of it) goes to the module's driver, made on first use;
// from then on that one answers everything.
class ExistingUnitDriver final : public cgroups::Driver {
 public:
  ExistingUnitDriver(std::string id, std::string unit, std::string cgroup_path, std::string state_root)
      : id_(std::move(id)), unit_(std::move(unit)), path_(std::move(cgroup_path)), root_(std::move(state_root)) {}

  std::string_view name() const override { return "systemd"; }
  const std::string& path() const override { return path_; }
  std::string unit() const override { return unit_; }
  std::string planned_path() const override { return path_; }

  util::Status add_process(int pid, const cgroups::SubCgroups& sub) override {
    if (module_)
      return module_->add_process(pid, sub);
    util::Result<cgroups::Driver*> fs = cgroupfs();
    return fs ? (*fs)->add_process(pid, sub) : util::Status(std::move(fs).error());
  }
  util::Result<os::CgroupEntry> open_entry(const cgroups::SubCgroups& sub) const override {
    if (module_)
      return module_->open_entry(sub);
    util::Result<cgroups::Driver*> fs = cgroupfs();
    if (!fs)
      return std::move(fs).error();
    return (*fs)->open_entry(sub);
  }
  util::Result<std::vector<int>> pids() const override {
    if (module_)
      return module_->pids();
    util::Result<cgroups::Driver*> fs = cgroupfs();
    if (!fs)
      return std::move(fs).error();
    return (*fs)->pids();
  }
  std::vector<std::string> warnings() const override {
    if (module_)
      return module_->warnings();
    return cgroupfs_ ? cgroupfs_->warnings() : std::vector<std::string>{};
  }
  std::string describe_calls() const override {
    return module_ ? module_->describe_calls() : "unit `" + unit_ + "`: 0 D-Bus calls";
  }

  util::Status create(int pid, const spec::Resources* resources) override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->create(pid, resources) : util::Status(std::move(m).error());
  }
  util::Status update(const spec::Resources& resources) override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->update(resources) : util::Status(std::move(m).error());
  }
  spec::Resources with_current_pairs(const spec::Resources& resources) const override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->with_current_pairs(resources) : resources;  // update() then says why
  }
  util::Result<cgroups::ExistingCgroup> inspect_existing() const override {
    util::Result<cgroups::Driver*> m = module();
    if (!m)
      return std::move(m).error();
    return (*m)->inspect_existing();
  }
  util::Status check_resources(const spec::Resources& resources) const override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->check_resources(resources) : util::Status(std::move(m).error());
  }
  util::Status freeze() override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->freeze() : util::Status(std::move(m).error());
  }
  util::Status thaw() override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->thaw() : util::Status(std::move(m).error());
  }
  util::Status destroy() override {
    util::Result<cgroups::Driver*> m = module();
    return m ? (*m)->destroy() : util::Status(std::move(m).error());
  }

 private:
  // SystemdDriver::cgroupfs(): the default cgroupfs options on the unit's cgroup.
  util::Result<cgroups::Driver*> cgroupfs() const {
    if (!cgroupfs_) {
      cgroups::CgroupfsOptions o;
      o.cgroup_path = path_;
      util::Result<std::unique_ptr<cgroups::Driver>> made = cgroups::make_cgroupfs_driver(o);
      if (!made)
        return std::move(made).error();
      cgroupfs_ = std::move(*made);
    }
    return cgroupfs_.get();
  }
  util::Result<cgroups::Driver*> module() const {
    if (!module_) {
      util::Result<const HostIntegration*> host = systemd_module();
      if (!host)
        return std::move(host).error();
      util::Result<std::unique_ptr<cgroups::Driver>> made = (*host)->existing_systemd_driver(id_, unit_, path_, root_);
      if (!made)
        return std::move(made).error();
      module_ = std::move(*made);
    }
    return module_.get();
  }

  std::string id_, unit_, path_, root_;
  mutable std::unique_ptr<cgroups::Driver> cgroupfs_;
  mutable std::unique_ptr<cgroups::Driver> module_;
};

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

  // The module is loaded when the driver first needs systemd (ExistingUnitDriver).
  util::Result<std::unique_ptr<cgroups::Driver>> existing_systemd_driver(const std::string& id, const std::string& unit,
                                                                         const std::string& cgroup_path,
                                                                         const std::string& state_root) const override {
    if (unit.empty() || cgroup_path.empty())  // host_systemd.cc's check, in its words
      return util::make_error("state of `" + id + "`: systemd driver without a unit and its cgroup", EINVAL);
    return std::unique_ptr<cgroups::Driver>(std::make_unique<ExistingUnitDriver>(id, unit, cgroup_path, state_root));
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

  util::Result<systemd::JournalReadResult> read_journal(
      const systemd::JournalQuery& query,
      const std::function<util::Status(const systemd::JournalEntry&)>& on_entry) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    if (!m)
      return std::move(m).error();
    return (*m)->read_journal(query, on_entry);
  }

  util::Result<std::optional<systemd::ServiceOutcome>> run_transient_service(
      const systemd::TransientServiceRequest& request, const std::function<void()>& started) const override {
    util::Result<const HostIntegration*> m = systemd_module();
    if (!m)
      return std::move(m).error();
    return (*m)->run_transient_service(request, started);
  }
};

}  // namespace

const HostIntegration& host_integration() {
  static const LoaderHost host;
  return host;
}

void preload_host_integration() { preload_systemd_module(); }
void await_host_integration() { await_systemd_module(); }

}  // namespace ocistart::runtime
#endif
