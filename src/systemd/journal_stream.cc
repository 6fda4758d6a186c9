#include "systemd/journal_stream.h"

#include <systemd/sd-journal.h>

namespace ocistart::systemd {

util::Result<util::UniqueFd> journal_stream(const std::string& identifier, int priority) {
  int fd = sd_journal_stream_fd(identifier.c_str(), priority, 0);
  if (fd < 0)
    return util::errno_error("connect to journald", -fd);
  return util::UniqueFd(fd);
}

}  // namespace ocistart::systemd
