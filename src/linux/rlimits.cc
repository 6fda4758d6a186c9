#include "linux/rlimits.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "linux/procfs.h"
#include "spec/names.h"
#include "util/unique_fd.h"

namespace ocistart::os {
namespace {

std::string limit_text(uint64_t value) {
  return value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(value);
}

}  // namespace

util::Status apply_rlimits(const std::vector<spec::Rlimit>& rlimits) {
  for (const spec::Rlimit& limit : rlimits) {
    std::optional<int> resource = spec::rlimit_from_name(limit.type);
    if (!resource)
      return util::make_error("unknown rlimit `" + limit.type + "`", EINVAL);
    struct rlimit value {};
    value.rlim_cur = limit.soft;
    value.rlim_max = limit.hard;
    if (::setrlimit(static_cast<__rlimit_resource_t>(*resource), &value) == 0)
      continue;
    int e = errno;
    std::string what =
        "setrlimit `" + limit.type + "` soft=" + limit_text(limit.soft) + " hard=" + limit_text(limit.hard);
    util::Error error = util::errno_error(what, e);
    if (e == EPERM)
      error.message += " (the hard limit cannot be raised without CAP_SYS_RESOURCE)";
    else if (e == EINVAL && limit.soft > limit.hard)
      error.message += " (the soft limit is above the hard limit)";
    return error;
  }
  return {};
}

util::Status apply_oom_score_adj(int32_t score) {
  // exec's child sees the container's /proc: only a checked procfs (procfs.h).
  util::Result<util::UniqueFd> fd = open_proc_file("self/oom_score_adj", O_WRONLY);
  if (!fd)
    return std::move(fd).error();
  std::string text = std::to_string(score);
  ssize_t n = ::write(fd->get(), text.data(), text.size());
  if (n < 0) {
    int e = errno;
    util::Error error = util::errno_error("set oom_score_adj to " + text, e);
    if (e == EACCES || e == EPERM)
      error.message += " (lowering the OOM score needs CAP_SYS_RESOURCE)";
    return error;
  }
  if (static_cast<size_t>(n) != text.size())
    return util::make_error("set oom_score_adj to " + text + ": short write", EIO);
  return {};
}

}  // namespace ocistart::os
