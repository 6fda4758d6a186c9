// Namespaces: which ones the init creates by clone, which it unshares later, which it
// joins by path and in what order; uid/gid maps and time offsets written by the parent.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "linux/syscalls.h"
#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// CLONE_NEW* of a namespace type.
[[nodiscard]] uint64_t clone_flag(spec::NamespaceType type) noexcept;
/// The file name under /proc/<pid>/ns/: "pid", "net", "mnt", "ipc", "uts", "user",
/// "cgroup", "time".
[[nodiscard]] const char* proc_ns_name(spec::NamespaceType type) noexcept;

/// One namespace to join by path.
struct JoinTarget {
  spec::NamespaceType type = spec::NamespaceType::pid;
  std::string path;
};

/// One setns step of a join plan.
struct JoinStep {
  JoinTarget target;
  /// In the first pass EPERM is not fatal: the step is tried again after the user
  /// namespace is joined (see join_plan()).
  bool retry_after_user = false;
};

/// How the init gets its namespaces. Pure data, from plan_namespaces().
struct NamespacePlan {
  /// New namespaces created by clone3 itself: pid (the init must be pid 1 of it), user
  /// (so every other new namespace of the same clone is owned by it), mount, uts, ipc,
  /// network.
  uint64_t clone_flags = 0;
  /// A new cgroup namespace is unshared by the init only after the parent moved it into
  /// the container's cgroup, so that cgroup becomes the namespace's root.
  bool unshare_cgroup = false;
  /// A new time namespace: unshare(CLONE_NEWTIME) only sets the namespace for children;
  /// its offsets must be written before any process enters it, and the init itself
  /// enters it at execve (kernel >= 5.11 switches to time_for_children on exec).
  bool unshare_time = false;
  /// A pid namespace to join: setns(CLONE_NEWPID) only changes pid_for_children, so the
  /// parent does it around the clone of the init (and restores its own afterwards).
  std::string join_pid_path;
  /// Every other namespace given by path, joined by the init right after clone.
  std::vector<JoinTarget> joins;
  /// With a new user namespace, the net, ipc, uts and cgroup namespaces given by path are
  /// joined by the parent around the clone instead (NamespaceSwitch): inside the new user
  /// namespace the init could not join one owned by an ancestor (the host's network
  /// namespace, say), so the init is born in them, as runc's nsexec joins before it
  /// unshares the user namespace.
  std::vector<JoinTarget> parent_joins;
  bool new_user = false;  // CLONE_NEWUSER in clone_flags: the parent writes id maps
};

/// Computes the plan from linux.namespaces (already validated: no duplicate types).
[[nodiscard]] NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces);

/// The order in which `targets` are joined:
///  1. every non-user namespace in the order ipc, uts, net, pid, cgroup, time, mnt
///     (mnt last: setns(CLONE_NEWNS) replaces root and cwd; every fd is opened before the
///     first setns, so paths are resolved in the caller's mount namespace). When a user
///     namespace is to be joined too, these are marked retry_after_user: we try them
///     while we still hold our own user namespace's privileges (a namespace owned by an
///     ancestor user namespace, e.g. the host's network namespace, can only be joined
///     before we leave), and an EPERM is not fatal yet;
///  2. the user namespace — joining it grants every capability inside it;
///  3. the namespaces of step 1 that failed with EPERM, again: they are owned by the
///     joined user namespace (the usual case for `exec` into a container with one), and
///     now we hold CAP_SYS_ADMIN there.
/// Pure: the returned plan lists steps 1 and 2; step 3 is the retry of failed steps.
[[nodiscard]] std::vector<JoinStep> join_plan(const std::vector<JoinTarget>& targets);

/// Joins `targets` following join_plan(): opens every path first (O_RDONLY|O_CLOEXEC),
/// then setns with the expected type (so a wrong file is EINVAL, not a surprise), each
/// through `sys`. Errors: "join `net` namespace `/path`: setns `net`: operation not
/// permitted". Safe in the init.
[[nodiscard]] util::Status join_namespaces(Syscalls& sys, const std::vector<JoinTarget>& targets);
/// The same with RealSyscalls (for `exec`).
[[nodiscard]] util::Status join_namespaces(const std::vector<JoinTarget>& targets);

/// The namespaces of process `pid` that differ from ours (by inode), in /proc/<pid>/ns,
/// for `exec`. Types in `skip` are left out.
[[nodiscard]] util::Result<std::vector<JoinTarget>> namespaces_of(int pid);

/// The caller's namespaces switched for the duration of a clone: enter() joins one (for
/// pid: only pid_for_children), the destructor returns to the caller's own, in reverse.
/// The caller must be single-threaded (setns of net, ipc, uts, cgroup requires nothing
/// more; mnt is never switched: it would change the caller's root and cwd).
class NamespaceSwitch {
 public:
  NamespaceSwitch() = default;
  NamespaceSwitch(const NamespaceSwitch&) = delete;
  NamespaceSwitch& operator=(const NamespaceSwitch&) = delete;
  ~NamespaceSwitch();
  /// Errors: "join `net` namespace `/path`: setns: ...".
  [[nodiscard]] util::Status enter(const JoinTarget& target);

 private:
  std::vector<std::pair<int, util::UniqueFd>> own_;  // (nstype, our own namespace)
};

/// clone3 with `flags` and SIGCHLD as exit signal (none with CLONE_PARENT, as clone3
/// requires); like fork(): returns 0 in the child, the child's pid (in the caller's pid
/// namespace) in the parent. With `cgroup_fd` (a cgroup v2 directory) the child is born
/// in that cgroup (CLONE_INTO_CGROUP, Linux 5.7; older kernels fail with E2BIG).
[[nodiscard]] util::Result<int> clone_process(uint64_t flags, int cgroup_fd = -1);

/// Whether /proc/<pid>/setgroups must be set to "deny" before gid_map is written: only
/// when the writer lacks CAP_SETGID in the parent user namespace (an unprivileged
/// runtime, kernel >= 3.19). With it, setgroups stays "allow" so the container can use
/// additionalGids.
[[nodiscard]] bool setgroups_deny_required(bool writer_has_cap_setgid) noexcept;

/// Writes /proc/<pid>/uid_map and gid_map (setgroups "deny" first when required), each
/// with all its ranges in one write (os::format_id_map of linux/syscalls.h).
/// Called by the parent while the init waits on the sync socket.
[[nodiscard]] util::Status write_id_maps(int pid, const std::vector<spec::IdMapping>& uid_mappings,
                                         const std::vector<spec::IdMapping>& gid_mappings);

/// Lines of /proc/<pid>/timens_offsets: "monotonic <secs> <nanosecs>\n", "boottime ...".
/// Unknown clock names are an error (EINVAL).
[[nodiscard]] util::Result<std::string> format_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets);

/// Writes the time offsets of `pid`'s time_for_children namespace (the parent does this
/// after the init unshared CLONE_NEWTIME and before anything entered it).
[[nodiscard]] util::Status write_time_offsets(int pid, const std::map<std::string, spec::TimeOffset>& offsets);

}  // namespace ocistart::os
