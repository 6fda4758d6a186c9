#include "util/unique_fd.h"

#include <unistd.h>

namespace ocistart::util {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0)
    (void)::close(fd_);  // no retry on EINTR: the fd is gone either way on Linux
  fd_ = fd;
}

}  // namespace ocistart::util
