// --log-driver journald: the container's stdout and stderr as journal streams.
#pragma once

#include <string>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::systemd {

/// A stream to journald (sd_journal_stream_fd): every line written to it becomes an entry
/// with SYSLOG_IDENTIFIER=`identifier` and the given syslog `priority`. journald takes the
/// writer's unit and cgroup from the process that connects, so the container's init calls
/// this once it is in the container's cgroup: `journalctl -u <unit>` then shows its output.
/// Error: "connect to journald: ..." (no journald on this host).
[[nodiscard]] util::Result<util::UniqueFd> journal_stream(const std::string& identifier, int priority);

}  // namespace ocistart::systemd
