// The journal reader of `logs` and `status` over sd-journal: built only with libsystemd,
// into the systemd module (src/meson.build); the binary reaches it through
// runtime::HostIntegration::read_journal. The formatters are journal_format.cc.
#include <poll.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <limits>
#include <memory>

#include "systemd/journal_reader.h"

namespace ocistart::systemd {

namespace {

struct JournalCloser {
  void operator()(sd_journal* j) const noexcept { sd_journal_close(j); }
};
using JournalPtr = std::unique_ptr<sd_journal, JournalCloser>;

util::Result<JournalEntry> current_entry(sd_journal* j) {
  JournalEntry e;
  if (int r = sd_journal_get_realtime_usec(j, &e.realtime_usec); r < 0)
    return util::errno_error("read the time of a journal entry", -r);
  sd_id128_t boot{};
  (void)sd_journal_get_monotonic_usec(j, &e.monotonic_usec, &boot);
  char* cursor = nullptr;
  if (sd_journal_get_cursor(j, &cursor) >= 0 && cursor != nullptr) {
    e.cursor = cursor;
    std::free(cursor);
  }
  const void* data = nullptr;
  size_t length = 0;
  sd_journal_restart_data(j);
  // "available": fields this libsystemd cannot decompress are skipped, not fatal.
  while (sd_journal_enumerate_available_data(j, &data, &length) > 0) {
    std::string_view field(static_cast<const char*>(data), length);
    size_t eq = field.find('=');
    if (eq != std::string_view::npos)
      e.fields.emplace_back(std::string(field.substr(0, eq)), std::string(field.substr(eq + 1)));
  }
  return e;
}

util::Result<uint64_t> entry_time(sd_journal* j) {
  uint64_t t = 0;
  if (int r = sd_journal_get_realtime_usec(j, &t); r < 0)
    return util::errno_error("read the time of a journal entry", -r);
  return t;
}

// Waits until the journal changes (true) or `stop_fd` is readable (false).
util::Result<bool> wait_for_change(sd_journal* j, int journal_fd, int stop_fd) {
  uint64_t deadline = 0;
  int timeout_ms = -1;
  if (sd_journal_get_timeout(j, &deadline) >= 0 && deadline != std::numeric_limits<uint64_t>::max()) {
    struct timespec ts {};
    (void)::clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = static_cast<uint64_t>(ts.tv_sec) * kUsecPerSec + static_cast<uint64_t>(ts.tv_nsec) / 1000;
    timeout_ms = deadline <= now ? 0 : static_cast<int>(std::min<uint64_t>((deadline - now + 999) / 1000, 60000));
  }
  int events = sd_journal_get_events(j);
  struct pollfd fds[2] = {{journal_fd, static_cast<short>(events < 0 ? POLLIN : events), 0}, {stop_fd, POLLIN, 0}};
  int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, timeout_ms);
  if (n < 0 && errno != EINTR)
    return util::errno_error("wait for the journal");
  if (stop_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
    return false;
  if (int r = sd_journal_process(j); r < 0)
    return util::errno_error("process journal changes", -r);
  return true;
}

}  // namespace

util::Result<JournalReadResult> read_journal(const JournalQuery& q,
                                             const std::function<util::Status(const JournalEntry&)>& on_entry) {
  if (q.follow && q.until_usec)
    return util::make_error("cannot follow the journal up to a time", EINVAL);
  sd_journal* raw = nullptr;
  if (int r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY); r < 0)
    return util::errno_error("open the journal", -r);
  JournalPtr j(raw);
  // Whole fields, however long (the default threshold cuts them at 64 KiB).
  (void)sd_journal_set_data_threshold(j.get(), 0);
  std::string match = "SYSLOG_IDENTIFIER=" + q.identifier;
  if (int r = sd_journal_add_match(j.get(), match.data(), match.size()); r < 0)
    return util::errno_error("match `" + match + "` in the journal", -r);
  // The inotify watches exist before the first read, so nothing written meanwhile is lost.
  int journal_fd = -1;
  if (q.follow) {
    journal_fd = sd_journal_get_fd(j.get());
    if (journal_fd < 0)
      return util::errno_error("watch the journal", -journal_fd);
  }
  JournalReadResult result;
  uint64_t usage = 0;
  if (sd_journal_get_usage(j.get(), &usage) >= 0 && usage == 0)
    result.no_journal_files = true;

  std::string last_cursor;
  // Reads forward from the read pointer, emitting the entries in range, up to the end of
  // the journal or the first entry after --until.
  auto emit_forward = [&]() -> util::Status {
    int r;
    while ((r = sd_journal_next(j.get())) > 0) {
      util::Result<uint64_t> t = entry_time(j.get());
      if (!t)
        return std::move(t).error();
      if (q.until_usec && *t > *q.until_usec)
        return {};
      if (q.since_usec && *t < *q.since_usec)
        continue;
      util::Result<JournalEntry> e = current_entry(j.get());
      if (!e)
        return std::move(e).error();
      last_cursor = e->cursor;
      if (util::Status s = on_entry(*e); !s)
        return s;
    }
    if (r < 0)
      return util::errno_error("read the journal", -r);
    return {};
  };

  if (q.last) {
    // Walk back from the end (or from --until) to collect the last N entries in range.
    std::vector<JournalEntry> newest_first;
    int r = q.until_usec ? sd_journal_seek_realtime_usec(j.get(), *q.until_usec + 1) : sd_journal_seek_tail(j.get());
    if (r < 0)
      return util::errno_error("seek in the journal", -r);
    while (newest_first.size() < *q.last) {
      r = sd_journal_previous(j.get());
      if (r < 0)
        return util::errno_error("read the journal", -r);
      if (r == 0)
        break;
      util::Result<uint64_t> t = entry_time(j.get());
      if (!t)
        return std::move(t).error();
      if (q.until_usec && *t > *q.until_usec)
        continue;
      if (q.since_usec && *t < *q.since_usec)
        break;
      util::Result<JournalEntry> e = current_entry(j.get());
      if (!e)
        return std::move(e).error();
      newest_first.push_back(std::move(*e));
    }
    for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
      last_cursor = it->cursor;
      if (util::Status s = on_entry(*it); !s)
        return std::move(s).error();
    }
  } else {
    int r = q.since_usec ? sd_journal_seek_realtime_usec(j.get(), *q.since_usec) : sd_journal_seek_head(j.get());
    if (r < 0)
      return util::errno_error("seek in the journal", -r);
    if (util::Status s = emit_forward(); !s)
      return std::move(s).error();
  }
  if (!q.follow)
    return result;

  // Continue right after the last entry shown; with none shown, after the newest one.
  if (!last_cursor.empty()) {
    if (int r = sd_journal_seek_cursor(j.get(), last_cursor.c_str()); r < 0)
      return util::errno_error("seek in the journal", -r);
    // Seeking to a cursor lands before it: step onto it, and past it when it is still there.
    if (int r = sd_journal_next(j.get()); r > 0 && sd_journal_test_cursor(j.get(), last_cursor.c_str()) <= 0)
      (void)sd_journal_previous(j.get());
  } else {
    if (int r = sd_journal_seek_tail(j.get()); r < 0)
      return util::errno_error("seek in the journal", -r);
    (void)sd_journal_previous(j.get());
  }
  for (;;) {
    if (util::Status s = emit_forward(); !s)
      return std::move(s).error();
    util::Result<bool> changed = wait_for_change(j.get(), journal_fd, q.stop_fd);
    if (!changed)
      return std::move(changed).error();
    if (!*changed)
      return result;
  }
}

}  // namespace ocistart::systemd
