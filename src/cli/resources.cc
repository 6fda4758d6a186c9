// pause, resume, ps, events, update: commands on a container's cgroup.
#include <string>
#include <type_traits>

#include "cli/app.h"
#include "cli/common.h"
#include "runtime/container.h"

namespace ocistart::cli {
namespace {

// An integer flag stored into an optional (so "not given" differs from 0).
template <class T>
CLI::Option* add_optional(CLI::App& sub, const std::string& names, std::optional<T>& into,
                          const std::string& description) {
  CLI::Option* option = sub.add_option_function<T>(names, [&into](const T& v) { into = v; }, description);
  // CLI11 converts "-5" to a huge unsigned value; refuse negatives outright.
  if constexpr (std::is_unsigned_v<T>)
    option->check(CLI::NonNegativeNumber);
  return option;
}

// A memory size flag (runc's update syntax: "512m", "1G", "-1").
CLI::Option* add_memory(CLI::App& sub, const std::string& name, std::optional<int64_t>& into,
                        const std::string& description) {
  return sub
      .add_option_function<std::string>(
          name,
          [&into, name](const std::string& v) {
            util::Result<int64_t> bytes = parse_memory_size(v);
            if (!bytes)
              throw CLI::ValidationError(name, bytes.error().message);
            into = *bytes;
          },
          description)
      ->type_name("BYTES");
}

}  // namespace

Command add_pause(CLI::App& parent, const GlobalOptions& global, IdOptions& o) {
  CLI::App* sub = parent.add_subcommand("pause", "suspend (freeze) every process in a container");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] {
            if (int status = checked_id("pause", o.id); status != 0)
              return status;
            if (util::Status s = runtime::pause(global.root, o.id); !s)
              return fail(command_context("pause", o.id), std::move(s).error());
            return 0;
          }};
}

Command add_resume(CLI::App& parent, const GlobalOptions& global, IdOptions& o) {
  CLI::App* sub = parent.add_subcommand("resume", "resume (thaw) every process of a paused container");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] {
            if (int status = checked_id("resume", o.id); status != 0)
              return status;
            if (util::Status s = runtime::resume(global.root, o.id); !s)
              return fail(command_context("resume", o.id), std::move(s).error());
            return 0;
          }};
}

Command add_ps(CLI::App& parent, const GlobalOptions& global, PsOptions& o) {
  CLI::App* sub = parent.add_subcommand("ps", "show the processes running inside a container");
  sub->add_option("-f,--format", o.format, "table (ps output) or json (a list of pids)")
      ->check(CLI::IsMember({"table", "json"}))
      ->type_name("FORMAT");
  add_id_argument(*sub, o.id);
  sub->add_option("ps-args", o.ps_args, "arguments for ps(1) (default: -ef)");
  // Like runc: flags end at the container id; what follows goes to ps, even "-ef".
  sub->positionals_at_end();
  sub->final_callback([&o] {
    if (!o.ps_args.empty() && o.ps_args.front() == "--")
      o.ps_args.erase(o.ps_args.begin());
  });
  return {sub, [&o, &global] {
            if (int status = checked_id("ps", o.id); status != 0)
              return status;
            if (util::Status s = runtime::ps(global.root, o.id, o.format, o.ps_args); !s)
              return fail(command_context("ps", o.id), std::move(s).error());
            return 0;
          }};
}

Command add_events(CLI::App& parent, const GlobalOptions& /*global*/, EventsOptions& o) {
  CLI::App* sub = parent.add_subcommand("events", "show container events: OOM notifications and resource statistics");
  sub->add_option_function<std::string>(
         "--interval",
         [&o](const std::string& v) {
           util::Result<std::chrono::nanoseconds> d = parse_duration(v);
           if (!d)
             throw CLI::ValidationError("--interval", d.error().message);
           if (d->count() <= 0)
             throw CLI::ValidationError("--interval", "the interval must be greater than 0");
           o.interval = *d;
         },
         "statistics interval, a duration such as 5s or 500ms (default: 5s)")
      ->type_name("DURATION");
  sub->add_flag("--stats", o.stats, "print the statistics once and exit");
  add_id_argument(*sub, o.id);
  return {sub, [&o] { return not_implemented_for_id("events", o.id); }};
}

Command add_update(CLI::App& parent, const GlobalOptions& /*global*/, UpdateOptions& o) {
  CLI::App* sub = parent.add_subcommand("update", "change the resource limits of a container");
  sub->add_option("-r,--resources", o.resources,
                  "read the resources (OCI linux.resources JSON) from FILE, or stdin for '-'; other flags are then ignored")
      ->type_name("FILE");
  add_optional(*sub, "--blkio-weight", o.blkio_weight, "block IO weight, 10 to 1000")->type_name("WEIGHT");
  add_optional(*sub, "--cpu-period", o.cpu_period, "CPU CFS period in microseconds (0: system default)")
      ->type_name("USEC");
  add_optional(*sub, "--cpu-quota", o.cpu_quota, "CPU CFS quota in microseconds per period")->type_name("USEC");
  add_optional(*sub, "--cpu-burst", o.cpu_burst, "CPU CFS burst in microseconds per period")->type_name("USEC");
  add_optional(*sub, "--cpu-share", o.cpu_shares, "CPU shares (weight relative to other containers)")
      ->type_name("SHARES");
  add_optional(*sub, "--cpu-rt-period", o.cpu_rt_period, "CPU realtime period in microseconds (0: system default)")
      ->type_name("USEC");
  add_optional(*sub, "--cpu-rt-runtime", o.cpu_rt_runtime, "CPU realtime runtime in microseconds per period")
      ->type_name("USEC");
  add_optional(*sub, "--cpu-idle", o.cpu_idle, "1 to make the cgroup SCHED_IDLE, 0 for the default")->type_name("0|1");
  sub->add_option_function<std::string>("--cpuset-cpus", [&o](const std::string& v) { o.cpuset_cpus = v; },
                                        "CPUs the container may use (e.g. 0-3,6)")
      ->type_name("LIST");
  sub->add_option_function<std::string>("--cpuset-mems", [&o](const std::string& v) { o.cpuset_mems = v; },
                                        "memory nodes the container may use")
      ->type_name("LIST");
  add_memory(*sub, "--memory", o.memory, "memory limit (bytes, or with k/m/g/t/p suffix; -1: unlimited)");
  add_memory(*sub, "--memory-reservation", o.memory_reservation, "memory soft limit (bytes or with suffix)");
  add_memory(*sub, "--memory-swap", o.memory_swap, "memory plus swap limit (bytes or with suffix; -1: unlimited)");
  add_memory(*sub, "--kernel-memory", o.kernel_memory, "obsolete, ignored")->group("");
  add_memory(*sub, "--kernel-memory-tcp", o.kernel_memory_tcp, "obsolete, ignored")->group("");
  add_optional(*sub, "--pids-limit", o.pids_limit, "maximum number of processes (-1: unlimited)")->type_name("N");
  sub->add_option_function<std::string>("--l3-cache-schema", [&o](const std::string& v) { o.l3_cache_schema = v; },
                                        "Intel RDT/CAT L3 cache schema")
      ->type_name("SCHEMA");
  sub->add_option_function<std::string>("--mem-bw-schema", [&o](const std::string& v) { o.mem_bw_schema = v; },
                                        "Intel RDT/MBA memory bandwidth schema")
      ->type_name("SCHEMA");
  add_id_argument(*sub, o.id);
  return {sub, [&o] { return not_implemented_for_id("update", o.id); }};
}

}  // namespace ocistart::cli
