// The systemd cgroup driver (see systemd_driver.h): one transient scope per container,
// the exact cgroup values written afterwards by the cgroupfs driver on the scope's cgroup.
#include "cgroups/systemd_driver.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "cgroups/resources.h"
#include "linux/rootless.h"
#include "systemd/assignment.h"
#include "systemd/unit_properties.h"
#include "util/fs.h"
#include "util/proc_cgroup.h"
#include "util/scope_guard.h"
#include "util/unique_fd.h"

namespace ocistart::cgroups {
std::string unit_cgroup_path(std::string_view slice, std::string_view unit) {
  std::string path;
  // "a-b-c.slice" lives in "a.slice/a-b.slice": each dash-separated prefix is a parent.
  if (slice.ends_with(".slice") && slice != "-.slice") {
    std::string_view name = slice.substr(0, slice.size() - 6);
    for (size_t dash = name.find('-');; dash = name.find('-', dash + 1)) {
      path += "/" + std::string(name.substr(0, dash)) + ".slice";
      if (dash == std::string_view::npos)
        break;
    }
  }
  return path + "/" + std::string(unit);
}

namespace {

// The unit cgroup of `pid` from /proc/<pid>/cgroup; nullopt when it cannot be read.
std::optional<std::string> systemd_cgroup_of_pid(int pid) {
  util::Result<std::string> text = util::read_file("/proc/" + std::to_string(pid) + "/cgroup");
  if (!text)
    return std::nullopt;
  return systemd_cgroup_from_proc(*text);
}

constexpr std::chrono::milliseconds kDefaultDeadline{10000};

bool has_property(const systemd::UnitProperties& properties, std::string_view name) {
  return std::any_of(properties.begin(), properties.end(),
                     [&](const systemd::UnitProperty& p) { return p.name == name; });
}

// FreezeUnit on a hierarchy where systemd has no freezer (v1 and hybrid hosts): systemd
// answers org.freedesktop.DBus.Error.NotSupported.
bool freezer_unsupported(const util::Error& e) {
  return e.code == EOPNOTSUPP || e.message.find("NotSupported") != std::string::npos ||
         e.message.find("does not support freezing") != std::string::npos;
}

}  // namespace

SystemdDriver::SystemdDriver(SystemdDriverOptions options)
    : options_(std::move(options)),
      cgroup_path_(options_.cgroup_path),
      unit_may_exist_(!options_.cgroup_path.empty()) {}

SystemdDriver::~SystemdDriver() = default;

unsigned SystemdDriver::dbus_calls() const noexcept { return manager_ ? manager_->calls() : 0; }

std::string SystemdDriver::describe_calls() const {
  return "unit `" + options_.unit + "`: " + std::to_string(dbus_calls()) + " D-Bus calls";
}

util::Result<systemd::Manager*> SystemdDriver::manager() {
  if (manager_)
    return manager_.get();
  if (!options_.manager)
    return util::make_error("no way to reach systemd", ENOTCONN);
  util::Result<std::unique_ptr<systemd::Manager>> made = options_.manager();
  if (!made)
    return std::move(made).error().wrap("connect to systemd");
  manager_ = std::move(*made);
  return manager_.get();
}

util::Result<Driver*> SystemdDriver::cgroupfs() const {
  if (cgroup_path_.empty())
    return util::make_error("unit `" + options_.unit + "` has no cgroup yet", ENOENT);
  return cgroupfs_at(cgroup_path_);
}

util::Result<Driver*> SystemdDriver::cgroupfs_at(const std::string& path) const {
  if (cgroupfs_ && cgroupfs_path_ == path)
    return cgroupfs_.get();
  CgroupfsOptions o = options_.cgroupfs;
  o.cgroup_path = path;
  util::Result<std::unique_ptr<Driver>> made = make_cgroupfs_driver(o);
  if (!made)
    return std::move(made).error();
  cgroupfs_ = std::move(*made);
  cgroupfs_path_ = path;
  return cgroupfs_.get();
}

systemd::CgroupVersion SystemdDriver::version() const {
  std::optional<Layout> layout = options_.cgroupfs.layout;
  if (!layout)
    if (util::Result<Layout> detected = detect_layout(options_.cgroupfs.mount_root))
      layout = *detected;
  // v1 names on v1 and hybrid hosts: there systemd manages the controllers on v1.
  return layout == Layout::v2 ? systemd::CgroupVersion::v2 : systemd::CgroupVersion::v1;
}

std::vector<std::string> SystemdDriver::remembered_unsupported() const {
  std::vector<std::string> names;
  if (options_.state_root.empty())
    return names;
  util::Result<std::string> text = util::read_file(options_.state_root + "/" + kUnsupportedPropertiesFile);
  if (!text)
    return names;  // none remembered yet (or unreadable: then we just ask again)
  size_t i = 0;
  while (i < text->size()) {
    size_t nl = text->find('\n', i);
    std::string line = text->substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    if (!line.empty() && std::find(names.begin(), names.end(), line) == names.end())
      names.push_back(std::move(line));
    if (nl == std::string::npos)
      break;
    i = nl + 1;
  }
  return names;
}

void SystemdDriver::remember_unsupported(const std::string& property) const {
  if (options_.state_root.empty())
    return;
  std::vector<std::string> known = remembered_unsupported();
  if (std::find(known.begin(), known.end(), property) != known.end())
    return;
  // One short O_APPEND write: concurrent creates can only interleave whole lines.
  const std::string path = options_.state_root + "/" + kUnsupportedPropertiesFile;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return;  // best effort: the next create asks systemd again
  util::UniqueFd owned(fd);
  const std::string line = property + "\n";
  (void)::write(owned.get(), line.data(), line.size());
}

void SystemdDriver::mark_unresponsive_if_timed_out(const util::Status& s) {
  // No answer within the deadline: systemd is stuck (or gone). Asking it to clean up would
  // only wait another deadline each time.
  if (!s && s.error().code == ETIMEDOUT)
    unresponsive_ = true;
}

util::Status SystemdDriver::start_unit(systemd::UnitProperties properties) {
  util::Result<systemd::Manager*> mgr = manager();
  if (!mgr)
    return std::move(mgr).error();
  bool reset_done = false;
  bool stopped_stale = false;
  unsigned dropped = 0;
  for (;;) {
    util::Status s = (*mgr)->start_transient_unit(options_.unit, properties);
    mark_unresponsive_if_timed_out(s);
    if (s) {
      unit_may_exist_ = true;
      return s;
    }
    const util::Error& e = s.error();
    if (e.code != EEXIST)
      unit_may_exist_ = true;  // a failed job may leave a failed unit behind
    if (e.code == EEXIST && reset_done && !stopped_stale) {
      // Still there: an active unit of that name. runc joins it; we do when it has
      // processes (another container's: create warned "not empty"). An empty one is a
      // scope whose last process just died, still on its way out: stop it, start ours.
      if (util::Result<ExistingCgroup> there = inspect_existing(); there && there->processes > 0) {
        joined_existing_ = true;
        return {};
      }
      stopped_stale = true;
      util::Status stopped = (*mgr)->stop_unit(options_.unit);
      mark_unresponsive_if_timed_out(stopped);
      if (stopped)
        continue;
    }
    if (e.code == EEXIST && !reset_done) {
      // A failed unit of the same name (a crashed earlier container): reset, retry once.
      // An active one stays and the retry fails with EEXIST again.
      reset_done = true;
      util::Status r = (*mgr)->reset_failed_unit(options_.unit);
      mark_unresponsive_if_timed_out(r);
      if (!r)
        return std::move(s).error().wrap("start unit `" + options_.unit + "`");
      continue;
    }
    if (std::optional<std::string> name = systemd::unsupported_property(e);
        name && dropped < options_.max_property_retries && has_property(properties, *name) && !user_assigned(*name)) {
      // This systemd cannot set `name`: go without it, now and in later calls.
      systemd::drop_property(properties, *name);
      remember_unsupported(*name);
      ++dropped;
      continue;
    }
    return std::move(s).error().wrap("start unit `" + options_.unit + "`");
  }
}

bool SystemdDriver::user_assigned(std::string_view property) const {
  // A property asked for with -p is never dropped quietly: systemd's refusal is the error.
  return std::any_of(options_.assignments.begin(), options_.assignments.end(), [&](const std::string& a) {
    util::Result<systemd::UnitProperty> p = systemd::parse_assignment(a);
    return p && p->name == property;
  });
}

bool SystemdDriver::unit_cgroup_gone() const {
  if (cgroup_path_.empty())
    return false;
  // systemd's own view: the unified tree on v2, its name=systemd hierarchy otherwise.
  std::string tracked = options_.cgroupfs.mount_root;
  if (version() != systemd::CgroupVersion::v2)
    tracked += "/systemd";
  struct stat st {};
  return ::lstat((tracked + cgroup_path_).c_str(), &st) < 0 && errno == ENOENT;
}

util::Status SystemdDriver::stop_and_reset() {
  if (unresponsive_ || !unit_may_exist_)
    return {};
  // The scope stopped by itself when its last process exited: systemd removed its cgroup
  // and collects the unit (CollectMode) before it reads its next bus message. No StopUnit
  // round trip (nor a bus connection) then.
  if (unit_cgroup_gone()) {
    unit_may_exist_ = false;
    return {};
  }
  util::Result<systemd::Manager*> mgr = manager();
  if (!mgr)
    return std::move(mgr).error();
  util::Status stopped = (*mgr)->stop_unit(options_.unit);
  mark_unresponsive_if_timed_out(stopped);
  if (unresponsive_)
    return std::move(stopped).error().wrap("stop unit `" + options_.unit + "`");
  if (!stopped) {
    // A failed stop may leave a failed unit behind; a successful one leaves nothing, since
    // the unit has CollectMode=inactive-or-failed (unless an annotation says otherwise, and
    // then a stopped scope is still inactive, not failed), so no ResetFailedUnit round trip.
    util::Status reset = (*mgr)->reset_failed_unit(options_.unit);
    mark_unresponsive_if_timed_out(reset);
    return std::move(stopped).error().wrap("stop unit `" + options_.unit + "`");
  }
  unit_may_exist_ = false;
  return {};
}

util::Status SystemdDriver::create(int pid, const spec::Resources* resources) {
  if (!cgroup_path_.empty())
    return util::make_error("unit `" + options_.unit + "` already created", EEXIST);
  systemd::ScopeRequest request;
  request.description = options_.description;
  request.slice = options_.slice;
  request.pid = pid;
  request.version = version();
  request.resources = resources;
  request.annotations = &options_.annotations;
  request.assignments = &options_.assignments;
  util::Result<systemd::UnitProperties> properties = systemd::scope_properties(request);
  if (!properties)
    return std::move(properties).error();
  // Gone as soon as it stops or fails, so no failed unit outlives a container (as nspawn).
  if (!has_property(*properties, "CollectMode"))
    properties->push_back({"CollectMode", std::string("inactive-or-failed")});
  for (const std::string& name : remembered_unsupported())
    if (!user_assigned(name))
      systemd::drop_property(*properties, name);

  // Undo on failure: the unit (its processes are the caller's to kill: KillUnit makes sure
  // the stop job does not wait for an init that ignores SIGTERM), then what cgroupfs made.
  auto fail = [&](util::Error e) -> util::Status {
    if (!unresponsive_ && unit_may_exist_ && !joined_existing_) {
      if (util::Result<systemd::Manager*> mgr = manager()) {
        util::Status killed = (*mgr)->kill_unit(options_.unit, SIGKILL);
        mark_unresponsive_if_timed_out(killed);
      }
      (void)stop_and_reset();
    }
    cgroupfs_.reset();
    cgroup_path_.clear();
    return e;
  };

  if (util::Status s = start_unit(std::move(*properties)); !s)
    return fail(std::move(s).error());
  // The start job is done, so systemd has moved `pid` into the scope: its own cgroup file
  // names the unit's cgroup as this mount namespace sees it, without two more D-Bus round
  // trips (GetUnit, then the ControlGroup property). Asking systemd stays the fallback.
  std::optional<std::string> cgroup = systemd_cgroup_of_pid(pid);
  if (!cgroup || !cgroup->ends_with("/" + options_.unit)) {
    util::Result<systemd::Manager*> mgr = manager();
    util::Result<std::string> asked = (*mgr)->control_group(options_.unit);
    if (!asked) {
      mark_unresponsive_if_timed_out(util::Status(asked.error()));
      return fail(std::move(asked).error().wrap("unit `" + options_.unit + "`"));
    }
    cgroup = std::move(*asked);
  }
  if (cgroup->empty() || cgroup->front() != '/')
    return fail(util::make_error("unit `" + options_.unit + "` has no control group", ENOENT));
  cgroup_path_ = std::move(*cgroup);

  // Everything systemd cannot express, exactly; also joins `pid` in the hierarchies
  // systemd does not manage (cpuset, freezer, hugetlb, ... on v1).
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return fail(std::move(fs).error());
  if (util::Status s = (*fs)->create(pid, resources); !s)
    return fail(std::move(s).error().wrap("unit `" + options_.unit + "`"));
  // The cgroupfs plan wrote the config's values, also where `-p` asked for others: -p wins,
  // so systemd sets those again (one more round trip, only when -p is used).
  if (!options_.assignments.empty()) {
    systemd::UnitProperties asked;
    if (util::Status s = systemd::apply_assignments(asked, options_.assignments); !s)
      return fail(std::move(s).error());
    util::Result<systemd::Manager*> mgr = manager();
    util::Status s = (*mgr)->set_unit_properties(options_.unit, true, asked);
    mark_unresponsive_if_timed_out(s);
    if (!s)
      return fail(std::move(s).error().wrap("unit `" + options_.unit + "`: -p"));
  }
  return {};
}

spec::Resources SystemdDriver::with_current_pairs(const spec::Resources& resources) const {
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return resources;  // update() reports it
  return (*fs)->with_current_pairs(resources);
}

util::Status SystemdDriver::update(const spec::Resources& given) {
  // CPUQuotaPerSecUSec is quota per period: with only one of them given, systemd would
  // compute it against the default period (or rescale the quota), unlike runc, which knows
  // both. The missing one is read from the cgroup.
  const spec::Resources resources = with_current_pairs(given);
  util::Result<systemd::UnitProperties> properties = systemd::resource_properties(resources, version());
  if (!properties)
    return std::move(properties).error();
  for (const std::string& name : remembered_unsupported())
    systemd::drop_property(*properties, name);
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return std::move(fs).error();
  if (!properties->empty()) {
    // On v1 systemd applies every controller of the unit again, devices by writing deny-all
    // and then its allow list: a process opening /dev/null in between would fail. So the
    // container is frozen meanwhile (unless it already is), as runc does.
    bool thaw = false;
    if (version() != systemd::CgroupVersion::v2)
      if (util::Result<ExistingCgroup> now = (*fs)->inspect_existing(); now && !now->frozen)
        thaw = (*fs)->freeze().ok();
    util::ScopeGuard thaw_after([&] {
      if (thaw)
        (void)(*fs)->thaw();
    });
    if (util::Status s = set_properties(std::move(*properties)); !s)
      return std::move(s).error().wrap("update unit `" + options_.unit + "`");
  }
  return (*fs)->update(resources);
}

util::Status SystemdDriver::set_properties(systemd::UnitProperties properties) {
  util::Result<systemd::Manager*> mgr = manager();
  if (!mgr)
    return std::move(mgr).error();
  for (unsigned dropped = 0; !properties.empty(); ++dropped) {
    util::Status s = (*mgr)->set_unit_properties(options_.unit, true, properties);
    mark_unresponsive_if_timed_out(s);
    if (s)
      return s;
    std::optional<std::string> name = systemd::unsupported_property(s.error());
    if (!name || dropped >= options_.max_property_retries || !has_property(properties, *name))
      return s;
    systemd::drop_property(properties, *name);
    remember_unsupported(*name);
  }
  return {};
}

std::string SystemdDriver::planned_path() const {
  return cgroup_path_.empty() ? unit_cgroup_path(options_.slice, options_.unit) : cgroup_path_;
}

util::Result<ExistingCgroup> SystemdDriver::inspect_existing() const {
  // Before create() the unit's cgroup is where systemd will put it; the cgroupfs driver
  // reads it there (processes; the v1 freezer, which systemd leaves alone, and unified).
  util::Result<Driver*> fs = cgroupfs_at(planned_path());
  if (!fs)
    return std::move(fs).error();
  return (*fs)->inspect_existing();
}

util::Status SystemdDriver::check_resources(const spec::Resources& resources) const {
  return check_for_version(resources, version() == systemd::CgroupVersion::v2);
}

util::Status SystemdDriver::add_process(int pid, const SubCgroups& sub) {
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return std::move(fs).error();
  return (*fs)->add_process(pid, sub);
}

util::Result<os::CgroupEntry> SystemdDriver::open_entry(const SubCgroups& sub) const {
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return std::move(fs).error();
  return (*fs)->open_entry(sub);
}

util::Result<std::vector<int>> SystemdDriver::pids() const {
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return std::move(fs).error();
  return (*fs)->pids();
}

util::Status SystemdDriver::set_frozen(bool frozen) {
  util::Result<systemd::Manager*> mgr = manager();
  if (!mgr)
    return std::move(mgr).error();
  util::Status s = frozen ? (*mgr)->freeze_unit(options_.unit) : (*mgr)->thaw_unit(options_.unit);
  mark_unresponsive_if_timed_out(s);
  if (s)
    return s;
  if (!freezer_unsupported(s.error()))
    return std::move(s).error().wrap((frozen ? "freeze unit `" : "thaw unit `") + options_.unit + "`");
  // systemd freezes only on the unified hierarchy: the cgroupfs freezer does it here.
  util::Result<Driver*> fs = cgroupfs();
  if (!fs)
    return std::move(fs).error();
  return frozen ? (*fs)->freeze() : (*fs)->thaw();
}

util::Status SystemdDriver::freeze() { return set_frozen(true); }
util::Status SystemdDriver::thaw() { return set_frozen(false); }

util::Status SystemdDriver::destroy() {
  util::Status first = stop_and_reset();
  // systemd removed the unit's cgroup in the hierarchies it manages; the cgroupfs step may
  // have made it in others (v1 cpuset, freezer, ...).
  if (!cgroup_path_.empty()) {
    util::Result<Driver*> fs = cgroupfs();
    util::Status removed = fs ? (*fs)->destroy() : util::Status(std::move(fs).error());
    if (!removed && first)
      first = std::move(removed);
  }
  return first;
}

std::vector<std::string> SystemdDriver::warnings() const {
  return cgroupfs_ ? cgroupfs_->warnings() : std::vector<std::string>{};
}

std::chrono::milliseconds systemd_call_deadline() {
  const char* env = std::getenv("OCISTART_DBUS_TIMEOUT_MS");
  if (env == nullptr || *env == '\0')
    return kDefaultDeadline;
  char* end = nullptr;
  errno = 0;
  unsigned long long ms = std::strtoull(env, &end, 10);
  if (errno != 0 || *end != '\0' || ms == 0 || ms > 3600ULL * 1000)
    return kDefaultDeadline;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

ManagerFactory bus_manager_factory() {
  // Rootless: the user's own manager (runc's choice); its units live under the user's
  // user@UID.service, whose cgroup systemd delegates to the user on cgroup v2.
  const systemd::Bus bus = os::rootless_runtime() ? systemd::Bus::user : systemd::Bus::system;
  return [bus] { return systemd::connect_manager(systemd_call_deadline(), bus); };
}

}  // namespace ocistart::cgroups
