#include "runtime/shell.h"

#include <cerrno>

#include "linux/in_root.h"
#include "linux/user.h"
#include "runtime/running.h"

namespace ocistart::runtime {
namespace {

void set_env(std::vector<std::string>& env, const std::string& assignment) {
  std::string prefix = assignment.substr(0, assignment.find('=') + 1);
  std::erase_if(env, [&](const std::string& e) { return e.starts_with(prefix); });
  env.push_back(assignment);
}

}  // namespace

util::Result<ExecOptions> shell_exec_options(const ShellOptions& o, std::string_view passwd, std::string_view group) {
  std::optional<os::PasswdEntry> user = os::find_passwd_user(passwd, o.user);
  if (!user && (o.user == "root" || o.user == "0"))
    user = os::PasswdEntry{"root", 0, 0, "/", "/bin/sh"};
  if (!user)
    return util::make_error("--uid: no user `" + o.user + "` in the container's /etc/passwd", EINVAL);
  if (user->home.empty())
    user->home = "/";
  if (user->shell.empty())
    user->shell = "/bin/sh";
  ExecOptions e;
  e.root = o.root;
  e.id = o.id;
  e.tty = true;
  e.uid = user->uid;
  e.gid = user->gid;
  // As initgroups(3): the primary group and every group that lists the user (this also
  // replaces the config's additionalGids).
  e.additional_gids = {user->gid};
  for (uint32_t gid : os::member_groups(group, user->name))
    if (gid != user->gid)
      e.additional_gids.push_back(gid);
  e.cwd = user->home;
  e.replace_env = true;
  e.env = {"TERM=" + (o.term.empty() ? std::string("vt220") : o.term),
           "HOME=" + user->home,
           "USER=" + user->name,
           "LOGNAME=" + user->name,
           "SHELL=" + user->shell,
           "PATH=" + std::string(kShellPath)};
  for (const std::string& assignment : o.setenv) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
      return util::make_error("--setenv: expected NAME=VALUE, got `" + assignment + "`", EINVAL);
    set_env(e.env, assignment);
  }
  e.args = o.args.empty() ? std::vector<std::string>{user->shell, "-l"} : o.args;
  return e;
}

util::Result<int> shell(const ShellOptions& o) {
  util::Result<ExecOptions> e = util::make_error("");
  {
    // The container's accounts, read through its root; it is released before the exec.
    util::Result<RunningContainer> c = open_running(o.root, o.id);
    if (!c)
      return std::move(c).error();
    util::Result<std::string> passwd = os::read_account_file(c->root.get(), "etc/passwd");
    if (!passwd)
      return std::move(passwd).error();
    util::Result<std::string> group = os::read_account_file(c->root.get(), "etc/group");
    if (!group)
      return std::move(group).error();
    e = shell_exec_options(o, *passwd, *group);
    if (!e)
      return std::move(e).error();
    if (!os::is_directory_in_root(c->root.get(), e->cwd))
      e->cwd = "/";  // as a login without a home directory
  }
  return exec(*e);
}

}  // namespace ocistart::runtime
