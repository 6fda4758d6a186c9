#include "linux/user.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "linux/procfs.h"
#include "linux/rootfs_internal.h"
#include "util/fs.h"
#include "util/text.h"
#include "util/unique_fd.h"

namespace ocistart::os {

std::string home_in_passwd(std::string_view passwd, uid_t uid) {
  const std::vector<std::string_view> fields = account_entry(passwd, 2, std::to_string(uid));
  return fields.size() > 5 && !fields[5].empty() ? std::string(fields[5]) : std::string("/");
}

std::vector<std::string> with_home(std::vector<std::string> env, uid_t uid) {
  for (const std::string& e : env)
    if (e.starts_with("HOME="))
      return env;
  // The current root's file, as read_account_file reads a container's: a missing,
  // unreadable or non-regular one gives "/".
  std::string text;
  if (util::UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)); root)
    if (util::Result<std::string> got = read_account_file(root.get(), "etc/passwd"); got)
      text = std::move(*got);
  env.push_back("HOME=" + home_in_passwd(text, uid));
  return env;
}

std::optional<uint32_t> parse_id_number(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

std::vector<std::string_view> account_entry(std::string_view text, size_t key, std::string_view value) {
  for (std::string_view line : util::split(text, '\n')) {
    if (line.empty() || line.front() == '#')
      continue;
    std::vector<std::string_view> fields = util::split(line, ':');
    if (fields.size() >= 4 && key < fields.size() && fields[key] == value)
      return fields;
  }
  return {};
}

std::optional<PasswdEntry> find_passwd_user(std::string_view passwd, std::string_view user) {
  std::vector<std::string_view> fields;
  if (parse_id_number(user))
    fields = account_entry(passwd, 2, user);
  if (fields.empty())
    fields = account_entry(passwd, 0, user);
  if (fields.empty())
    return std::nullopt;
  std::optional<uint32_t> uid = parse_id_number(fields[2]);
  std::optional<uint32_t> gid = parse_id_number(fields[3]);
  if (!uid || !gid)
    return std::nullopt;
  PasswdEntry e{std::string(fields[0]), *uid, *gid, {}, {}};
  if (fields.size() > 5)
    e.home = fields[5];
  if (fields.size() > 6)
    e.shell = fields[6];
  return e;
}

std::vector<uint32_t> member_groups(std::string_view group, std::string_view name) {
  std::vector<uint32_t> gids;
  for (std::string_view line : util::split(group, '\n')) {
    if (line.empty() || line.front() == '#')
      continue;
    std::vector<std::string_view> fields = util::split(line, ':');
    if (fields.size() < 4)
      continue;
    std::optional<uint32_t> gid = parse_id_number(fields[2]);
    if (!gid)
      continue;
    for (std::string_view member : util::split(fields[3], ','))
      if (member == name && std::find(gids.begin(), gids.end(), *gid) == gids.end())
        gids.push_back(*gid);
  }
  return gids;
}

util::Result<std::string> read_account_file(int root, const std::string& rel) {
  util::Result<util::UniqueFd> fd = rootfs_detail::open_in_root(root, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!fd) {
    if (fd.error().code == ENOENT)
      return std::string();
    return std::move(fd).error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) < 0 || !S_ISREG(st.st_mode))
    return std::string();
  return util::read_all(fd->get(), "/" + rel, 4 << 20);
}

bool setgroups_denied() {
  // Through a checked procfs (exec's child sees the container's /proc, where a fake "deny"
  // would keep the runtime's own groups). No /proc, or not a real one: setgroups is tried,
  // and governed by capabilities alone.
  util::Result<util::UniqueFd> fd = open_proc_file("self/setgroups", O_RDONLY);
  if (!fd)
    return false;
  char buf[16];
  ssize_t n = ::read(fd->get(), buf, sizeof buf);
  return n >= 4 && std::string_view(buf, static_cast<size_t>(n)).substr(0, 4) == "deny";
}

namespace {

// True when the process has exactly `wanted` as supplementary groups already (order and
// duplicates aside): then setgroups, which needs CAP_SETGID, can be skipped.
bool groups_already(std::vector<gid_t> wanted) {
  int n = ::getgroups(0, nullptr);
  if (n < 0)
    return false;
  std::vector<gid_t> current(static_cast<size_t>(n));
  n = ::getgroups(n, current.data());
  if (n < 0)
    return false;
  current.resize(static_cast<size_t>(n));
  std::sort(current.begin(), current.end());
  current.erase(std::unique(current.begin(), current.end()), current.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return current == wanted;
}

util::Status set_groups(Syscalls& sys, const std::vector<uint32_t>& gids) {
  std::vector<gid_t> groups(gids.begin(), gids.end());
  if (groups_already(groups))
    return {};
  util::Status s = sys.setgroups(groups);
  if (s)
    return {};
  if (s.error().code == EPERM && setgroups_denied()) {
    // In a user namespace with setgroups denied nobody can change the groups, so there is
    // nothing to clear; asking for specific groups, though, cannot be honoured.
    if (groups.empty())
      return {};
    return util::make_error(
        "setgroups: additionalGids cannot be set: /proc/self/setgroups is `deny` in this user "
        "namespace",
        EPERM);
  }
  return s;
}

// EINVAL from setres[ug]id means the id has no mapping in the current user namespace.
util::Status explain_id_error(util::Status s, std::string_view kind) {
  if (!s && s.error().code == EINVAL) {
    util::Error error = std::move(s).error();
    error.message += " (the " + std::string(kind) + " is not mapped in the user namespace)";
    return error;
  }
  return s;
}

}  // namespace

util::Status switch_user(Syscalls& sys, const spec::User& user, bool keep_caps) {
  if (util::Status s = set_groups(sys, user.additional_gids); !s)
    return s;
  if (util::Status s = explain_id_error(sys.setresgid(user.gid), "gid"); !s)
    return s;
  // Without KEEPCAPS a switch away from uid 0 empties the permitted set, and the capability
  // sets of the config could not be set afterwards.
  if (keep_caps)
    if (util::Status s = sys.prctl(PR_SET_KEEPCAPS, 1, 0); !s)
      return s;
  if (util::Status s = explain_id_error(sys.setresuid(user.uid), "uid"); !s)
    return s;
  if (keep_caps)
    if (util::Status s = sys.prctl(PR_SET_KEEPCAPS, 0, 0); !s)
      return s;
  return {};
}

}  // namespace ocistart::os
