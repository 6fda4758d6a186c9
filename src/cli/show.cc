// show: a container's properties as `systemctl show` prints a unit's ("Name=Value").
#include <cerrno>
#include <cstdio>
#include <string>

#include "cli/app.h"
#include "cli/common.h"
#include "runtime/show.h"

namespace ocistart::cli {
namespace {

int run_show(const ShowOptions& o, const GlobalOptions& global) {
  if (int status = checked_id("show", o.id); status != 0)
    return status;
  const std::string context = command_context("show", o.id);
  util::Result<runtime::ShowFacts> facts = runtime::gather_show(global.root, o.id);
  if (!facts)
    return fail(context, std::move(facts).error());
  runtime::ShowSelection selection;
  selection.names = o.properties;
  selection.value_only = o.value;
  selection.all = o.all;
  const std::string out = runtime::format_show(runtime::show_properties(*facts), selection);
  if ((!out.empty() && std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) || std::fflush(stdout) != 0) {
    int err = errno;
    return fail(context, util::errno_error("write to stdout", err));
  }
  return 0;
}

}  // namespace

Command add_show(CLI::App& parent, const GlobalOptions& global, ShowOptions& o) {
  CLI::App* sub = parent.add_subcommand("show", "show a container's properties (Name=Value, as systemctl show)");
  add_repeatable(*sub, "-p,--property", o.properties, "show only these properties (NAME or NAME,NAME; repeatable)")
      ->type_name("NAME");
  sub->add_flag("--value", o.value, "print only the values");
  sub->add_flag("-a,--all", o.all, "also print properties whose value is empty");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_show(o, global); }};
}

}  // namespace ocistart::cli
