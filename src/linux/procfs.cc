#include "linux/procfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace ocistart::os {
namespace {

constexpr ino_t kProcRootInode = 1;  // PROC_ROOT_INO

}  // namespace

util::Result<util::UniqueFd> open_proc_file(const std::string& rel, int flags) {
  const std::string name = "/proc/" + rel;
  util::UniqueFd proc(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!proc)
    return util::errno_error("open /proc").wrap(name);
  struct statfs fs {};
  struct stat st {};
  if (::fstatfs(proc.get(), &fs) < 0 || ::fstat(proc.get(), &st) < 0)
    return util::errno_error("stat /proc").wrap(name);
  if (fs.f_type != PROC_SUPER_MAGIC || st.st_ino != kProcRootInode)
    return util::make_error(name + ": /proc is not a procfs root", EPERM);
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH;
  int fd = static_cast<int>(::syscall(SYS_openat2, proc.get(), rel.c_str(), &how, sizeof how));
  if (fd < 0)
    return util::errno_error("open `" + name + "`");
  return util::UniqueFd(fd);
}

}  // namespace ocistart::os
