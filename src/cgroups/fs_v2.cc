// The cgroupfs driver for the unified (v2) hierarchy. Controllers are enabled top-down in
// the ancestors' cgroup.subtree_control (never in the container's own cgroup: it holds
// tasks, and v2 forbids tasks next to enabled children); devices are an eBPF program.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "cgroups/device_bpf.h"
#include "cgroups/exec_cgroups.h"
#include "cgroups/fs_common.h"
#include "util/text.h"

namespace ocistart::cgroups::fs {

namespace {

bool has_word(std::string_view text, std::string_view word) {
  std::vector<std::string_view> words = util::split_words(text);
  return std::find(words.begin(), words.end(), word) != words.end();
}

class V2Driver final : public Driver {
 public:
  V2Driver(CgroupfsOptions options, std::string path, util::UniqueFd root)
      : options_(std::move(options)), path_(std::move(path)), rel_(path_.substr(1)), root_(std::move(root)) {}

  [[nodiscard]] std::string_view name() const override { return "cgroupfs"; }
  [[nodiscard]] const std::string& path() const override { return path_; }
  [[nodiscard]] std::vector<std::string> warnings() const override { return warnings_; }

  util::Status create(int pid, const spec::Resources* resources) override {
    Plan plan;
    if (resources) {
      auto p = plan_v2(*resources);
      if (!p)
        return std::move(p).error();
      plan = std::move(*p);
    }
    warnings_ = plan.warnings;
    auto created = make_path(root_.get(), rel_, options_.fake);
    if (!created)
      return std::move(created).error().wrap("create cgroup");
    auto undo = [&] { remove_made_path(root_.get(), *created, options_.rmdir_timeout, options_.fake); };
    auto dir = open_dir(root_.get(), rel_);
    if (!dir) {
      undo();
      return std::move(dir).error();
    }
    if (auto st = apply(plan, dir->get()); !st) {
      undo();
      return st;
    }
    if (pid <= 0)
      return {};  // the init is born in it (open_entry())
    if (auto st = join(dir->get(), pid, options_.fake); !st) {
      undo();
      return std::move(st).error().wrap("join cgroup");
    }
    return {};
  }

  [[nodiscard]] bool creates_before_clone() const override { return true; }

  util::Status update(const spec::Resources& given) override {
    auto dir = open_dir(root_.get(), rel_);
    if (!dir)
      return std::move(dir).error();
    // cpu.max holds quota and period together: one given alone keeps the other's value.
    const spec::Resources resources = complete(given, dir->get());
    auto plan = plan_v2(resources);
    if (!plan)
      return std::move(plan).error();
    warnings_ = plan->warnings;
    if (resources.memory && resources.memory->check_before_update.value_or(false)) {
      // Best effort, as runc: an unreadable usage does not block the update.
      if (auto usage = read_file(dir->get(), "memory.current"))
        if (auto bytes = parse_u64(*usage))
          if (auto st = check_memory_update(*resources.memory, *bytes); !st)
            return st;
    }
    return apply(*plan, dir->get());
  }

  spec::Resources with_current_pairs(const spec::Resources& resources) const override {
    auto dir = open_dir(root_.get(), rel_);
    if (!dir)
      return resources;  // update() reports the missing cgroup
    return complete(resources, dir->get());
  }

  util::Result<ExistingCgroup> inspect_existing() const override {
    ExistingCgroup out;
    util::Result<size_t> n = count_processes(root_.get(), rel_);
    if (!n)
      return std::move(n).error();
    out.processes = *n;
    util::Result<util::UniqueFd> dir = open_nearest(root_.get(), rel_);
    if (!dir)
      return std::move(dir).error();
    out.frozen = frozen_v2(dir->get());
    return out;
  }

  util::Status check_resources(const spec::Resources& resources) const override {
    return check_for_version(resources, true);
  }

  util::Status add_process(int pid, const SubCgroups& sub) override {
    util::Result<std::pair<util::UniqueFd, std::string>> dir = open_join_dir(sub, pid);
    if (!dir)
      return std::move(dir).error();
    return join(dir->first.get(), pid, options_.fake);
  }

  util::Result<os::CgroupEntry> open_entry(const SubCgroups& sub) const override {
    util::Result<std::pair<util::UniqueFd, std::string>> dir = open_join_dir(sub, ::getpid());
    if (!dir)
      return std::move(dir).error();
    const std::string where = options_.mount_root + "/" + dir->second;
    os::CgroupEntry entry;
    util::Result<util::UniqueFd> v2 = reopen_v2_dir(dir->first.get(), where);
    if (!v2)
      return std::move(v2).error().wrap("join cgroup");
    util::Result<os::CgroupEntryFile> file =
        open_entry_file(dir->first.get(), "cgroup.procs", where + "/cgroup.procs", options_.fake);
    if (!file)
      return std::move(file).error().wrap("join cgroup");
    file->v2_fallback = true;
    entry.v2_dir = std::move(*v2);
    entry.v2_path = where;
    entry.files.push_back(std::move(*file));
    return entry;
  }

  util::Result<std::vector<int>> pids() const override {
    auto dir = open_dir(root_.get(), rel_);
    if (!dir)
      return std::move(dir).error();
    return read_pids_recursive(dir->get());
  }

  util::Status freeze() override { return set_frozen(true); }
  util::Status thaw() override { return set_frozen(false); }

  util::Status destroy() override { return remove_cgroup(root_.get(), rel_, options_.rmdir_timeout, options_.fake); }

 private:
  // The cgroup add_process() and open_entry() put a process in (the container's, or the
  // sub-cgroup --cgroup names), opened, with its path below the root; `pid` names the
  // process in the error for a missing sub-cgroup.
  [[nodiscard]] util::Result<std::pair<util::UniqueFd, std::string>> open_join_dir(const SubCgroups& sub,
                                                                                   int pid) const {
    std::string rel = rel_;
    for (const auto& [controller, path] : sub) {
      if (!controller.empty())  // one hierarchy: no per-controller paths (runc)
        return util::make_error("unknown controller `" + controller + "` in --cgroup", EINVAL);
      util::Result<std::string> in = sub_cgroup_path(rel_, path);
      if (!in)
        return std::move(in).error();
      rel = std::move(*in);
    }
    auto dir = open_dir(root_.get(), rel);
    if (!dir && dir.error().code == ENOENT && rel != rel_)
      return missing_sub_cgroup(pid, options_.mount_root + "/" + rel);
    if (!dir)
      return std::move(dir).error().wrap("join cgroup");
    return std::pair{std::move(*dir), std::move(rel)};
  }

  static spec::Resources complete(const spec::Resources& resources, int dir) {
    auto read = [dir](const std::string& /*controller*/, const std::string& file) { return read_file(dir, file); };
    return cgroups::with_current_pairs(resources, true, read);
  }

  util::Status set_frozen(bool frozen) {
    auto dir = open_dir(root_.get(), rel_);
    if (!dir)
      return std::move(dir).error();
    return set_frozen_v2(dir->get(), frozen, options_.freeze_timeout, options_.fake);
  }

  // Enables `needed` in cgroup.subtree_control of the root and of every ancestor of the
  // container's cgroup, top-down (a child can only enable what its parent passes down).
  util::Status enable_controllers(const std::set<std::string>& needed) {
    if (needed.empty())
      return {};
    std::vector<std::string> parts = components(rel_);
    parts.pop_back();  // not in the container's own cgroup
    std::string at = ".";
    for (size_t level = 0; level <= parts.size(); ++level) {
      if (level > 0)
        at = at == "." ? parts[level - 1] : at + "/" + parts[level - 1];
      auto dir = open_dir(root_.get(), at);
      if (!dir)
        return std::move(dir).error();
      auto available = read_file(dir->get(), "cgroup.controllers");
      if (!available)
        return std::move(available).error();
      auto enabled = read_file(dir->get(), "cgroup.subtree_control");
      if (!enabled)
        return std::move(enabled).error();
      const std::string where = at == "." ? "/" : "/" + at;
      for (const std::string& controller : needed) {
        if (has_word(*enabled, controller))
          continue;
        if (!has_word(*available, controller))
          return util::make_error("cgroup controller `" + controller + "` is not available in `" + where + "`", ENODEV);
        if (auto st = write_file(dir->get(), "cgroup.subtree_control", "+" + controller, options_.fake); !st)
          return std::move(st).error().wrap("enable controllers in `" + where + "`");
      }
    }
    return {};
  }

  util::Status apply(const Plan& plan, int dir) {
    std::set<std::string> needed;
    for (const Write& w : plan.writes)
      if (!w.controller.empty())
        needed.insert(w.controller);
    if (auto st = enable_controllers(needed); !st)
      return st;
    auto dir_for = [dir](const std::string&) -> util::Result<int> { return dir; };
    if (auto st = apply_writes(plan.writes, dir_for, options_.fake); !st)
      return st;
    if (!plan.device_rules)
      return {};
    auto program = build_device_program(*plan.device_rules);
    if (!program)
      return std::move(program).error();
    if (options_.fake)
      return {};  // a plain directory cannot take a bpf program
    // BPF_PROG_ATTACH wants a real open directory, not an O_PATH fd.
    util::UniqueFd cgroup(openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cgroup)
      return util::errno_error("open cgroup `" + path_ + "`");
    return attach_device_program(cgroup.get(), *program);
  }

  CgroupfsOptions options_;
  std::string path_;  // "/ocistart/abc"
  std::string rel_;   // "ocistart/abc"
  util::UniqueFd root_;
  std::vector<std::string> warnings_;
};

}  // namespace

util::Result<std::unique_ptr<Driver>> make_v2_driver(const CgroupfsOptions& options, std::string path) {
  auto root = open_dir(AT_FDCWD, options.mount_root);
  if (!root)
    return std::move(root).error();
  return std::unique_ptr<Driver>(std::make_unique<V2Driver>(options, std::move(path), std::move(*root)));
}

}  // namespace ocistart::cgroups::fs
