// Bundle-less runs: flags -> spec::Config (pure), the image lookup and the rootfs's
// account files. See bundleless.h.
#include "cli/bundleless.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "cli/options.h"
#include "linux/user.h"
#include "runtime/container_id.h"
#include "spec/names.h"
#include "util/fs.h"
#include "util/text.h"
#include "util/unique_fd.h"

namespace ocistart::cli {
namespace {

using util::split;

using os::account_entry;
using os::parse_id_number;

util::Error flag_error(std::string_view flag, std::string_view why) {
  return util::make_error(std::string(flag) + ": " + std::string(why), EINVAL);
}

// The user and group: a number, or a name in the rootfs's files.
util::Status apply_user(const BundlelessOptions& o, const RootfsAccounts& accounts, spec::User& user) {
  std::optional<uint32_t> primary_gid;
  if (!o.uid.empty()) {
    std::optional<uint32_t> uid = parse_id_number(o.uid);
    std::vector<std::string_view> entry =
        uid ? account_entry(accounts.passwd, 2, o.uid) : account_entry(accounts.passwd, 0, o.uid);
    if (!uid && !entry.empty())
      uid = parse_id_number(entry[2]);
    if (!uid)
      return flag_error("--uid", "no user `" + o.uid + "` in the rootfs's /etc/passwd");
    if (!entry.empty())
      primary_gid = parse_id_number(entry[3]);
    user.uid = *uid;
    user.gid = primary_gid.value_or(0);
  }
  if (!o.gid.empty()) {
    std::optional<uint32_t> gid = parse_id_number(o.gid);
    if (!gid) {
      std::vector<std::string_view> entry = account_entry(accounts.group, 0, o.gid);
      if (!entry.empty())
        gid = parse_id_number(entry[2]);
    }
    if (!gid)
      return flag_error("--gid", "no group `" + o.gid + "` in the rootfs's /etc/group");
    user.gid = *gid;
  }
  return {};
}

util::Status apply_env(const std::vector<std::string>& setenv, std::vector<std::string>& env) {
  for (const std::string& assignment : setenv) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
      return flag_error("--setenv", "expected NAME=VALUE, got `" + assignment + "`");
    std::string prefix = assignment.substr(0, eq + 1);
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(prefix); });
    env.push_back(assignment);
  }
  return {};
}

// Every capability named in `lists` (comma-separated; `all` for every one).
util::Result<std::vector<std::string>> capability_list(std::string_view flag, const std::vector<std::string>& lists) {
  std::vector<std::string> caps;
  for (const std::string& list : lists)
    for (std::string_view item : split(list, ',')) {
      std::string lower(item);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "all") {
        for (std::string_view name : spec::capability_names())
          caps.emplace_back(name);
        continue;
      }
      std::optional<std::string> name = capability_name(item);
      if (!name)
        return flag_error(flag, "unknown capability `" + std::string(item) + "`");
      caps.push_back(std::move(*name));
    }
  return caps;
}

util::Status apply_capabilities(const BundlelessOptions& o, spec::Process& process) {
  util::Result<std::vector<std::string>> add = capability_list("--capability", o.capabilities);
  if (!add)
    return std::move(add).error();
  util::Result<std::vector<std::string>> drop = capability_list("--drop-capability", o.drop_capabilities);
  if (!drop)
    return std::move(drop).error();
  if (!process.capabilities)
    process.capabilities.emplace();
  spec::Capabilities& c = *process.capabilities;
  // No ambient set (the default spec's cannot be raised without inheritable ones): as with
  // nspawn, the capabilities are root's, and a --uid other than 0 loses them at exec.
  c.ambient.clear();
  for (std::vector<std::string>* set : {&c.bounding, &c.effective, &c.permitted}) {
    for (const std::string& cap : *add)
      if (std::find(set->begin(), set->end(), cap) == set->end())
        set->push_back(cap);
  }
  for (std::vector<std::string>* set : {&c.bounding, &c.effective, &c.inheritable, &c.permitted})
    std::erase_if(*set,
                  [&](const std::string& cap) { return std::find(drop->begin(), drop->end(), cap) != drop->end(); });
  return {};
}

util::Status apply_network(std::string_view network, spec::Config& config) {
  if (network.empty() || network == "none")
    return {};  // the default spec has a network namespace of its own (only loopback)
  if (network != "host")
    return flag_error("--network", "expected none or host, got `" + std::string(network) + "`");
  if (config.linux_)
    std::erase_if(config.linux_->namespaces,
                  [](const spec::Namespace& ns) { return ns.type == spec::NamespaceType::network; });
  return {};
}

}  // namespace

std::string BundlelessOptions::first_flag_given() const {
  if (!name.empty())
    return "--name";
  if (!setenv.empty())
    return "--setenv";
  if (!uid.empty())
    return "--uid";
  if (!gid.empty())
    return "--gid";
  if (!working_directory.empty())
    return "--working-directory";
  if (pty)
    return "--pty";
  if (!binds.empty())
    return "--bind";
  if (!binds_ro.empty())
    return "--bind-ro";
  if (!tmpfs.empty())
    return "--tmpfs";
  if (!hostname.empty())
    return "--hostname";
  if (!network.empty())
    return "--network";
  if (read_only)
    return "--read-only";
  if (!capabilities.empty())
    return "--capability";
  if (!drop_capabilities.empty())
    return "--drop-capability";
  if (print_config)
    return "--print-config";
  return "";
}

std::optional<std::string> capability_name(std::string_view text) {
  std::string name(text);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (!name.starts_with("CAP_"))
    name = "CAP_" + name;
  if (!spec::capability_from_name(name))
    return std::nullopt;
  return name;
}

util::Result<spec::Mount> parse_bind(std::string_view text, bool read_only) {
  const char* flag = read_only ? "--bind-ro" : "--bind";
  const char* syntax = read_only ? "expected SRC[:DST]" : "expected SRC[:DST[:ro]]";
  std::vector<std::string_view> parts = split(text, ':');
  if (parts.size() > (read_only ? 2u : 3u) || parts[0].empty() || (parts.size() > 1 && parts[1].empty()))
    return flag_error(flag, std::string(syntax) + ", got `" + std::string(text) + "`");
  if (parts.size() == 3) {
    if (parts[2] == "ro")
      read_only = true;
    else if (parts[2] != "rw")
      return flag_error(flag, "unknown option `" + std::string(parts[2]) + "` (expected ro or rw)");
  }
  spec::Mount m;
  m.type = "bind";
  m.source = absolute_path(parts[0]);
  m.destination = parts.size() > 1 ? std::string(parts[1]) : m.source;
  if (m.destination.front() != '/')
    return flag_error(flag, "the destination must be an absolute path, got `" + m.destination + "`");
  m.options = {"rbind"};
  if (read_only)
    m.options.push_back("ro");
  return m;
}

util::Result<spec::Mount> parse_tmpfs(std::string_view text) {
  size_t colon = text.find(':');
  std::string destination(text.substr(0, colon));
  if (destination.empty() || destination.front() != '/')
    return flag_error("--tmpfs", "expected an absolute DST[:OPTIONS], got `" + std::string(text) + "`");
  spec::Mount m;
  m.type = "tmpfs";
  m.source = "tmpfs";
  m.destination = destination;
  m.options = {"nosuid", "nodev"};
  bool mode = false;
  if (colon != std::string_view::npos)
    for (std::string_view option : split(text.substr(colon + 1), ',')) {
      if (option.empty())
        return flag_error("--tmpfs", "empty mount option in `" + std::string(text) + "`");
      mode = mode || option.starts_with("mode=");
      m.options.emplace_back(option);
    }
  if (!mode)
    m.options.insert(m.options.begin() + 2, "mode=0755");
  return m;
}

util::Result<spec::Config> bundleless_config(const BundlelessOptions& o, const std::string& rootfs,
                                             const RootfsAccounts& accounts, spec::Config config) {
  config.root = spec::Root{rootfs, o.read_only};
  if (!config.process)
    config.process.emplace();
  spec::Process& p = *config.process;
  if (!o.command.empty())
    p.args = o.command;
  p.terminal = o.pty;
  if (util::Status s = apply_env(o.setenv, p.env); !s)
    return std::move(s).error();
  if (util::Status s = apply_user(o, accounts, p.user); !s)
    return std::move(s).error();
  if (!o.working_directory.empty()) {
    if (o.working_directory.front() != '/')
      return flag_error("--working-directory", "must be an absolute path, got `" + o.working_directory + "`");
    p.cwd = o.working_directory;
  }
  if (util::Status s = apply_capabilities(o, p); !s)
    return std::move(s).error();
  for (const std::string& bind : o.binds) {
    util::Result<spec::Mount> m = parse_bind(bind, false);
    if (!m)
      return std::move(m).error();
    config.mounts.push_back(std::move(*m));
  }
  for (const std::string& bind : o.binds_ro) {
    util::Result<spec::Mount> m = parse_bind(bind, true);
    if (!m)
      return std::move(m).error();
    config.mounts.push_back(std::move(*m));
  }
  for (const std::string& tmpfs : o.tmpfs) {
    util::Result<spec::Mount> m = parse_tmpfs(tmpfs);
    if (!m)
      return std::move(m).error();
    config.mounts.push_back(std::move(*m));
  }
  if (!o.hostname.empty())
    config.hostname = o.hostname;
  if (util::Status s = apply_network(o.network, config); !s)
    return std::move(s).error();
  return config;
}

util::Status check_image_name(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return flag_error("--image", "expected a plain name (no `/`, not `.` or `..`), got `" + std::string(name) + "`");
  return {};
}

std::vector<std::string> image_places(std::string_view name) {
  return {"/var/lib/machines/" + std::string(name), "/var/lib/ocistart/images/" + std::string(name)};
}

util::Result<std::string> find_image(std::string_view name, const std::vector<std::string>& places) {
  if (util::Status s = check_image_name(name); !s)
    return std::move(s).error();
  std::string looked;
  for (const std::string& place : places) {
    struct stat st {};
    if (::stat(place.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return place;
    looked += (looked.empty() ? "" : ", ") + place;
  }
  return util::make_error("--image `" + std::string(name) + "`: not found in " + looked, ENOENT);
}

std::string generated_container_id(std::string_view image, uint32_t random) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", random);
  if (!image.empty()) {
    std::string id = std::string(image) + "-" + hex;
    if (runtime::validate_container_id(id))
      return id;
  }
  return std::string("ocistart-") + hex;
}

util::Result<RootfsAccounts> read_rootfs_accounts(const std::string& rootfs) {
  RootfsAccounts accounts;
  for (auto [rel, into] : {std::pair{"etc/passwd", &accounts.passwd}, std::pair{"etc/group", &accounts.group}}) {
    util::Result<std::optional<std::string>> text = util::read_file_in_root(rootfs, rel, 4 << 20);
    if (!text)
      return std::move(text).error();
    if (*text)
      *into = std::move(**text);
  }
  return accounts;
}

}  // namespace ocistart::cli
