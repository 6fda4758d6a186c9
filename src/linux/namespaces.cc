#include "linux/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "linux/id_map_helpers.h"
#include "linux/syscalls.h"
#include "util/fs.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace ocistart::os {
namespace {

using spec::NamespaceType;

// The join order of step 1 (see join_plan()).
constexpr std::array<NamespaceType, 7> kJoinOrder = {NamespaceType::ipc,  NamespaceType::uts,    NamespaceType::network,
                                                     NamespaceType::pid,  NamespaceType::cgroup, NamespaceType::time,
                                                     NamespaceType::mount};

// The kernel's struct clone_args, version 0 (64 bytes); declared here so that no kernel
// header has to be mixed with glibc's <sched.h>.
struct CloneArgs {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;  // version 1 (80 bytes)
  uint64_t set_tid_size;
  uint64_t cgroup;  // version 2 (88 bytes): CLONE_INTO_CGROUP's fd
};

constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;
constexpr size_t kCloneArgsV0 = 64;

std::string join_context(const JoinTarget& t) {
  return std::string("join `") + proc_ns_name(t.type) + "` namespace `" + t.path + "`";
}

}  // namespace

uint64_t clone_flag(NamespaceType type) noexcept {
  switch (type) {
    case NamespaceType::pid:
      return CLONE_NEWPID;
    case NamespaceType::network:
      return CLONE_NEWNET;
    case NamespaceType::mount:
      return CLONE_NEWNS;
    case NamespaceType::ipc:
      return CLONE_NEWIPC;
    case NamespaceType::uts:
      return CLONE_NEWUTS;
    case NamespaceType::user:
      return CLONE_NEWUSER;
    case NamespaceType::cgroup:
      return CLONE_NEWCGROUP;
    case NamespaceType::time:
      return CLONE_NEWTIME;
  }
  return 0;
}

const char* proc_ns_name(NamespaceType type) noexcept {
  switch (type) {
    case NamespaceType::pid:
      return "pid";
    case NamespaceType::network:
      return "net";
    case NamespaceType::mount:
      return "mnt";
    case NamespaceType::ipc:
      return "ipc";
    case NamespaceType::uts:
      return "uts";
    case NamespaceType::user:
      return "user";
    case NamespaceType::cgroup:
      return "cgroup";
    case NamespaceType::time:
      return "time";
  }
  return "?";
}

NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces) {
  NamespacePlan plan;
  for (const spec::Namespace& ns : namespaces) {
    if (!ns.path.empty()) {
      if (ns.type == NamespaceType::pid)
        plan.join_pid_path = ns.path;
      else
        plan.joins.push_back(JoinTarget{ns.type, ns.path});
      continue;
    }
    switch (ns.type) {
      case NamespaceType::cgroup:
        plan.unshare_cgroup = true;
        break;
      case NamespaceType::time:
        plan.unshare_time = true;
        break;
      case NamespaceType::user:
        plan.new_user = true;
        plan.clone_flags |= CLONE_NEWUSER;
        break;
      default:
        plan.clone_flags |= clone_flag(ns.type);
        break;
    }
  }
  if (plan.new_user) {
    auto by_parent = [](const JoinTarget& t) {
      return t.type == NamespaceType::network || t.type == NamespaceType::ipc || t.type == NamespaceType::uts ||
             t.type == NamespaceType::cgroup;
    };
    for (const JoinTarget& t : plan.joins)
      if (by_parent(t))
        plan.parent_joins.push_back(t);
    std::erase_if(plan.joins, by_parent);
  }
  return plan;
}

NamespaceSwitch::~NamespaceSwitch() {
  for (auto it = own_.rbegin(); it != own_.rend(); ++it)
    (void)::setns(it->second.get(), it->first);
}

util::Status NamespaceSwitch::enter(const JoinTarget& target) {
  // pid: setns only changes pid_for_children, which is what we have to give back.
  std::string own_path = std::string("/proc/self/ns/") +
                         (target.type == NamespaceType::pid ? "pid_for_children" : proc_ns_name(target.type));
  int nstype = static_cast<int>(clone_flag(target.type));
  util::UniqueFd own(::open(own_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!own)
    return util::errno_error("open `" + own_path + "`").wrap(join_context(target));
  util::UniqueFd fd(::open(target.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd)
    return util::errno_error("open").wrap(join_context(target));
  if (::setns(fd.get(), nstype) < 0)
    return util::errno_error("setns").wrap(join_context(target));
  own_.emplace_back(nstype, std::move(own));
  return {};
}

std::vector<JoinStep> join_plan(const std::vector<JoinTarget>& targets) {
  const JoinTarget* user = nullptr;
  for (const JoinTarget& t : targets)
    if (t.type == NamespaceType::user)
      user = &t;
  std::vector<JoinStep> steps;
  for (NamespaceType type : kJoinOrder)
    for (const JoinTarget& t : targets)
      if (t.type == type)
        steps.push_back(JoinStep{t, user != nullptr});
  if (user != nullptr)
    steps.push_back(JoinStep{*user, false});
  return steps;
}

util::Status join_namespaces(Syscalls& sys, const std::vector<JoinTarget>& targets) {
  std::vector<JoinStep> steps = join_plan(targets);
  // Open everything first: after setns(CLONE_NEWNS) the paths would resolve elsewhere.
  std::vector<util::UniqueFd> fds;
  fds.reserve(steps.size());
  for (const JoinStep& s : steps) {
    int fd = ::open(s.target.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return util::errno_error("open").wrap(join_context(s.target));
    fds.emplace_back(fd);
  }
  std::vector<size_t> retry;
  for (size_t i = 0; i < steps.size(); ++i) {
    int nstype = static_cast<int>(clone_flag(steps[i].target.type));
    util::Status s = sys.setns(fds[i].get(), nstype);
    if (s) {
      fds[i].reset();
      continue;
    }
    if (s.error().code == EPERM && steps[i].retry_after_user) {
      retry.push_back(i);
      continue;
    }
    return std::move(s).error().wrap(join_context(steps[i].target));
  }
  for (size_t i : retry) {
    int nstype = static_cast<int>(clone_flag(steps[i].target.type));
    if (util::Status s = sys.setns(fds[i].get(), nstype); !s)
      return std::move(s).error().wrap("after joining the user namespace").wrap(join_context(steps[i].target));
  }
  return {};
}

util::Status join_namespaces(const std::vector<JoinTarget>& targets) {
  RealSyscalls sys;
  return join_namespaces(sys, targets);
}

util::Result<std::vector<JoinTarget>> namespaces_of(int pid) {
  std::vector<JoinTarget> out;
  for (NamespaceType type : {NamespaceType::user, NamespaceType::ipc, NamespaceType::uts, NamespaceType::network,
                             NamespaceType::pid, NamespaceType::cgroup, NamespaceType::time, NamespaceType::mount}) {
    std::string theirs = "/proc/" + std::to_string(pid) + "/ns/" + proc_ns_name(type);
    std::string ours = std::string("/proc/self/ns/") + proc_ns_name(type);
    struct stat a {
    }, b{};
    if (::stat(theirs.c_str(), &a) < 0) {
      if (errno == ENOENT && type == NamespaceType::time)
        continue;  // kernel without time namespaces
      return util::errno_error("stat `" + theirs + "`");
    }
    if (::stat(ours.c_str(), &b) < 0)
      return util::errno_error("stat `" + ours + "`");
    if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
      continue;
    out.push_back(JoinTarget{type, theirs});
  }
  return out;
}

util::Result<int> clone_process(uint64_t flags, int cgroup_fd) {
  CloneArgs args{};
  args.flags = flags;
  // clone3 refuses an exit signal with CLONE_PARENT: the child then signals our parent
  // the way we would.
  args.exit_signal = (flags & CLONE_PARENT) != 0 ? 0 : SIGCHLD;
  size_t size = kCloneArgsV0;  // what every kernel with clone3 takes
  if (cgroup_fd >= 0) {
    args.flags |= kCloneIntoCgroup;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
    size = sizeof args;
  }
  long r = ::syscall(SYS_clone3, &args, size);
  if (r < 0)
    return util::errno_error("clone3");
  return static_cast<int>(r);
}

bool setgroups_deny_required(bool writer_has_cap_setgid) noexcept { return !writer_has_cap_setgid; }

util::Status write_id_maps(int pid, const std::vector<spec::IdMapping>& uid_mappings,
                           const std::vector<spec::IdMapping>& gid_mappings) {
  // Rootless, mapping more than its own id: the setuid helpers check /etc/subuid and
  // /etc/subgid and write the map (newgidmap decides about setgroups itself).
  const bool root = ::geteuid() == 0;
  const bool uid_helper = !root && !uid_mappings.empty() && !maps_only_own_id(uid_mappings, ::geteuid());
  const bool gid_helper = !root && !gid_mappings.empty() && !maps_only_own_id(gid_mappings, ::getegid());
  if (uid_helper)
    if (util::Status s = run_id_map_helper("newuidmap", pid, uid_mappings,
                                           "the uid mappings need more than uid " + std::to_string(::geteuid()));
        !s)
      return s;
  if (gid_helper)
    if (util::Status s = run_id_map_helper("newgidmap", pid, gid_mappings,
                                           "the gid mappings need more than gid " + std::to_string(::getegid()));
        !s)
      return s;
  std::string base = "/proc/" + std::to_string(pid) + "/";
  // Root in the initial user namespace has CAP_SETGID there; anything else is treated as
  // unprivileged (the kernel refuses an unprivileged gid_map while setgroups is allowed).
  if (!gid_helper && setgroups_deny_required(root)) {
    util::Status s = util::write_file(base + "setgroups", "deny");
    if (!s)
      return std::move(s).error().wrap("write `setgroups`");
  }
  // Each file takes all its ranges in one write(2).
  if (!uid_helper && !uid_mappings.empty()) {
    util::Status s = util::write_file(base + "uid_map", format_id_map(uid_mappings));
    if (!s)
      return std::move(s).error().wrap("write uid mappings");
  }
  if (!gid_helper && !gid_mappings.empty()) {
    util::Status s = util::write_file(base + "gid_map", format_id_map(gid_mappings));
    if (!s)
      return std::move(s).error().wrap("write gid mappings");
  }
  return {};
}

util::Result<std::string> format_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets) {
  std::string out;
  for (const auto& [clock, off] : offsets) {
    if (clock != "monotonic" && clock != "boottime")
      return util::make_error("unknown clock `" + clock + "` in linux.timeOffsets", EINVAL);
    out += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
  }
  return out;
}

util::Status write_time_offsets(int pid, const std::map<std::string, spec::TimeOffset>& offsets) {
  util::Result<std::string> text = format_time_offsets(offsets);
  if (!text)
    return std::move(text).error();
  if (text->empty())
    return {};
  util::Status s = util::write_file("/proc/" + std::to_string(pid) + "/timens_offsets", *text);
  if (!s)
    return std::move(s).error().wrap("write time offsets");
  return {};
}

}  // namespace ocistart::os
