// apply_process_attributes: the order of the steps is the point of this file.
//
//  1. rlimits           while the init still holds CAP_SYS_RESOURCE (if the runtime has it):
//                       raising a hard limit needs it, and RLIMIT_NPROC must be in place
//                       before the uid switch counts processes against it.
//  2. oomScoreAdj       lowering the score needs CAP_SYS_RESOURCE too.
//  3. personality       unprivileged, but part of the execution domain set up before exec.
//  4. ioPriority        IOPRIO_CLASS_RT needs CAP_SYS_ADMIN.
//  5. scheduler         realtime policies and negative nice need CAP_SYS_NICE.
//  6. CPU affinity      execCPUAffinity.initial.
//  7. exec labels       AppArmor / SELinux labels written to /proc/thread-self/attr; they
//                       take effect at execve, so writing them early is fine, and the
//                       write needs privileges the container user may not have.
//  8. umask             0022 when the config has none (what runc does).
//  9. seccomp, when noNewPrivileges is false: loading a filter without NO_NEW_PRIVS needs
//                       CAP_SYS_ADMIN, which is gone after step 10 (runc's order). The
//                       profile must then allow the syscalls of steps 10-11, and with a
//                       NOTIFY rule the listener fd must reach the agent before them
//                       (apply_process_attributes_with_listener).
// 10. bounding set      PR_CAPBSET_DROP needs CAP_SETPCAP, so before the uid switch;
//     groups, gid, uid  with PR_SET_KEEPCAPS so the permitted set survives the switch;
//     capability sets   effective/permitted/inheritable, then ambient; not dumpable
//                       again (the uid switch may have made us so).
// 11. noNewPrivileges, then seccomp as the very last step: with NO_NEW_PRIVS no privilege
//                       is needed, and the fewer syscalls run under the filter, the fewer a
//                       profile has to allow (runc orders it the same way).
#include "linux/process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "build_config.h"
#include "linux/caps.h"
#include "linux/procfs.h"
#include "linux/rlimits.h"
#include "linux/scheduling.h"
#include "linux/seccomp_filter.h"
#include "linux/user.h"

namespace ocistart::os {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr mode_t kDefaultUmask = 0022;

// One write of `data` to /proc/thread-self/attr/`rel` (labels are per thread), through a
// checked procfs: exec's child sees the container's /proc (procfs.h).
util::Status write_attr(const std::string& rel, std::string_view data) {
  util::Result<util::UniqueFd> fd = open_proc_file("thread-self/attr/" + rel, O_WRONLY);
  if (!fd)
    return std::move(fd).error();
  if (::write(fd->get(), data.data(), data.size()) < 0)
    return util::errno_error("write `/proc/thread-self/attr/" + rel + "`");
  return {};
}

util::Status apply_apparmor_profile(const std::string& profile) {
#if OCISTART_HAVE_APPARMOR
  // "exec <profile>" makes the next execve change to the profile. Kernels with LSM stacking
  // have an AppArmor-specific file; older ones only the shared one.
  std::string data = "exec " + profile;
  util::Status s = write_attr("apparmor/exec", data);
  if (!s && s.error().code == ENOENT)
    s = write_attr("exec", data);
  if (!s)
    return std::move(s).error().wrap("apparmor profile `" + profile + "`");
  return {};
#else
  return util::make_error(
      "apparmor profile `" + profile + "` requested but ocistart was built without AppArmor support", ENOTSUP);
#endif
}

util::Status apply_selinux_label(const std::string& label) {
#if OCISTART_HAVE_SELINUX
  if (util::Status s = write_attr("exec", label); !s)
    return std::move(s).error().wrap("selinux label `" + label + "`");
  return {};
#else
  return util::make_error("selinux label `" + label + "` requested but ocistart was built without SELinux support",
                          ENOTSUP);
#endif
}

util::Status load_seccomp(Syscalls& sys, const spec::Seccomp& seccomp, const NotifyFdSink& send_notify_fd) {
  util::Result<SeccompFilter> filter = build_seccomp_filter(seccomp);
  if (!filter)
    return std::move(filter).error();
  util::Result<util::UniqueFd> listener = sys.load_seccomp(*filter);
  if (!listener)
    return std::move(listener).error();
  if (listener->valid() && send_notify_fd)
    return send_notify_fd(std::move(*listener));
  return {};
}

// Steps 10: bounding set, user switch, capability sets.
util::Status apply_user_and_caps(Syscalls& sys, const spec::Process& process) {
  // No capabilities object means no capabilities: every set empty, the bounding set too
  // (runc and crun do the same). Leaving the runtime's sets would give the container every
  // capability the runtime holds because a member is missing.
  const spec::Capabilities none;
  const spec::Capabilities& caps = process.capabilities ? *process.capabilities : none;
  int last_cap = kernel_last_cap();
  util::Result<CapabilitySets> sets = compute_capability_sets(caps, last_cap);
  if (!sets)
    return std::move(sets).error();
  if (util::Status s = drop_bounding_set(sys, *sets, last_cap); !s)
    return s;
  if (util::Status s = switch_user(sys, process.user, true); !s)
    return s;
  return apply_capability_sets(sys, *sets, last_cap);
}

}  // namespace

util::Status apply_process_attributes_with_listener(Syscalls& sys, const spec::Process& process,
                                                    const spec::Linux* linux_config,
                                                    const NotifyFdSink& send_notify_fd) {
  const spec::Seccomp* seccomp = linux_config != nullptr && linux_config->seccomp ? &*linux_config->seccomp : nullptr;

  if (util::Status s = apply_rlimits(process.rlimits); !s)
    return s;
  if (process.oom_score_adj)
    if (util::Status s = apply_oom_score_adj(*process.oom_score_adj); !s)
      return s;
  if (linux_config != nullptr && linux_config->personality)
    if (util::Status s = apply_personality(*linux_config->personality); !s)
      return s;
  if (process.io_priority)
    if (util::Status s = apply_io_priority(*process.io_priority); !s)
      return s;
  if (process.scheduler)
    if (util::Status s = apply_scheduler(*process.scheduler); !s)
      return s;
  if (process.exec_cpu_affinity && !process.exec_cpu_affinity->initial.empty())
    if (util::Status s = apply_cpu_affinity(process.exec_cpu_affinity->initial); !s)
      return s;
  if (!process.apparmor_profile.empty())
    if (util::Status s = apply_apparmor_profile(process.apparmor_profile); !s)
      return s;
  if (!process.selinux_label.empty())
    if (util::Status s = apply_selinux_label(process.selinux_label); !s)
      return s;
  (void)::umask(process.user.umask ? static_cast<mode_t>(*process.user.umask & 07777) : kDefaultUmask);

  if (seccomp != nullptr && !process.no_new_privileges)
    if (util::Status s = load_seccomp(sys, *seccomp, send_notify_fd); !s)
      return s;

  if (util::Status s = apply_user_and_caps(sys, process); !s)
    return s;
  // A change of uid makes the kernel reset "dumpable" to fs.suid_dumpable, which may be 1:
  // the init waits on exec.fifo after this, and until its execve /proc/<pid>/exe is the
  // runtime's binary (CVE-2019-5736): not dumpable again, or no container at all.
  if (util::Status s = sys.prctl(PR_SET_DUMPABLE, 0, 0); !s)
    return s;

  if (process.no_new_privileges)
    if (util::Status s = sys.prctl(PR_SET_NO_NEW_PRIVS, 1, 0); !s)
      return s;
  if (seccomp != nullptr && process.no_new_privileges)
    if (util::Status s = load_seccomp(sys, *seccomp, send_notify_fd); !s)
      return s;
  return {};
}

util::Status apply_process_attributes_with_listener(const spec::Process& process, const spec::Linux* linux_config,
                                                    const NotifyFdSink& send_notify_fd) {
  RealSyscalls sys;
  return apply_process_attributes_with_listener(sys, process, linux_config, send_notify_fd);
}

util::Status apply_process_attributes(const spec::Process& process, const spec::Linux* linux_config,
                                      util::UniqueFd* notify_fd) {
  NotifyFdSink keep;
  if (notify_fd != nullptr)
    keep = [notify_fd](util::UniqueFd listener) -> util::Status {
      *notify_fd = std::move(listener);
      return {};
    };
  return apply_process_attributes_with_listener(process, linux_config, keep);
}

util::Status exec_process(const spec::Process& process) {
  if (!process.cwd.empty() && ::chdir(process.cwd.c_str()) < 0)
    return util::errno_error("chdir `" + process.cwd + "`");
  if (process.args.empty())
    return util::make_error("exec: process.args is empty", EINVAL);

  std::vector<char*> argv;
  for (const std::string& a : process.args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  std::string_view search_path = kDefaultPath;
  bool path_seen = false;
  for (const std::string& e : process.env) {
    envp.push_back(const_cast<char*>(e.c_str()));
    if (!path_seen && std::string_view(e).substr(0, 5) == "PATH=") {
      search_path = std::string_view(e).substr(5);
      path_seen = true;
    }
  }
  envp.push_back(nullptr);

  const std::string& name = process.args.front();
  if (name.empty())
    return util::errno_error("exec `" + name + "`", ENOENT);
  if (name.find('/') != std::string::npos) {
    ::execve(name.c_str(), argv.data(), envp.data());
    return util::errno_error("exec `" + name + "`");
  }

  // execvpe's search, but over the container's PATH rather than the runtime's: an empty
  // entry is the working directory; EACCES is remembered and reported only if nothing else
  // runs; errors other than "not there" stop the search.
  bool denied = false;
  while (true) {
    size_t colon = search_path.find(':');
    std::string_view dir = search_path.substr(0, colon);
    std::string candidate = dir.empty() ? name : std::string(dir) + "/" + name;
    ::execve(candidate.c_str(), argv.data(), envp.data());
    int e = errno;
    if (e == EACCES)
      denied = true;
    else if (e != ENOENT && e != ENOTDIR && e != ESTALE && e != ENODEV && e != ETIMEDOUT)
      return util::errno_error("exec `" + candidate + "`", e);
    if (colon == std::string_view::npos)
      break;
    search_path.remove_prefix(colon + 1);
  }
  if (denied)
    return util::errno_error("exec `" + name + "`", EACCES);
  return util::make_error("exec `" + name + "`: executable file not found in $PATH", ENOENT);
}

}  // namespace ocistart::os
