// The cgroupfs driver for cgroup v1 and for the hybrid layout (v1 controllers plus a
// controller-less cgroup2 at `unified`). The container's cgroup has the same path in every
// mounted hierarchy; all file access goes through an O_PATH dirfd of each mount point.
#include <fcntl.h>

#include <unistd.h>

#include <map>
#include <optional>
#include <thread>

#include "cgroups/exec_cgroups.h"
#include "cgroups/fs_common.h"

namespace ocistart::cgroups::fs {

namespace {

struct Hierarchy {
  std::string name;                      // "cpu,cpuacct", "name=systemd", "unified": for messages
  std::vector<std::string> controllers;  // empty for the unified one
  bool unified = false;
  std::string mount_point;  // for messages
  util::UniqueFd root;      // O_PATH dirfd of the mount point

  [[nodiscard]] bool has(std::string_view controller) const {
    for (const std::string& c : controllers)
      if (c == controller)
        return true;
    return false;
  }
};

// A new v1 cpuset cgroup starts with empty cpus and mems and takes no task until they are
// set: copy them from the parent where they are empty.
util::Status copy_cpuset_from_parent(int parent, int child, bool fake) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    auto mine = read_file(child, file);
    if (mine && !last_line(*mine).empty())
      continue;
    auto theirs = read_file(parent, file);
    if (!theirs)
      return std::move(theirs).error();
    if (auto st = write_file(child, file, last_line(*theirs), fake); !st)
      return st;
  }
  return {};
}

// Every level of `rel`, top-down, gets its parent's cpus/mems where it has none: also the
// levels that existed already (a pod cgroup made by someone else, still empty, ENOSPC on
// joining), as runc does.
util::Status fill_cpuset_path(int root, const std::string& rel, bool fake) {
  util::Result<util::UniqueFd> parent = open_dir(root, ".");
  if (!parent)
    return std::move(parent).error();
  for (const std::string& name : components(rel)) {
    util::Result<util::UniqueFd> child = open_dir(parent->get(), name);
    if (!child)
      return std::move(child).error();
    if (util::Status st = copy_cpuset_from_parent(parent->get(), child->get(), fake); !st)
      return std::move(st).error().wrap("cpuset of `" + name + "`");
    *parent = std::move(*child);
  }
  return {};
}

class V1Driver final : public Driver {
 public:
  V1Driver(CgroupfsOptions options, std::string path, std::vector<Hierarchy> hierarchies)
      : options_(std::move(options)),
        path_(std::move(path)),
        rel_(path_.substr(1)),
        hierarchies_(std::move(hierarchies)) {}

  [[nodiscard]] std::string_view name() const override { return "cgroupfs"; }
  [[nodiscard]] const std::string& path() const override { return path_; }
  [[nodiscard]] std::vector<std::string> warnings() const override { return warnings_; }

  util::Status create(int pid, const spec::Resources* resources) override {
    Plan plan;
    if (resources) {
      auto p = plan_v1(*resources);
      if (!p)
        return std::move(p).error();
      plan = std::move(*p);
    }
    warnings_ = plan.warnings;

    // What this call made, per hierarchy, so that a failure leaves nothing behind.
    std::vector<std::vector<std::string>> created(hierarchies_.size());
    std::vector<util::UniqueFd> dirs(hierarchies_.size());
    size_t joined = 0;
    auto rollback = [&] {
      for (size_t i = 0; i < hierarchies_.size(); ++i) {
        if (created[i].empty())
          continue;  // not ours
        // Move the pid out of what we remove (to the parent of the topmost new dir), else
        // rmdir fails with EBUSY. The caller kills it anyway.
        if (i < joined) {
          std::string top = created[i].front();
          size_t slash = top.rfind('/');
          std::string parent = slash == std::string::npos ? "." : top.substr(0, slash);
          if (auto dir = open_dir(hierarchies_[i].root.get(), parent))
            (void)join(dir->get(), pid, options_.fake);
        }
        remove_made_path(hierarchies_[i].root.get(), created[i], options_.rmdir_timeout, options_.fake);
      }
    };

    for (size_t i = 0; i < hierarchies_.size(); ++i) {
      const Hierarchy& h = hierarchies_[i];
      auto made = make_path(h.root.get(), rel_, options_.fake);
      if (!made) {
        rollback();
        return std::move(made).error().wrap("create cgroup in `" + h.name + "`");
      }
      created[i] = std::move(*made);
      if (h.has("cpuset")) {
        if (util::Status st = fill_cpuset_path(h.root.get(), rel_, options_.fake); !st) {
          rollback();
          return std::move(st).error().wrap("create cgroup in `" + h.name + "`");
        }
      }
      auto dir = open_dir(h.root.get(), rel_);
      if (!dir) {
        rollback();
        return std::move(dir).error();
      }
      dirs[i] = std::move(*dir);
    }

    auto dir_for = [&](const std::string& controller) -> util::Result<int> {
      for (size_t i = 0; i < hierarchies_.size(); ++i)
        if (hierarchies_[i].has(controller))
          return dirs[i].get();
      return not_mounted(controller);
    };
    if (auto st = apply_writes(plan.writes, dir_for, options_.fake); !st) {
      rollback();
      return st;
    }
    // Limits first, then the task: cpuset and rt bandwidth must be in place before it joins.
    // pid 0: the init enters by itself (open_entry()).
    for (; pid > 0 && joined < hierarchies_.size(); ++joined) {
      if (auto st = join(dirs[joined].get(), pid, options_.fake); !st) {
        rollback();
        return std::move(st).error().wrap("join cgroup in `" + hierarchies_[joined].name + "`");
      }
    }
    return {};
  }

  util::Status update(const spec::Resources& resources) override {
    auto plan = plan_v1(resources);
    if (!plan)
      return std::move(plan).error();
    warnings_ = plan->warnings;
    std::map<size_t, util::UniqueFd> dirs;  // opened on first use
    auto dir_for = [&](const std::string& controller) -> util::Result<int> {
      for (size_t i = 0; i < hierarchies_.size(); ++i) {
        if (!hierarchies_[i].has(controller))
          continue;
        auto it = dirs.find(i);
        if (it == dirs.end()) {
          auto dir = open_dir(hierarchies_[i].root.get(), rel_);
          if (!dir)
            return std::move(dir).error();
          it = dirs.emplace(i, std::move(*dir)).first;
        }
        return it->second.get();
      }
      return not_mounted(controller);
    };
    if (resources.memory && resources.memory->check_before_update.value_or(false)) {
      // Best effort, as runc: an unreadable usage does not block the update.
      if (auto dir = dir_for("memory"))
        if (auto usage = read_file(*dir, "memory.usage_in_bytes"))
          if (auto bytes = parse_u64(*usage))
            if (auto st = check_memory_update(*resources.memory, *bytes); !st)
              return st;
    }
    return apply_writes(plan->writes, dir_for, options_.fake);
  }

  // v1 keeps quota and period in separate files, so update() itself needs no completion;
  // the systemd driver does (CPUQuotaPerSecUSec).
  spec::Resources with_current_pairs(const spec::Resources& resources) const override {
    auto read = [this](const std::string& controller, const std::string& file) -> util::Result<std::string> {
      for (const Hierarchy& h : hierarchies_) {
        if (!h.has(controller))
          continue;
        auto dir = open_dir(h.root.get(), rel_);
        if (!dir)
          return std::move(dir).error();
        return read_file(dir->get(), file);
      }
      return not_mounted(controller);
    };
    return cgroups::with_current_pairs(resources, false, read);
  }

  util::Result<ExistingCgroup> inspect_existing() const override {
    ExistingCgroup out;
    const Hierarchy* counted = pids_hierarchy();
    util::Result<size_t> n = count_processes(counted->root.get(), rel_);
    if (!n)
      return std::move(n).error();
    out.processes = *n;
    // The freezer and, on hybrid hosts, the unified hierarchy (create() joins both).
    for (const Hierarchy& h : hierarchies_) {
      if (!h.has("freezer") && !h.unified)
        continue;
      util::Result<util::UniqueFd> dir = open_nearest(h.root.get(), rel_);
      if (!dir)
        return std::move(dir).error();
      out.frozen = out.frozen || (h.unified ? frozen_v2(dir->get()) : frozen_v1(dir->get()));
    }
    return out;
  }

  util::Status check_resources(const spec::Resources& resources) const override {
    return check_for_version(resources, false);
  }

  [[nodiscard]] bool creates_before_clone() const override { return true; }

  util::Status add_process(int pid, const SubCgroups& sub) override {
    if (util::Status st = check_controllers(sub); !st)
      return st;
    for (const Hierarchy& h : hierarchies_) {
      util::Result<OpenedDir> dir = open_join_dir(h, sub, pid);
      if (!dir)
        return std::move(dir).error();
      if (auto st = join(dir->fd.get(), pid, options_.fake); !st)
        return std::move(st).error().wrap("join cgroup in `" + h.name + "`");
    }
    return {};
  }

  util::Result<os::CgroupEntry> open_entry(const SubCgroups& sub) const override {
    if (util::Status st = check_controllers(sub); !st)
      return std::move(st).error();
    os::CgroupEntry entry;
    // The freezer's last of the v1 files (a process stops on joining a frozen cgroup), then
    // the unified one's fallback.
    std::vector<os::CgroupEntryFile> last;
    for (const Hierarchy& h : hierarchies_) {
      util::Result<OpenedDir> dir = open_join_dir(h, sub, ::getpid());
      if (!dir)
        return std::move(dir).error();
      const std::string where = h.mount_point + "/" + dir->rel;
      util::Result<os::CgroupEntryFile> file =
          open_entry_file(dir->fd.get(), h.unified ? "cgroup.procs" : "tasks",
                          where + (h.unified ? "/cgroup.procs" : "/tasks"), options_.fake);
      if (!file)
        return std::move(file).error().wrap("join cgroup in `" + h.name + "`");
      if (h.unified) {
        util::Result<util::UniqueFd> v2 = reopen_v2_dir(dir->fd.get(), where);
        if (!v2)
          return std::move(v2).error().wrap("join cgroup in `" + h.name + "`");
        entry.v2_dir = std::move(*v2);
        entry.v2_path = where;
        file->v2_fallback = true;
        last.push_back(std::move(*file));
      } else if (h.has("freezer")) {
        last.insert(last.begin(), std::move(*file));
      } else {
        entry.files.push_back(std::move(*file));
      }
    }
    for (os::CgroupEntryFile& f : last)
      entry.files.push_back(std::move(f));
    return entry;
  }

  util::Result<std::vector<int>> pids() const override {
    auto dir = open_dir(pids_hierarchy()->root.get(), rel_);
    if (!dir)
      return std::move(dir).error();
    return read_pids_recursive(dir->get());
  }

  util::Status freeze() override { return set_frozen(true); }
  util::Status thaw() override { return set_frozen(false); }

  util::Status destroy() override {
    util::Status first;
    for (const Hierarchy& h : hierarchies_) {
      auto st = remove_cgroup(h.root.get(), rel_, options_.rmdir_timeout, options_.fake);
      if (!st && first)
        first = std::move(st).error().wrap("remove cgroup in `" + h.name + "`");
    }
    return first;
  }

 private:
  // Where the container's processes are listed: pids, else memory, else the first.
  [[nodiscard]] const Hierarchy* pids_hierarchy() const {
    for (const char* preferred : {"pids", "memory"})
      for (const Hierarchy& h : hierarchies_)
        if (h.has(preferred))
          return &h;
    return &hierarchies_.front();
  }

  // runc: an explicit controller must be one of ours.
  [[nodiscard]] util::Status check_controllers(const SubCgroups& sub) const {
    for (const auto& [controller, path] : sub) {
      bool known = controller.empty();
      for (const Hierarchy& h : hierarchies_)
        known = known || h.has(controller);
      if (!known)
        return util::make_error("unknown controller `" + controller + "` in --cgroup", EINVAL);
    }
    return {};
  }

  struct OpenedDir {
    util::UniqueFd fd;
    std::string rel;
  };

  // The directory `h` joins for `sub` (rel_for()), opened; `pid` names the process in the
  // error for a missing sub-cgroup.
  [[nodiscard]] util::Result<OpenedDir> open_join_dir(const Hierarchy& h, const SubCgroups& sub, int pid) const {
    util::Result<std::string> rel = rel_for(h, sub);
    if (!rel)
      return std::move(rel).error();
    auto dir = open_dir(h.root.get(), *rel);
    if (!dir && dir.error().code == ENOENT && h.unified && *rel != rel_) {
      *rel = rel_;  // our own addition on hybrid hosts: the base will do
      dir = open_dir(h.root.get(), rel_);
    }
    if (!dir && dir.error().code == ENOENT && *rel != rel_)
      return missing_sub_cgroup(pid, h.mount_point + "/" + *rel);
    if (!dir)
      return std::move(dir).error().wrap("join cgroup in `" + h.name + "`");
    return OpenedDir{std::move(*dir), std::move(*rel)};
  }

  // The cgroup `h` joins for `sub`: the sub-cgroup of its controller, or of "" (every
  // hierarchy), or the container's own.
  [[nodiscard]] util::Result<std::string> rel_for(const Hierarchy& h, const SubCgroups& sub) const {
    for (const auto& [controller, path] : sub)
      if (controller.empty() || h.has(controller))
        return sub_cgroup_path(rel_, path);
    return rel_;
  }

  [[nodiscard]] util::Error not_mounted(const std::string& controller) const {
    return util::make_error("cgroup controller `" + controller + "` is not mounted under `" + options_.mount_root + "`",
                            ENODEV);
  }

  util::Status set_frozen(bool frozen) {
    const Hierarchy* freezer = nullptr;
    const Hierarchy* unified = nullptr;
    for (const Hierarchy& h : hierarchies_) {
      if (h.has("freezer"))
        freezer = &h;
      if (h.unified)
        unified = &h;
    }
    if (!freezer && unified) {
      // Hybrid without a v1 freezer: the unified hierarchy freezes too.
      auto dir = open_dir(unified->root.get(), rel_);
      if (!dir)
        return std::move(dir).error();
      return set_frozen_v2(dir->get(), frozen, options_.freeze_timeout, options_.fake);
    }
    if (!freezer)
      return not_mounted("freezer");
    auto dir = open_dir(freezer->root.get(), rel_);
    if (!dir)
      return std::move(dir).error();
    if (!frozen)
      return write_file(dir->get(), "freezer.state", "THAWED", options_.fake);
    // v1 may sit in FREEZING while tasks keep forking: write FROZEN again until the state
    // reads FROZEN, with an occasional thaw to let stragglers settle (as runc).
    const auto deadline = std::chrono::steady_clock::now() + options_.freeze_timeout;
    for (int i = 1;; ++i) {
      if (auto st = write_file(dir->get(), "freezer.state", "FROZEN", options_.fake); !st)
        return st;
      auto state = read_file(dir->get(), "freezer.state");
      if (!state) {
        (void)write_file(dir->get(), "freezer.state", "THAWED", options_.fake);
        return std::move(state).error();
      }
      if (last_line(*state) == "FROZEN")
        return {};
      if (std::chrono::steady_clock::now() >= deadline)
        break;
      if (i % 50 == 0)
        (void)write_file(dir->get(), "freezer.state", "THAWED", options_.fake);
      std::this_thread::sleep_for(std::chrono::milliseconds(i % 50 == 0 ? 10 : 1));
    }
    (void)write_file(dir->get(), "freezer.state", "THAWED", options_.fake);
    return util::make_error("wait for `freezer.state` FROZEN: timed out", ETIMEDOUT);
  }

  CgroupfsOptions options_;
  std::string path_;  // "/ocistart/abc"
  std::string rel_;   // "ocistart/abc": relative to each hierarchy's root
  std::vector<Hierarchy> hierarchies_;
  std::vector<std::string> warnings_;
};

bool below(const std::string& path, const std::string& root) {
  std::string r = root;
  while (r.size() > 1 && r.back() == '/')
    r.pop_back();
  return path.size() > r.size() && path.compare(0, r.size(), r) == 0 && (r == "/" || path[r.size()] == '/');
}

}  // namespace

util::Result<std::unique_ptr<Driver>> make_v1_driver(const CgroupfsOptions& options, std::string path, bool hybrid) {
  auto mounts = read_cgroup_mounts(options.mountinfo_path);
  if (!mounts)
    return std::move(mounts).error();
  std::vector<Hierarchy> hierarchies;
  bool have_unified = false;
  for (const CgroupMount& m : *mounts) {
    if (!below(m.mount_point, options.mount_root))
      continue;
    if (m.v2 && (!hybrid || have_unified))
      continue;
    if (!m.v2 && m.controllers.empty())
      continue;
    // The same hierarchy may be mounted twice (bind mounts): keep the first.
    bool seen = false;
    for (const Hierarchy& h : hierarchies)
      seen = seen || (!m.v2 && !h.unified && h.controllers == m.controllers);
    if (seen)
      continue;
    auto root = open_dir(AT_FDCWD, m.mount_point);
    if (!root)
      return std::move(root).error();
    Hierarchy h;
    h.unified = m.v2;
    h.controllers = m.controllers;
    h.mount_point = m.mount_point;
    h.name = m.v2 ? "unified" : "";
    for (const std::string& c : m.controllers)
      h.name += (h.name.empty() ? "" : ",") + c;
    h.root = std::move(*root);
    have_unified = have_unified || m.v2;
    hierarchies.push_back(std::move(h));
  }
  if (hybrid && !have_unified) {
    // Not in the mountinfo we were given: the conventional place.
    if (auto root = open_dir(AT_FDCWD, options.mount_root + "/unified")) {
      Hierarchy h;
      h.unified = true;
      h.name = "unified";
      h.mount_point = options.mount_root + "/unified";
      h.root = std::move(*root);
      hierarchies.push_back(std::move(h));
    }
  }
  bool any_v1 = false;
  for (const Hierarchy& h : hierarchies)
    any_v1 = any_v1 || !h.unified;
  if (!any_v1)
    return util::make_error("no cgroup v1 hierarchy is mounted under `" + options.mount_root + "`", ENODEV);
  return std::unique_ptr<Driver>(std::make_unique<V1Driver>(options, std::move(path), std::move(hierarchies)));
}

}  // namespace ocistart::cgroups::fs
