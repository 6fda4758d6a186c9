// Raw system calls only (raw_syscall.h): this file is also the static launcher's.
#include "linux/sealed_fd.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>

#include "linux/raw_syscall.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3: executable even under vm.memfd_noexec=1
#endif

namespace ocistart::os {
namespace {

// Appends the decimal digits of `v` at `out`; returns the end.
char* put_decimal(char* out, unsigned long long v) noexcept {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    *out++ = digits[--n];
  return out;
}

}  // namespace

int read_only_clone(int fd) noexcept {
  long tree = raw_syscall(SYS_open_tree, fd, arg(""), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return static_cast<int>(tree);
  struct mount_attr attr = {MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, 0};
  long r = raw_syscall(SYS_mount_setattr, tree, arg(""), AT_EMPTY_PATH, arg(&attr), sizeof attr);
  if (r < 0) {
    raw_syscall(SYS_close, tree);
    return static_cast<int>(r);
  }
  return static_cast<int>(tree);
}

int sealed_memfd_copy(int fd, const char** step) noexcept {
  auto fail = [&](const char* what, long err, long copy) {
    *step = what;
    if (copy >= 0)
      raw_syscall(SYS_close, copy);
    return static_cast<int>(err);
  };
  struct stat st {};
  if (long r = raw_syscall(SYS_fstat, fd, arg(&st)); r < 0)
    return fail("fstat the binary", r, -1);
  char name[64] = {};
  char* end = name;
  for (const char* p = kSealedCopyPrefix; *p != '\0'; ++p)
    *end++ = *p;
  end = put_decimal(end, static_cast<unsigned long long>(st.st_dev));
  *end++ = ':';
  end = put_decimal(end, static_cast<unsigned long long>(st.st_ino));
  *end = '\0';
  long copy = raw_syscall(SYS_memfd_create, arg(name), MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (copy == -EINVAL)  // before Linux 6.3, where every memfd is executable
    copy = raw_syscall(SYS_memfd_create, arg(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0)
    return fail("memfd_create", copy, -1);
  long long offset = 0;
  while (offset < st.st_size) {
    long n = raw_syscall(SYS_sendfile, copy, fd, arg(&offset), static_cast<long>(st.st_size - offset));
    if (n == -EINTR)
      continue;
    if (n <= 0)
      return fail("copy the binary into a memfd", n == 0 ? -EIO : n, copy);
  }
  if (long r = raw_syscall(SYS_fcntl, copy, F_ADD_SEALS, kSealedCopySeals); r < 0)
    return fail("seal the memfd", r, copy);
  return static_cast<int>(copy);
}

}  // namespace ocistart::os
