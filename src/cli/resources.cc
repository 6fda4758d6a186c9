// pause, resume, ps, events, update: commands on a container's cgroup.
#include <unistd.h>

#include <cerrno>
#include <string>
#include <type_traits>
#include <utility>

#include "cli/app.h"
#include "cli/common.h"
#include "runtime/container.h"
#include "runtime/events.h"
#include "runtime/update.h"
#include "spec/parse.h"
#include "util/fs.h"
#include "util/log.h"

namespace ocistart::cli {
namespace {

// An integer flag stored into an optional (so "not given" differs from 0).
template <class T>
CLI::Option* add_optional(CLI::App& sub, const std::string& names, std::optional<T>& into,
                          const std::string& description) {
  CLI::Option* option = sub.add_option_function<T>(
      names, [&into](const T& v) { into = v; }, description);
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

// ocistart sets up no Intel RDT group at create, so there is none to change (runc refuses
// these flags too unless the container was created with one).
util::Status check_intel_rdt_flags(const UpdateOptions& o) {
  for (const auto& [flag, value] :
       {std::pair{"--l3-cache-schema", &o.l3_cache_schema}, std::pair{"--mem-bw-schema", &o.mem_bw_schema}}) {
    if (value->has_value() && !(*value)->empty())
      return util::make_error(
          std::string(flag) + ": the container has no Intel RDT group (ocistart does not manage Intel RDT)", ENOTSUP);
  }
  return {};
}

// check_resources() names fields by JSON pointer; for flags, the flag is the name the user knows.
util::Error name_flag(util::Error e) {
  static constexpr std::pair<std::string_view, std::string_view> kFlags[] = {
      {"/memory/limit", "--memory"},
      {"/memory/reservation", "--memory-reservation"},
      {"/memory/swap", "--memory-swap"},
      {"/cpu/shares", "--cpu-share"},
      {"/cpu/quota", "--cpu-quota"},
      {"/cpu/burst", "--cpu-burst"},
      {"/cpu/period", "--cpu-period"},
      {"/cpu/realtimeRuntime", "--cpu-rt-runtime"},
      {"/cpu/realtimePeriod", "--cpu-rt-period"},
      {"/cpu/cpus", "--cpuset-cpus"},
      {"/cpu/mems", "--cpuset-mems"},
      {"/cpu/idle", "--cpu-idle"},
      {"/blockIO/weight", "--blkio-weight"},
      {"/pids/limit", "--pids-limit"},
  };
  for (const auto& [pointer, flag] : kFlags) {
    std::string prefix = std::string(pointer) + ": ";
    if (e.message.starts_with(prefix)) {
      e.message = std::string(flag) + ": " + e.message.substr(prefix.size());
      break;
    }
  }
  return e;
}

// The request `update` applies: from the -r document when given, else from the flags.
util::Result<UpdateRequest> update_request(const UpdateOptions& o) {
  if (o.resources.empty())
    return update_request_from_flags(o);
  if (util::Status s = check_intel_rdt_flags(o); !s)
    return std::move(s).error();
  const std::string what = "--resources `" + o.resources + "`";
  util::Result<std::string> text = spec::read_document(o.resources);
  if (!text)  // its errors name the file already
    return std::move(text).error().wrap("--resources");
  util::Result<UpdateRequest> request = update_request_from_document(*text);
  if (!request)
    return std::move(request).error().wrap(what);
  return request;
}

}  // namespace

util::Result<UpdateRequest> update_request_from_flags(const UpdateOptions& o) {
  if (util::Status s = check_intel_rdt_flags(o); !s)
    return std::move(s).error();
  UpdateRequest request;
  spec::Resources& r = request.resources;
  auto memory = [&r]() -> spec::Memory& { return r.memory ? *r.memory : r.memory.emplace(); };
  auto cpu = [&r]() -> spec::Cpu& { return r.cpu ? *r.cpu : r.cpu.emplace(); };

  // 0 (like runc's "" for the lists) is "flag not given": spec::effective_resources() says
  // so for every consumer.
  if (o.blkio_weight)
    r.block_io.emplace().weight = *o.blkio_weight;
  if (o.cpu_period)
    cpu().period = *o.cpu_period;
  if (o.cpu_quota)
    cpu().quota = *o.cpu_quota;
  if (o.cpu_burst)
    cpu().burst = *o.cpu_burst;
  if (o.cpu_shares)
    cpu().shares = *o.cpu_shares;
  if (o.cpu_rt_period)
    cpu().realtime_period = *o.cpu_rt_period;
  if (o.cpu_rt_runtime)
    cpu().realtime_runtime = *o.cpu_rt_runtime;
  if (o.cpu_idle)
    cpu().idle = *o.cpu_idle;
  if (o.cpuset_cpus && !o.cpuset_cpus->empty())
    cpu().cpus = *o.cpuset_cpus;
  if (o.cpuset_mems && !o.cpuset_mems->empty())
    cpu().mems = *o.cpuset_mems;
  // --memory -1 alone lifts memory+swap too: the drivers do that for a limit of -1 without swap.
  if (o.memory)
    memory().limit = *o.memory;
  if (o.memory_reservation)
    memory().reservation = *o.memory_reservation;
  if (o.memory_swap)
    memory().swap = *o.memory_swap;
  if (o.kernel_memory)
    request.warnings.emplace_back("--kernel-memory is obsolete, ignored");
  if (o.kernel_memory_tcp)
    request.warnings.emplace_back("--kernel-memory-tcp is obsolete, ignored");
  if (o.pids_limit)
    r.pids.emplace().limit = *o.pids_limit;

  if (util::Status s = spec::check_resources(r); !s)
    return name_flag(std::move(s).error());
  return request;
}

util::Result<UpdateRequest> update_request_from_document(std::string_view json) {
  util::Result<spec::Resources> document = spec::parse_resources(json);
  if (!document)
    return std::move(document).error();
  UpdateRequest request;
  spec::Resources& r = request.resources;
  if (document->memory) {
    const spec::Memory& m = *document->memory;
    spec::Memory& kept = r.memory.emplace();
    kept.limit = m.limit;
    kept.reservation = m.reservation;
    kept.swap = m.swap;
    kept.check_before_update = m.check_before_update;
    if (m.kernel.value_or(0) != 0 || m.kernel_tcp.value_or(0) != 0)
      request.warnings.emplace_back("/memory/kernel and /memory/kernelTCP are obsolete, ignored");
  }
  r.cpu = document->cpu;
  // runc's help shows a template of zeros: 0 is "unchanged" (spec::effective_resources).
  r.block_io = document->block_io;
  r.pids = document->pids;
  r.unified = document->unified;
  if (util::Status s = spec::check_resources(r); !s)
    return std::move(s).error();
  return request;
}

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

Command add_events(CLI::App& parent, const GlobalOptions& global, EventsOptions& o) {
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
  return {sub, [&o, &global] {
            if (int status = checked_id("events", o.id); status != 0)
              return status;
            if (util::Status s = runtime::events(global.root, o.id, o.interval, o.stats); !s)
              return fail(command_context("events", o.id), std::move(s).error());
            return 0;
          }};
}

Command add_update(CLI::App& parent, const GlobalOptions& global, UpdateOptions& o) {
  CLI::App* sub = parent.add_subcommand("update", "change the resource limits of a container");
  sub->add_option(
         "-r,--resources", o.resources,
         "read the resources (OCI linux.resources JSON) from FILE, or stdin for '-'; other flags are then ignored")
      ->type_name("FILE");
  add_optional(*sub, "--blkio-weight", o.blkio_weight, "block IO weight, 10 to 1000")->type_name("WEIGHT");
  add_optional(*sub, "--cpu-period", o.cpu_period, "CPU CFS period in microseconds (0: unchanged)")->type_name("USEC");
  add_optional(*sub, "--cpu-quota", o.cpu_quota, "CPU CFS quota in microseconds per period")->type_name("USEC");
  add_optional(*sub, "--cpu-burst", o.cpu_burst, "CPU CFS burst in microseconds per period")->type_name("USEC");
  add_optional(*sub, "--cpu-share", o.cpu_shares, "CPU shares (weight relative to other containers)")
      ->type_name("SHARES");
  add_optional(*sub, "--cpu-rt-period", o.cpu_rt_period, "CPU realtime period in microseconds (0: unchanged)")
      ->type_name("USEC");
  add_optional(*sub, "--cpu-rt-runtime", o.cpu_rt_runtime, "CPU realtime runtime in microseconds per period")
      ->type_name("USEC");
  add_optional(*sub, "--cpu-idle", o.cpu_idle, "1 to make the cgroup SCHED_IDLE, 0 for the default")->type_name("0|1");
  sub->add_option_function<std::string>(
         "--cpuset-cpus", [&o](const std::string& v) { o.cpuset_cpus = v; }, "CPUs the container may use (e.g. 0-3,6)")
      ->type_name("LIST");
  sub->add_option_function<std::string>(
         "--cpuset-mems", [&o](const std::string& v) { o.cpuset_mems = v; }, "memory nodes the container may use")
      ->type_name("LIST");
  add_memory(*sub, "--memory", o.memory, "memory limit (bytes, or with k/m/g/t/p suffix; -1: unlimited)");
  add_memory(*sub, "--memory-reservation", o.memory_reservation, "memory soft limit (bytes or with suffix)");
  add_memory(*sub, "--memory-swap", o.memory_swap, "memory plus swap limit (bytes or with suffix; -1: unlimited)");
  add_memory(*sub, "--kernel-memory", o.kernel_memory, "obsolete, ignored")->group("");
  add_memory(*sub, "--kernel-memory-tcp", o.kernel_memory_tcp, "obsolete, ignored")->group("");
  add_optional(*sub, "--pids-limit", o.pids_limit, "maximum number of processes (-1: unlimited)")->type_name("N");
  sub->add_option_function<std::string>(
         "--l3-cache-schema", [&o](const std::string& v) { o.l3_cache_schema = v; }, "Intel RDT/CAT L3 cache schema")
      ->type_name("SCHEMA");
  sub->add_option_function<std::string>(
         "--mem-bw-schema", [&o](const std::string& v) { o.mem_bw_schema = v; },
         "Intel RDT/MBA memory bandwidth schema")
      ->type_name("SCHEMA");
  add_id_argument(*sub, o.id);
  return {sub, [&o, &global] {
            if (int status = checked_id("update", o.id); status != 0)
              return status;
            const std::string context = command_context("update", o.id);
            // Everything is read and checked before the container is touched: a bad value
            // changes nothing.
            util::Result<UpdateRequest> request = update_request(o);
            if (!request)
              return fail(context, std::move(request).error());
            for (const std::string& warning : request->warnings)
              util::log_warning(context + ": " + warning);
            if (util::Status s = runtime::update(global.root, o.id, request->resources); !s)
              return fail(context, std::move(s).error());
            return 0;
          }};
}

}  // namespace ocistart::cli
