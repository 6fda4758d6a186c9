// status and logs: the systemd-native views of a container (its unit and its journal).
#include <string>

#include "cli/app.h"
#include "cli/common.h"

namespace ocistart::cli {

Command add_status(CLI::App& parent, const GlobalOptions& /*global*/, StatusOptions& o) {
  CLI::App* sub = parent.add_subcommand("status", "show a container's state, unit, cgroup and latest output");
  sub->add_option("-n,--lines", o.lines, "number of journal lines to show (default: 10)")->type_name("N");
  add_id_argument(*sub, o.id);
  return {sub, [&o] { return not_implemented_for_id("status", o.id); }};
}

Command add_logs(CLI::App& parent, const GlobalOptions& /*global*/, LogsOptions& o) {
  CLI::App* sub = parent.add_subcommand("logs", "show a container's output from the journal");
  sub->add_flag("-f,--follow", o.follow, "keep printing new output as it arrives");
  sub->add_option_function<unsigned>("-n,--lines", [&o](const unsigned& n) { o.lines = n; },
                                     "show only the last N lines")
      ->type_name("N");
  sub->add_option("--since", o.since, "show output from this time on (journalctl syntax)")->type_name("TIME");
  sub->add_option("--until", o.until, "show output up to this time (journalctl syntax)")->type_name("TIME");
  sub->add_option("-o,--output", o.output, "short, cat or json")
      ->check(CLI::IsMember({"short", "cat", "json"}))
      ->type_name("FORMAT");
  add_id_argument(*sub, o.id);
  return {sub, [&o] { return not_implemented_for_id("logs", o.id); }};
}

}  // namespace ocistart::cli
