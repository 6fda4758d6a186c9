#include "linux/cgroup_entry.h"

#include <unistd.h>

#include <cerrno>

#include "linux/namespaces.h"

namespace ocistart::os {

util::Result<int> clone_into(uint64_t flags, const CgroupEntry& entry, bool* born_in) {
  *born_in = false;
  if (entry.v2_dir.valid()) {
    util::Result<int> pid = clone_process(flags, entry.v2_dir.get());
    if (pid) {
      *born_in = true;
      return pid;
    }
    if (pid.error().code != E2BIG)
      return std::move(pid).error().wrap("clone3 into cgroup `" + entry.v2_path + "`");
    // A kernel before 5.7: the process writes the v2 cgroup.procs itself (enter_cgroup).
  }
  return clone_process(flags);
}

util::Status enter_cgroup(CgroupEntry& entry, bool born_in) {
  util::Status first;
  for (CgroupEntryFile& f : entry.files) {
    if (first && !(f.v2_fallback && born_in)) {
      ssize_t n;
      do {
        n = ::write(f.fd.get(), "0", 1);
      } while (n < 0 && errno == EINTR);
      if (n < 0)
        first = util::errno_error("enter cgroup: write `" + f.path + "`");
    }
    f.fd.reset();
  }
  entry.v2_dir.reset();
  return first;
}

}  // namespace ocistart::os
