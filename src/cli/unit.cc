// status and logs: the systemd-native views of a container (its unit and its journal).
#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "runtime/host_integration.h"
#include "runtime/status_report.h"
#include "systemd/journal_reader.h"
#include "util/log.h"
#include "util/unique_fd.h"

namespace ocistart::cli {
namespace {

util::Status write_stdout(std::string_view text, bool flush) {
  // An empty view's data() may be null, which fwrite must not get even for 0 bytes (UBSan).
  if ((!text.empty() && std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) ||
      (flush && std::fflush(stdout) != 0))
    return util::errno_error("write to stdout");
  return {};
}

// Whether the user's locale is UTF-8 (LC_ALL, else LC_CTYPE, else LANG), as systemctl
// decides between "●"/"├─" and "*"/"|-".
bool locale_is_utf8() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0')
      continue;
    std::string s(v);
    for (char& c : s)
      if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c - 'A' + 'a');
    return s.find("utf-8") != std::string::npos || s.find("utf8") != std::string::npos;
  }
  return false;
}

// SIGINT and SIGTERM as a readable fd, so `logs -f` ends cleanly (exit 0) when they come.
util::Result<util::UniqueFd> stop_signals_fd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
    return util::errno_error("block SIGINT and SIGTERM");
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return util::errno_error("signalfd");
  return util::UniqueFd(fd);
}

int run_logs(const LogsOptions& o) {
  if (int status = checked_id("logs", o.id); status != 0)
    return status;
  const std::string context = command_context("logs", o.id);
  util::Result<systemd::OutputFormat> format = systemd::output_format_from_string(o.output);
  if (!format)
    return fail(context, std::move(format).error().wrap("--output"));

  systemd::JournalQuery q;
  q.identifier = o.id;
  q.last = o.lines;
  q.follow = o.follow;
  const uint64_t now = systemd::realtime_now_usec();
  if (!o.since.empty()) {
    util::Result<uint64_t> t = systemd::parse_journal_time(o.since, now);
    if (!t)
      return fail(context, std::move(t).error().wrap("--since"));
    q.since_usec = *t;
  }
  if (!o.until.empty()) {
    util::Result<uint64_t> t = systemd::parse_journal_time(o.until, now);
    if (!t)
      return fail(context, std::move(t).error().wrap("--until"));
    q.until_usec = *t;
  }
  if (q.since_usec && q.until_usec && *q.since_usec > *q.until_usec)
    return fail(context, util::make_error("--since `" + o.since + "` is after --until `" + o.until + "`", EINVAL));
  if (q.follow && q.until_usec)
    return fail(context, util::make_error("--follow and --until cannot be combined", EINVAL));

  util::UniqueFd stop;
  if (q.follow) {
    util::Result<util::UniqueFd> fd = stop_signals_fd();
    if (!fd)
      return fail(context, std::move(fd).error());
    stop = std::move(*fd);
    q.stop_fd = stop.get();
  }
  util::Result<systemd::JournalReadResult> read = runtime::host_integration().read_journal(
      q, [&](const systemd::JournalEntry& e) { return write_stdout(systemd::format_entry(e, *format), o.follow); });
  if (!read)
    return fail(context, std::move(read).error());
  if (util::Status s = write_stdout({}, true); !s)
    return fail(context, std::move(s).error());
  // As journalctl on a machine without a journal: say so, and succeed with no output.
  if (read->no_journal_files)
    util::log_warning(context + ": no journal files were found");
  return 0;
}

int run_status(const StatusOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("status", o.id); status != 0)
    return status;
  const std::string context = command_context("status", o.id);
  util::Result<runtime::StatusFacts> facts = runtime::gather_status(global.root, o.id, o.lines);
  if (!facts)
    return fail(context, std::move(facts).error());
  runtime::StatusStyle style;
  style.now_usec = systemd::realtime_now_usec();
  style.utf8 = locale_is_utf8();
  if (util::Status s = write_stdout(runtime::format_status(*facts, style), true); !s)
    return fail(context, std::move(s).error());
  return 0;
}

}  // namespace

Command add_status(CLI::App& parent, const GlobalOptions& global, StatusOptions& o) {
  CLI::App* sub = parent.add_subcommand("status", "show a container's state, unit, cgroup and latest output");
  sub->add_option("-n,--lines", o.lines, "number of journal lines to show (default: 10)")->type_name("N");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_status(o, global); }};
}

Command add_logs(CLI::App& parent, const GlobalOptions& /*global*/, LogsOptions& o) {
  CLI::App* sub = parent.add_subcommand("logs", "show a container's output from the journal");
  sub->add_flag("-f,--follow", o.follow, "keep printing new output as it arrives");
  sub->add_option_function<unsigned>(
         "-n,--lines", [&o](const unsigned& n) { o.lines = n; }, "show only the last N lines")
      ->type_name("N");
  sub->add_option("--since", o.since, "show output from this time on (journalctl syntax)")->type_name("TIME");
  sub->add_option("--until", o.until, "show output up to this time (journalctl syntax)")->type_name("TIME");
  sub->add_option("-o,--output", o.output, "short, cat or json")
      ->check(CLI::IsMember({"short", "cat", "json"}))
      ->type_name("FORMAT");
  add_id_argument(*sub, o.id);
  return {sub, [&o] { return run_logs(o); }};
}

}  // namespace ocistart::cli
