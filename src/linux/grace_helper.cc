#include "linux/grace_helper.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

#include <cerrno>
#include <climits>
#include <cstddef>

#include "linux/raw_syscall.h"

namespace ocistart::os {
namespace {

constexpr size_t kCgroupFileMax = 8192;
// Where the cgroup2 hierarchy is: a hybrid host's place first, then v2's.
constexpr const char* kUnifiedMounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};

// Opens `mount` + the `len` bytes at `path` + "/cgroup.procs" for writing; -errno.
long open_procs(const char* mount, const char* path, size_t len) noexcept {
  char file[PATH_MAX];
  size_t n = 0;
  for (const char* c = mount; *c != '\0'; ++c)
    file[n++] = *c;
  if (n + len + sizeof "/cgroup.procs" > sizeof file)
    return -ENAMETOOLONG;
  for (size_t i = 0; i < len; ++i)
    file[n++] = path[i];
  for (const char* c = "/cgroup.procs"; *c != '\0'; ++c)
    file[n++] = *c;
  file[n] = '\0';
  for (size_t i = 0; i + 1 < n; ++i)
    if (file[i] == '.' && file[i + 1] == '.')
      return -EINVAL;
  return raw_syscall(SYS_openat, AT_FDCWD, arg(file), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
}

}  // namespace

const char* proc_cgroup_path(const char* text, const char* controllers, size_t* len) noexcept {
  for (const char* line = text; *line != '\0';) {
    const char* field = line;
    while (*field != '\0' && *field != '\n' && *field != ':')
      ++field;
    if (*field == ':') {
      const char* want = controllers;
      const char* c = field + 1;
      while (*want != '\0' && *c == *want)
        ++c, ++want;
      if (*want == '\0' && *c == ':') {
        const char* path = c + 1;
        *len = 0;
        while (path[*len] != '\0' && path[*len] != '\n')
          ++*len;
        return path;
      }
    }
    while (*line != '\0' && *line != '\n')
      ++line;
    if (*line == '\n')
      ++line;
  }
  return nullptr;
}

long open_own_cgroup_procs() noexcept {
  char text[kCgroupFileMax];
  long fd = raw_syscall(SYS_openat, AT_FDCWD, arg("/proc/self/cgroup"), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fd;
  size_t n = 0;
  for (long got = 1; got > 0 && n + 1 < sizeof text;) {
    got = raw_syscall(SYS_read, fd, arg(text + n), sizeof text - 1 - n);
    if (got > 0)
      n += static_cast<size_t>(got);
  }
  raw_syscall(SYS_close, fd);
  text[n] = '\0';
  long result = -ENOENT;
  size_t len = 0;
  if (const char* unified = proc_cgroup_path(text, "", &len); unified != nullptr)
    for (const char* mount : kUnifiedMounts) {
      result = open_procs(mount, unified, len);
      if (result >= 0)
        return result;
    }
  if (const char* named = proc_cgroup_path(text, "name=systemd", &len); named != nullptr)
    result = open_procs("/sys/fs/cgroup/systemd", named, len);
  return result;
}

void keep_grace_period(long procs_fd, const int* stop, long parent) noexcept {
  (void)raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  // A parent that died before the line above sent no signal.
  if (raw_syscall(SYS_getppid) != parent)
    for (;;)
      raw_syscall(SYS_exit, 0);
  // Nothing but the cgroup file: no copy of the caller's pipes, sockets and terminal held
  // open (an engine reading our stdout until EOF would wait for us). Its own fd table: a
  // fork, or a clone without CLONE_FILES. Before Linux 5.9 (ENOSYS) they stay.
  if (procs_fd > 0)
    (void)raw_syscall(SYS_close_range, 0, procs_fd - 1, 0);
  (void)raw_syscall(SYS_close_range, procs_fd + 1, ~0U, 0);
  for (int i = 0; i < kGraceMaxWrites; ++i) {
    if (stop != nullptr && __atomic_load_n(stop, __ATOMIC_ACQUIRE) != 0)
      break;
    (void)raw_syscall(SYS_write, procs_fd, arg("0"), 1);
    struct timespec wait {
      0, kGraceRewriteNs
    };
    if (stop != nullptr)
      (void)raw_syscall(SYS_futex, arg(stop), FUTEX_WAIT_PRIVATE, 0, arg(&wait));
    else
      (void)raw_syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, arg(&wait), 0);
  }
  for (;;)
    raw_syscall(SYS_exit, 0);
}

long fork_grace_helper() noexcept {
  const long fd = open_own_cgroup_procs();
  if (fd < 0)
    return fd;
  // A fork (its own copy of our memory) with no exit signal.
  const long parent = raw_syscall(SYS_getpid);
  const long pid = raw_syscall(SYS_clone, 0, 0, 0, 0, 0);
  if (pid == 0)
    keep_grace_period(fd, nullptr, parent);
  raw_syscall(SYS_close, fd);
  return pid;
}

}  // namespace ocistart::os
