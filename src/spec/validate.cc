// validate(): the top level, process, root, mounts, hooks and annotations. linux.* is in
// validate_linux.cc and validate_resources.cc. Every check returns the first problem, its
// message starting with the JSON pointer of the offending member.
#include "spec/validate.h"

#include <charconv>
#include <cstdint>
#include <set>

#include "spec/names.h"
#include "spec/validate_internal.h"
#include "util/json_writer.h"

namespace ocistart::spec {
namespace detail {

std::string ptr(std::string_view base, std::string_view key) {
  std::string out(base);
  out.push_back('/');
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out.push_back(c);
  }
  return out;
}

std::string ptr(std::string_view base, size_t index) {
  std::string out(base);
  out.push_back('/');
  out += std::to_string(index);
  return out;
}

util::Error invalid(std::string_view pointer, std::string_view reason) {
  std::string message(pointer);
  message += ": ";
  message += reason;
  return util::make_error(std::move(message));
}

std::string quote(std::string_view s) { return util::json_quote(s); }

util::Status check_absolute(std::string_view pointer, std::string_view path) {
  if (!is_absolute(path))
    return invalid(pointer, "must be an absolute path, got " + quote(path));
  return {};
}

long count_cpu_list(std::string_view s) {
  if (s.empty())
    return -1;
  long count = 0;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string_view item = s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    size_t dash = item.find('-');
    std::string_view first = item.substr(0, dash);
    std::string_view last = dash == std::string_view::npos ? item : item.substr(dash + 1);
    auto number = [](std::string_view digits, uint32_t& n) {
      if (digits.empty() || digits.size() > 9)
        return false;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      return ec == std::errc() && end == digits.data() + digits.size();
    };
    uint32_t lo = 0, hi = 0;
    if (!number(first, lo) || !number(last, hi) || lo > hi)
      return -1;
    count += static_cast<long>(hi - lo) + 1;
    if (comma == std::string_view::npos)
      break;
    pos = comma + 1;
  }
  return count;
}

util::Status check_id_mappings(std::string_view pointer, const std::vector<IdMapping>& mappings) {
  for (size_t i = 0; i < mappings.size(); ++i) {
    const IdMapping& m = mappings[i];
    if (m.size == 0)
      return invalid(ptr(ptr(pointer, i), "size"), "must be greater than 0");
    constexpr uint64_t kLimit = uint64_t{1} << 32;
    if (uint64_t{m.container_id} + m.size > kLimit)
      return invalid(ptr(ptr(pointer, i), "size"), "containerID + size exceeds 2^32");
    if (uint64_t{m.host_id} + m.size > kLimit)
      return invalid(ptr(ptr(pointer, i), "size"), "hostID + size exceeds 2^32");
  }
  return {};
}

util::Status check_env(std::string_view pointer, const std::vector<std::string>& env) {
  for (size_t i = 0; i < env.size(); ++i) {
    const std::string& kv = env[i];
    size_t eq = kv.find('=');
    if (eq == std::string::npos)
      return invalid(ptr(pointer, i), quote(kv) + " is not in KEY=VALUE form");
    if (eq == 0)
      return invalid(ptr(pointer, i), quote(kv) + " has an empty variable name");
    if (kv.find('\0') != std::string::npos)
      return invalid(ptr(pointer, i), "contains a NUL byte");
  }
  return {};
}

const Namespace* find_namespace(const Config& config, NamespaceType type) {
  if (!config.linux_)
    return nullptr;
  for (const Namespace& ns : config.linux_->namespaces)
    if (ns.type == type)
      return &ns;
  return nullptr;
}

}  // namespace detail

namespace {

using detail::check_absolute;
using detail::invalid;
using detail::ptr;
using detail::quote;
using util::Status;

// A SemVer 2.0.0 numeric identifier: digits, no leading zero unless it is "0".
bool is_numeric_identifier(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  return s.size() == 1 || s[0] != '0';
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading zeros when
// `numeric_rule` (pre-release) is set.
bool is_identifier_list(std::string_view s, bool numeric_rule) {
  if (s.empty())
    return false;
  size_t pos = 0;
  while (true) {
    size_t dot = s.find('.', pos);
    std::string_view id = s.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (id.empty())
      return false;
    for (char c : id) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      if (!ok)
        return false;
    }
    if (numeric_rule && id.find_first_not_of("0123456789") == std::string_view::npos && !is_numeric_identifier(id))
      return false;
    if (dot == std::string_view::npos)
      return true;
    pos = dot + 1;
  }
}

// The major version of a SemVer 2.0.0 string, or nullopt when it is not SemVer.
std::optional<std::string_view> semver_major(std::string_view v) {
  size_t plus = v.find('+');
  if (plus != std::string_view::npos) {
    if (!is_identifier_list(v.substr(plus + 1), false))
      return std::nullopt;
    v = v.substr(0, plus);
  }
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (!is_identifier_list(v.substr(dash + 1), true))
      return std::nullopt;
    v = v.substr(0, dash);
  }
  size_t dot1 = v.find('.');
  if (dot1 == std::string_view::npos)
    return std::nullopt;
  size_t dot2 = v.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos)
    return std::nullopt;
  std::string_view major = v.substr(0, dot1);
  std::string_view minor = v.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view patch = v.substr(dot2 + 1);
  if (!is_numeric_identifier(major) || !is_numeric_identifier(minor) || !is_numeric_identifier(patch))
    return std::nullopt;
  return major;
}

Status check_version(const Config& config) {
  if (config.oci_version.empty())
    return invalid("/ociVersion", "required member missing");
  std::optional<std::string_view> major = semver_major(config.oci_version);
  if (!major)
    return invalid("/ociVersion", quote(config.oci_version) + " is not a SemVer 2.0.0 version");
  if (*major != "1")
    return invalid("/ociVersion",
                   "version " + quote(config.oci_version) + " is not supported: ocistart reads runtime-spec 1.x");
  return {};
}

Status check_root(const Config& config) {
  if (!config.root)
    return invalid("/root", "required member missing");
  if (config.root->path.empty())
    return invalid("/root/path", "must not be empty");
  return {};
}

Status check_capabilities(const Capabilities& caps) {
  const std::pair<const char*, const std::vector<std::string>*> sets[] = {
      {"bounding", &caps.bounding},   {"effective", &caps.effective}, {"inheritable", &caps.inheritable},
      {"permitted", &caps.permitted}, {"ambient", &caps.ambient},
  };
  for (const auto& [name, list] : sets) {
    std::string base = ptr("/process/capabilities", name);
    for (size_t i = 0; i < list->size(); ++i)
      if (!capability_from_name((*list)[i]))
        return invalid(ptr(base, i), "unknown capability " + quote((*list)[i]));
  }
  return {};
}

Status check_rlimits(const std::vector<Rlimit>& rlimits) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const Rlimit& r = rlimits[i];
    std::string base = ptr("/process/rlimits", i);
    if (!rlimit_from_name(r.type))
      return invalid(ptr(base, "type"), "unknown rlimit " + quote(r.type));
    if (!seen.insert(r.type).second)
      return invalid(ptr(base, "type"), "duplicate rlimit " + quote(r.type));
    if (r.soft > r.hard)
      return invalid(ptr(base, "soft"),
                     "soft limit " + std::to_string(r.soft) + " is greater than hard limit " + std::to_string(r.hard));
  }
  return {};
}

Status check_scheduler(const Scheduler& s) {
  constexpr std::string_view base = "/process/scheduler";
  if (s.policy.empty())
    return invalid(ptr(base, "policy"), "required member missing");
  if (!scheduler_policy_from_name(s.policy))
    return invalid(ptr(base, "policy"), "unknown scheduler policy " + quote(s.policy));
  if (s.nice < -20 || s.nice > 19)
    return invalid(ptr(base, "nice"), std::to_string(s.nice) + " is outside -20..19");
  bool keep_params = false;
  for (size_t i = 0; i < s.flags.size(); ++i) {
    if (!scheduler_flag_from_name(s.flags[i]))
      return invalid(ptr(ptr(base, "flags"), i), "unknown scheduler flag " + quote(s.flags[i]));
    keep_params = keep_params || s.flags[i] == "SCHED_FLAG_KEEP_PARAMS";
  }
  bool realtime = s.policy == "SCHED_FIFO" || s.policy == "SCHED_RR";
  if (!realtime && s.priority != 0)
    return invalid(ptr(base, "priority"), "only SCHED_FIFO and SCHED_RR take a priority");
  if (realtime && !keep_params && (s.priority < 1 || s.priority > 99))
    return invalid(ptr(base, "priority"), std::to_string(s.priority) + " is outside 1..99 for " + s.policy);
  if (s.policy != "SCHED_DEADLINE") {
    const std::pair<const char*, uint64_t> fields[] = {
        {"runtime", s.runtime}, {"deadline", s.deadline}, {"period", s.period}};
    for (const auto& [name, value] : fields)
      if (value != 0)
        return invalid(ptr(base, name), "only SCHED_DEADLINE takes runtime, deadline and period");
    return {};
  }
  if (keep_params)
    return {};
  // sched_setattr(2): runtime <= deadline <= period, where period 0 means deadline.
  if (s.deadline == 0)
    return invalid(ptr(base, "deadline"), "SCHED_DEADLINE needs a deadline greater than 0");
  if (s.runtime > s.deadline)
    return invalid(ptr(base, "runtime"),
                   "runtime " + std::to_string(s.runtime) + " is greater than deadline " + std::to_string(s.deadline));
  if (s.period != 0 && s.deadline > s.period)
    return invalid(ptr(base, "deadline"),
                   "deadline " + std::to_string(s.deadline) + " is greater than period " + std::to_string(s.period));
  return {};
}

Status check_process(const Process& p) {
  if (p.args.empty())
    return invalid("/process/args", "must contain at least one entry");
  if (p.args[0].empty())
    return invalid("/process/args/0", "must not be empty");
  for (size_t i = 0; i < p.args.size(); ++i)
    if (p.args[i].find('\0') != std::string::npos)
      return invalid(ptr("/process/args", i), "contains a NUL byte");
  if (p.cwd.empty())
    return invalid("/process/cwd", "required member missing");
  if (Status s = check_absolute("/process/cwd", p.cwd); !s)
    return s;
  if (Status s = detail::check_env("/process/env", p.env); !s)
    return s;
  // consoleSize without terminal is not an error: the spec says to ignore it.
  if (p.user.umask && *p.user.umask > 0777)
    return invalid("/process/user/umask", std::to_string(*p.user.umask) + " is not a file mode mask (0..0777)");
  if (p.capabilities)
    if (Status s = check_capabilities(*p.capabilities); !s)
      return s;
  if (Status s = check_rlimits(p.rlimits); !s)
    return s;
  if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
    return invalid("/process/oomScoreAdj", std::to_string(*p.oom_score_adj) + " is outside -1000..1000");
  if (p.scheduler)
    if (Status s = check_scheduler(*p.scheduler); !s)
      return s;
  if (p.io_priority) {
    if (!io_priority_class_from_name(p.io_priority->io_class))
      return invalid("/process/ioPriority/class", "unknown I/O priority class " + quote(p.io_priority->io_class));
    if (p.io_priority->priority < 0 || p.io_priority->priority > 7)
      return invalid("/process/ioPriority/priority", std::to_string(p.io_priority->priority) + " is outside 0..7");
  }
  if (p.exec_cpu_affinity) {
    const std::pair<const char*, const std::string*> lists[] = {{"initial", &p.exec_cpu_affinity->initial},
                                                                {"final", &p.exec_cpu_affinity->final_}};
    for (const auto& [name, list] : lists)
      if (!list->empty() && detail::count_cpu_list(*list) < 0)
        return invalid(ptr("/process/execCPUAffinity", name), quote(*list) + " is not a CPU list like \"0-3,7\"");
  }
  return {};
}

Status check_uts_name(const Config& config, const char* member, const std::string& value) {
  if (value.empty())
    return {};
  std::string pointer = ptr("", member);
  // HOST_NAME_MAX; sethostname(2) and setdomainname(2) refuse longer names.
  if (value.size() > 64)
    return invalid(pointer, "longer than 64 bytes");
  if (!detail::find_namespace(config, NamespaceType::uts))
    return invalid(pointer, std::string("setting the ") + member + " needs a uts namespace in /linux/namespaces");
  return {};
}

Status check_mount(const Config& config, const Mount& m, size_t index) {
  std::string base = ptr("/mounts", index);
  if (m.destination.empty())
    return invalid(ptr(base, "destination"), "required member missing");
  // The spec tolerates relative destinations for old configs (deprecated); ocistart
  // refuses them rather than guess what they were relative to.
  if (Status s = check_absolute(ptr(base, "destination"), m.destination); !s)
    return s;
  std::string options = ptr(base, "options");
  int idmap_index = -1;       // a bare "idmap" / "ridmap"
  bool inline_idmap = false;  // crun's "idmap=uids=0-1000-10;gids=..." carries its mappings
  for (size_t i = 0; i < m.options.size(); ++i) {
    const std::string& o = m.options[i];
    if (o.empty())
      return invalid(ptr(options, i), "empty mount option");
    if (o == "idmap" || o == "ridmap")
      idmap_index = static_cast<int>(i);
    if (o.starts_with("idmap=") || o.starts_with("ridmap="))
      inline_idmap = true;
    // Options with a value ("mode=755") and the known words of file systems are data for
    // mount(2); anything else is most likely a misspelt flag.
    if (o.find('=') != std::string::npos || detail::one_of(known_mount_options(), o) ||
        detail::one_of(known_filesystem_options(), o))
      continue;
    return invalid(ptr(options, i), "unknown mount option " + quote(o));
  }
  bool has_uid = !m.uid_mappings.empty(), has_gid = !m.gid_mappings.empty();
  if (has_uid && !has_gid)
    return invalid(ptr(base, "gidMappings"), "required with uidMappings");
  if (has_gid && !has_uid)
    return invalid(ptr(base, "uidMappings"), "required with gidMappings");
  if (has_uid && idmap_index < 0 && !inline_idmap)
    return invalid(options, "uidMappings and gidMappings need the \"idmap\" or \"ridmap\" option");
  if (Status s = detail::check_id_mappings(ptr(base, "uidMappings"), m.uid_mappings); !s)
    return s;
  if (Status s = detail::check_id_mappings(ptr(base, "gidMappings"), m.gid_mappings); !s)
    return s;
  // Without mappings of its own the mount takes the container's, which needs a user
  // namespace.
  if (idmap_index >= 0 && !has_uid && !detail::find_namespace(config, NamespaceType::user))
    return invalid(ptr(options, static_cast<size_t>(idmap_index)),
                   quote(m.options[static_cast<size_t>(idmap_index)]) +
                       " without uidMappings and gidMappings needs a user namespace");
  return {};
}

Status check_hooks(const Hooks& hooks) {
  const std::pair<const char*, const std::vector<Hook>*> lists[] = {
      {"prestart", &hooks.prestart},
      {"createRuntime", &hooks.create_runtime},
      {"createContainer", &hooks.create_container},
      {"startContainer", &hooks.start_container},
      {"poststart", &hooks.poststart},
      {"poststop", &hooks.poststop},
  };
  for (const auto& [name, list] : lists) {
    std::string base = ptr("/hooks", name);
    for (size_t i = 0; i < list->size(); ++i) {
      const Hook& h = (*list)[i];
      std::string hook = ptr(base, i);
      if (h.path.empty())
        return invalid(ptr(hook, "path"), "required member missing");
      if (Status s = check_absolute(ptr(hook, "path"), h.path); !s)
        return s;
      if (Status s = detail::check_env(ptr(hook, "env"), h.env); !s)
        return s;
      if (h.timeout && *h.timeout <= 0)
        return invalid(ptr(hook, "timeout"), "must be greater than 0, got " + std::to_string(*h.timeout));
    }
  }
  return {};
}

}  // namespace

util::Status validate(const Config& config) {
  if (Status s = check_version(config); !s)
    return s;
  if (Status s = check_root(config); !s)
    return s;
  if (config.process)
    if (Status s = check_process(*config.process); !s)
      return s;
  if (Status s = check_uts_name(config, "hostname", config.hostname); !s)
    return s;
  if (Status s = check_uts_name(config, "domainname", config.domainname); !s)
    return s;
  for (size_t i = 0; i < config.mounts.size(); ++i)
    if (Status s = check_mount(config, config.mounts[i], i); !s)
      return s;
  if (config.hooks)
    if (Status s = check_hooks(*config.hooks); !s)
      return s;
  if (config.annotations.count(""))
    return invalid("/annotations/", "annotation keys must not be empty");
  if (config.linux_)
    if (Status s = detail::validate_linux(config); !s)
      return s;
  return {};
}

}  // namespace ocistart::spec
