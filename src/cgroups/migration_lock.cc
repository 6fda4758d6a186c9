#include "cgroups/migration_lock.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "linux/raw_syscall.h"
#include "util/fs.h"
#include "util/proc_cgroup.h"

namespace ocistart::cgroups {
namespace {

constexpr size_t kHelperStack = 64 * 1024;
// The helper's pid, for reap_migration_helper().
int helper_pid = 0;

// The helper: one write, then exit, with raw system calls only (it shares our memory and
// has no thread state of its own: no errno, no lock of the C library).
int write_zero(void* arg) {
  const long fd = reinterpret_cast<intptr_t>(arg);
  (void)os::raw_syscall(SYS_write, fd, os::arg("0"), 1);
  os::raw_syscall(SYS_exit, 0);
  return 0;
}

// cgroup.procs of our own cgroup in the cgroup2 hierarchy (v2, or hybrid's `unified`),
// else in name=systemd's, from /proc/self/cgroup; -1 when none can be opened.
int own_cgroup_procs() {
  util::Result<std::string> text = util::read_file("/proc/self/cgroup");
  if (!text)
    return -1;
  std::string unified, named;
  for (const util::ProcCgroupEntry& entry : util::parse_proc_cgroup(*text)) {
    if (entry.unified())
      unified = entry.path;
    else if (entry.controllers == "name=systemd")
      named = entry.path;
  }
  for (const std::string& path :
       {"/sys/fs/cgroup/unified" + unified, "/sys/fs/cgroup" + unified, "/sys/fs/cgroup/systemd" + named}) {
    if (path.find("..") != std::string::npos)
      continue;
    int fd = ::open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0)
      return fd;
  }
  return -1;
}

}  // namespace

void start_migration_grace_period() noexcept {
  try {
    const int fd = own_cgroup_procs();
    if (fd < 0)
      return;
    void* stack = ::mmap(nullptr, kHelperStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack != MAP_FAILED) {
      // A process of its own (not a thread: it holds no lock the init cloned meanwhile
      // could inherit), sharing our memory so that starting it copies nothing; no exit
      // signal, so no wait(2) of ours but reap_migration_helper()'s sees it.
      int pid = ::clone(write_zero, static_cast<char*>(stack) + kHelperStack, CLONE_VM,
                        reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
      if (pid > 0)
        helper_pid = pid;
      else
        ::munmap(stack, kHelperStack);
    }
    ::close(fd);
  } catch (...) {
    // Best effort: nothing to undo.
  }
}

void reap_migration_helper() noexcept {
  if (helper_pid > 0 && ::waitpid(helper_pid, nullptr, __WALL | WNOHANG) == helper_pid)
    helper_pid = 0;
}

}  // namespace ocistart::cgroups
