// state and list: read-only views of the state store.
#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/common.h"
#include "runtime/container_id.h"
#include "runtime/machine_list.h"
#include "runtime/state_store.h"
#include "runtime/status.h"
#include "util/json_writer.h"
#include "util/log.h"

namespace ocistart::cli {
namespace {

using runtime::ContainerState;
using runtime::StateStore;

struct ListEntry {
  ContainerState state;
  runtime::ContainerStatus status = runtime::ContainerStatus::stopped;
  std::string owner;
};

int print(const std::string& text, std::string_view command) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0) {
    int err = errno;
    return fail(command, util::errno_error("write to stdout", err));
  }
  return 0;
}

// The owner of the containers' directories, by name when the user database knows it,
// else "#<uid>" (as runc's list does). The store reads only directories of our euid
// (StateStore's checks), so that is every listed container's owner: one lookup.
std::string owner_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  return getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr ? std::string(found->pw_name)
                                                                                : "#" + std::to_string(uid);
}

// `machinectl list`'s view: only the containers whose init lives (machinectl lists the
// running machines), with their rootfs's os-release.
std::string machine_table(const std::vector<ListEntry>& entries, bool legend) {
  std::vector<runtime::MachineRow> rows;
  for (const ListEntry& e : entries)
    if (e.status != runtime::ContainerStatus::stopped && e.status != runtime::ContainerStatus::creating)
      rows.push_back({e.state.id, runtime::read_os_release(e.state.rootfs)});
  return runtime::format_machine_list(rows, legend);
}

int run_state(const IdOptions& o, const GlobalOptions& global) {
  if (util::Status valid = runtime::validate_container_id(o.id); !valid)
    return fail("state", std::move(valid).error());
  std::string context = command_context("state", o.id);
  util::Result<StateStore> store = StateStore::open(global.root);
  if (!store)
    return fail(context, std::move(store).error());
  util::Result<ContainerState> state = store->load(o.id);
  if (!state)
    return fail(context, std::move(state).error());
  runtime::ContainerStatus status = runtime::current_status(*state, store->dir(o.id));
  return print(runtime::oci_state_json(*state, status, 2) + "\n", "state");
}

int run_list(const ListOptions& o, const GlobalOptions& global) {
  util::Result<StateStore> store = StateStore::open(global.root);
  if (!store)
    return fail("list", std::move(store).error());
  std::vector<util::Error> skipped;
  util::Result<std::vector<runtime::StoredContainer>> stored = store->load_all(skipped);
  if (!stored)
    return fail("list", std::move(stored).error());
  // One that cannot be read: another command may be deleting it right now; list the others
  // (as runc does).
  for (const util::Error& e : skipped)
    util::log_warning("list: " + e.message);

  std::vector<ListEntry> entries;
  const std::string owner = stored->empty() ? std::string() : owner_name(::geteuid());
  for (runtime::StoredContainer& c : *stored) {
    ListEntry e;
    e.status = c.status;
    e.state = std::move(c.state);
    e.owner = owner;
    if (e.status == runtime::ContainerStatus::stopped)
      e.state.pid = 0;
    entries.push_back(std::move(e));
  }

  std::string out;
  if (o.quiet) {
    for (const ListEntry& e : entries)
      out += e.state.id + "\n";
  } else if (o.format == "machinectl") {
    out = machine_table(entries, !o.no_legend);
  } else if (o.format == "json") {
    if (entries.empty()) {
      out = "null\n";  // runc encodes its empty (nil) list as null
    } else {
      util::JsonWriter w;
      w.begin_array();
      for (const ListEntry& e : entries) {
        w.begin_object()
            .member("ociVersion", e.state.oci_version)
            .member("id", e.state.id)
            .member("pid", e.state.pid)
            .member("status", runtime::to_string(e.status))
            .member("bundle", e.state.bundle)
            .member("rootfs", e.state.rootfs)
            .member("created", e.state.created);
        if (!e.state.annotations.empty()) {
          w.key("annotations").begin_object();
          for (const auto& [k, v] : e.state.annotations)
            w.member(k, v);
          w.end_object();
        }
        w.member("owner", e.owner).end_object();
      }
      w.end_array();
      out = std::move(w).str() + "\n";
    }
  } else {
    std::vector<std::vector<std::string>> rows{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const ListEntry& e : entries)
      rows.push_back({e.state.id, std::to_string(e.state.pid), runtime::to_string(e.status), e.state.bundle,
                      e.state.created, e.owner});
    out = format_table(rows);
  }
  return print(out, "list");
}

}  // namespace

Command add_state(CLI::App& parent, const GlobalOptions& global, IdOptions& o) {
  CLI::App* sub = parent.add_subcommand("state", "output the state of a container (JSON)");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] { return run_state(o, global); }};
}

Command add_list(CLI::App& parent, const GlobalOptions& global, ListOptions& o) {
  CLI::App* sub = parent.add_subcommand("list", "list the containers in the root directory");
  sub->add_option("-f,--format", o.format, "table, json, or machinectl (as `machinectl list`)")
      ->check(CLI::IsMember({"table", "json", "machinectl"}))
      ->type_name("FORMAT");
  sub->add_flag("-q,--quiet", o.quiet, "print only the container ids");
  sub->add_flag("--no-legend", o.no_legend, "machinectl format: no header and no footer");
  return {sub, [&o, &global] { return run_list(o, global); }};
}

}  // namespace ocistart::cli
