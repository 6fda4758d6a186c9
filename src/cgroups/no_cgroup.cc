#include "cgroups/no_cgroup.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "spec/effective_resources.h"

namespace ocistart::cgroups {
namespace {

util::Error no_cgroup(const char* what) {
  return util::make_error(std::string(what) +
                              ": the container has no cgroup of its own (rootless, and no cgroup is "
                              "delegated to this user)",
                          ENOTSUP);
}

class NoCgroupDriver final : public Driver {
 public:
  explicit NoCgroupDriver(int init_pid) : init_pid_(init_pid) {}
  std::string_view name() const override { return "none"; }
  const std::string& path() const override { return path_; }
  util::Status create(int pid, const spec::Resources* resources) override {
    init_pid_ = pid;
    if (resources != nullptr)
      if (std::optional<std::string> limit = first_limit(*resources))
        return util::make_error("rootless needs a delegated cgroup: linux.resources." + *limit +
                                    " is set and no cgroup of this user's can hold it",
                                EPERM);
    return {};
  }
  util::Status update(const spec::Resources& /*resources*/) override { return no_cgroup("update"); }
  util::Result<ExistingCgroup> inspect_existing() const override { return ExistingCgroup{}; }
  util::Status check_resources(const spec::Resources& /*resources*/) const override { return {}; }
  using Driver::add_process;
  util::Status add_process(int /*pid*/, const SubCgroups& sub) override {
    if (!sub.empty())
      return no_cgroup("exec --cgroup");
    return {};
  }
  util::Result<std::vector<int>> pids() const override {
    if (init_pid_ <= 0)
      return std::vector<int>{};
    return pid_namespace_members(init_pid_);
  }
  util::Status freeze() override { return no_cgroup("pause"); }
  util::Status thaw() override { return no_cgroup("resume"); }
  util::Status destroy() override { return {}; }

 private:
  std::string path_;
  int init_pid_ = 0;
};

// The pid namespace of /proc/<pid>, as its ns/pid link's inode and device.
std::optional<std::pair<dev_t, ino_t>> pid_namespace(const std::string& proc, const std::string& pid) {
  struct stat st {};
  if (::stat((proc + "/" + pid + "/ns/pid").c_str(), &st) < 0)
    return std::nullopt;
  return std::pair{st.st_dev, st.st_ino};
}

template <class T>
bool set(const std::optional<T>& v) {
  return v.has_value();
}

}  // namespace

std::unique_ptr<Driver> make_no_cgroup_driver(int init_pid) { return std::make_unique<NoCgroupDriver>(init_pid); }

std::vector<int> pid_namespace_members(int pid, const std::string& proc) {
  const std::string init = std::to_string(pid);
  struct stat st {};
  if (::stat((proc + "/" + init).c_str(), &st) < 0)
    return {};
  std::optional<std::pair<dev_t, ino_t>> ns = pid_namespace(proc, init);
  if (!ns || ns == pid_namespace(proc, "self"))
    return {pid};
  std::vector<int> out;
  DIR* dir = ::opendir(proc.c_str());
  if (dir == nullptr)
    return {pid};
  while (const struct dirent* e = ::readdir(dir)) {
    int n = 0;
    auto [end, ec] = std::from_chars(e->d_name, e->d_name + std::strlen(e->d_name), n);
    if (ec == std::errc() && *end == '\0' && n > 0 && pid_namespace(proc, e->d_name) == ns)
      out.push_back(n);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> first_limit(const spec::Resources& resources) {
  const spec::Resources r = spec::effective_resources(resources);
  if (const spec::Memory* m = r.memory ? &*r.memory : nullptr) {
    if (set(m->limit))
      return "memory.limit";
    if (set(m->reservation))
      return "memory.reservation";
    if (set(m->swap))
      return "memory.swap";
    if (set(m->kernel) || set(m->kernel_tcp))
      return "memory.kernel";
    if (set(m->swappiness))
      return "memory.swappiness";
    if (m->disable_oom_killer.value_or(false))
      return "memory.disableOOMKiller";
  }
  if (const spec::Cpu* c = r.cpu ? &*r.cpu : nullptr) {
    if (set(c->shares))
      return "cpu.shares";
    if (set(c->quota) || set(c->period) || set(c->burst))
      return "cpu.quota";
    if (set(c->realtime_runtime) || set(c->realtime_period))
      return "cpu.realtimeRuntime";
    if (!c->cpus.empty() || !c->mems.empty())
      return "cpu.cpus";
    if (set(c->idle))
      return "cpu.idle";
  }
  if (r.pids && set(r.pids->limit))
    return "pids.limit";
  if (const spec::BlockIo* b = r.block_io ? &*r.block_io : nullptr)
    if (set(b->weight) || set(b->leaf_weight) || !b->weight_device.empty() || !b->throttle_read_bps_device.empty() ||
        !b->throttle_write_bps_device.empty() || !b->throttle_read_iops_device.empty() ||
        !b->throttle_write_iops_device.empty())
      return "blockIO";
  if (!r.hugepage_limits.empty())
    return "hugepageLimits";
  if (r.network && (set(r.network->class_id) || !r.network->priorities.empty()))
    return "network";
  if (!r.rdma.empty())
    return "rdma";
  if (!r.unified.empty())
    return "unified";
  return std::nullopt;
}

}  // namespace ocistart::cgroups
