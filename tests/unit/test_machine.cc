// The machine verbs' pure parts and their file rules on temp dirs (no root needed): the
// command lines of shell, copy-to, copy-from and bind; the shell's exec from passwd text;
// copy_entry's rules; paths resolved inside a root.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "linux/copy_tree.h"
#include "linux/in_root.h"
#include "linux/user.h"
#include "runtime/shell.h"
#include "tests/unit/cli_parse.h"
#include "util/fs.h"
#include "util/unique_fd.h"
#include "temp_dir.h"

using ocistart::testing::parse;
using ocistart::util::UniqueFd;
namespace os = ocistart::os;
namespace runtime = ocistart::runtime;

namespace {

using ocistart::testing::TempDir;

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment\n"
    "alice:x:1000:1001:Alice:/home/alice:/bin/zsh\n"
    "bob:x:1002:1002::::\n"
    "1003:x:1004:1004:digits for a name:/home/n:/bin/sh\n";
constexpr const char* kGroup = "root:x:0:\nalice:x:1001:\nstaff:x:50:bob,alice\nwheel:x:10:alice\nbad:x:zz:alice\n";

}  // namespace

TEST_CASE("shell: flags before the id, the command after it, -u and -E") {
  auto cli = parse({"shell", "-u", "alice", "-E", "A=1", "--setenv", "B=2", "c1", "sh", "-c", "exit 3", "-u"});
  const ocistart::cli::ShellOptions& s = cli->o.shell;
  CHECK(s.id == "c1");
  CHECK(s.user == "alice");
  CHECK(s.setenv == std::vector<std::string>{"A=1", "B=2"});
  CHECK(s.args == std::vector<std::string>{"sh", "-c", "exit 3", "-u"});
  auto plain = parse({"shell", "c2"});
  CHECK(plain->o.shell.user == "root");
  CHECK(plain->o.shell.args.empty());
  auto dashes = parse({"shell", "c2", "--", "ls", "-l"});
  CHECK(dashes->o.shell.args == std::vector<std::string>{"ls", "-l"});
  CHECK_THROWS_AS(parse({"shell"}), CLI::ParseError);
}

TEST_CASE("copy-to, copy-from, bind: id, source, destination, flags") {
  auto to = parse({"copy-to", "--mkdir", "c1", "/host/a", "/in/b"});
  CHECK(to->o.copy_to.id == "c1");
  CHECK(to->o.copy_to.source == "/host/a");
  CHECK(to->o.copy_to.destination == "/in/b");
  CHECK(to->o.copy_to.mkdir);
  auto from = parse({"copy-from", "c1", "/in/b", "rel"});
  CHECK(from->o.copy_from.source == "/in/b");
  CHECK(from->o.copy_from.destination == "rel");
  CHECK_FALSE(from->o.copy_from.mkdir);
  CHECK_THROWS_AS(parse({"copy-to", "c1", "/only-source"}), CLI::ParseError);
  CHECK_THROWS_AS(parse({"copy-from", "c1", "a", "b", "c"}), CLI::ParseError);
  auto bind = parse({"bind", "--read-only", "--mkdir", "c1", "/srv", "/mnt/srv"});
  CHECK(bind->o.bind.read_only);
  CHECK(bind->o.bind.mkdir);
  CHECK(bind->o.bind.source == "/srv");
  CHECK(bind->o.bind.destination == "/mnt/srv");
  CHECK_THROWS_AS(parse({"bind", "c1", "/srv"}), CLI::ParseError);
}

TEST_CASE("passwd and group lookups") {
  std::optional<os::PasswdEntry> alice = os::find_passwd_user(kPasswd, "alice");
  REQUIRE(alice);
  CHECK(alice->uid == 1000);
  CHECK(alice->gid == 1001);
  CHECK(alice->home == "/home/alice");
  CHECK(alice->shell == "/bin/zsh");
  REQUIRE(os::find_passwd_user(kPasswd, "1000"));
  CHECK(os::find_passwd_user(kPasswd, "1000")->name == "alice");
  // A number is a uid first, then a name.
  CHECK(os::find_passwd_user(kPasswd, "1003")->uid == 1004);
  CHECK(os::find_passwd_user(kPasswd, "bob")->shell.empty());
  CHECK_FALSE(os::find_passwd_user(kPasswd, "carol"));
  CHECK_FALSE(os::find_passwd_user(kPasswd, "# a comment"));
  CHECK(os::member_groups(kGroup, "alice") == std::vector<uint32_t>{50, 10});
  CHECK(os::member_groups(kGroup, "nobody").empty());
  CHECK(os::parse_id_number("42") == 42u);
  CHECK_FALSE(os::parse_id_number("-1"));
  CHECK_FALSE(os::parse_id_number("4294967296"));
}

TEST_CASE("shell_exec_options: machinectl's environment, the user's shell and home") {
  runtime::ShellOptions o;
  o.root = "/run/x";
  o.id = "c1";
  o.user = "alice";
  o.term = "xterm-256color";
  o.setenv = {"PATH=/opt/bin", "EXTRA=a=b"};
  ocistart::util::Result<runtime::ExecOptions> e = runtime::shell_exec_options(o, kPasswd, kGroup);
  REQUIRE(e);
  CHECK(e->id == "c1");
  CHECK(e->tty);
  CHECK(e->replace_env);
  CHECK(e->uid == 1000u);
  CHECK(e->gid == 1001u);
  CHECK(e->additional_gids == std::vector<uint32_t>{1001, 50, 10});
  CHECK(e->cwd == "/home/alice");
  CHECK(e->args == std::vector<std::string>{"/bin/zsh", "-l"});
  CHECK(e->env == std::vector<std::string>{"TERM=xterm-256color", "HOME=/home/alice", "USER=alice", "LOGNAME=alice",
                                           "SHELL=/bin/zsh", "PATH=/opt/bin", "EXTRA=a=b"});

  o.user = "bob";
  o.term.clear();
  o.setenv.clear();
  o.args = {"id", "-u"};
  e = runtime::shell_exec_options(o, kPasswd, kGroup);
  REQUIRE(e);
  CHECK(e->args == std::vector<std::string>{"id", "-u"});
  CHECK(e->cwd == "/");
  CHECK(e->env[0] == "TERM=vt220");
  CHECK(e->env[4] == "SHELL=/bin/sh");
  CHECK(e->env[5] == "PATH=" + std::string(runtime::kShellPath));

  o.user = "root";  // no passwd at all: root still works
  e = runtime::shell_exec_options(o, "", "");
  REQUIRE(e);
  CHECK(e->uid == 0u);
  CHECK(e->cwd == "/");

  o.user = "carol";
  e = runtime::shell_exec_options(o, kPasswd, kGroup);
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "--uid: no user `carol` in the container's /etc/passwd");
  o.user = "alice";
  o.setenv = {"NOEQUALS"};
  e = runtime::shell_exec_options(o, kPasswd, kGroup);
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "--setenv: expected NAME=VALUE, got `NOEQUALS`");
}

TEST_CASE("open_parent_in_root: symlinks resolve inside the root, never out of it") {
  TempDir root;
  REQUIRE(::mkdir((root.path + "/etc").c_str(), 0755) == 0);
  REQUIRE(::symlink("/", (root.path + "/data").c_str()) == 0);
  REQUIRE(::symlink("/tmp", (root.path + "/etc/out").c_str()) == 0);
  UniqueFd fd = root.open();
  // /data -> / is the root itself, so /data/etc is <root>/etc.
  ocistart::util::Result<os::InRootEntry> e = os::open_parent_in_root(fd.get(), "/data/etc/file", false);
  REQUIRE(e);
  CHECK(e->name == "file");
  CHECK(e->shown == "/data/etc/file");
  struct stat a {
  }, b{};
  REQUIRE(::fstat(e->dir.get(), &a) == 0);
  REQUIRE(::stat((root.path + "/etc").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  // /etc/out -> /tmp: the root's /tmp (missing), not the host's.
  e = os::open_parent_in_root(fd.get(), "/etc/out/x", false);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == ENOENT);
  // ".." stops at the root; "/" and relative paths are refused.
  e = os::open_parent_in_root(fd.get(), "/../../etc/x", false);
  REQUIRE(e);
  CHECK(e->shown == "/etc/x");
  CHECK(os::open_parent_in_root(fd.get(), "/", false).error().code == EINVAL);
  CHECK(os::open_parent_in_root(fd.get(), "etc/x", false).error().code == EINVAL);
  // --mkdir makes the parents inside.
  e = os::open_parent_in_root(fd.get(), "/data/new/dir/f", true);
  REQUIRE(e);
  struct stat made {};
  CHECK(::stat((root.path + "/new/dir").c_str(), &made) == 0);
  CHECK(os::is_directory_in_root(fd.get(), "/new/dir"));
  CHECK_FALSE(os::is_directory_in_root(fd.get(), "/etc/out"));
}

TEST_CASE("copy_entry: never through a symlink at the destination; the creator's rules") {
  TempDir from, to;
  from.write("f", "data", 04755);
  REQUIRE(::symlink("/etc/passwd", (to.path + "/planted").c_str()) == 0);
  UniqueFd a = from.open(), b = to.open();
  os::CopyRules creator;
  creator.owner = os::CopyRules::Owner::creator;
  creator.special_files = false;
  ocistart::util::Status s = os::copy_entry(a.get(), "f", b.get(), "planted", creator);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == EEXIST);
  REQUIRE(os::copy_entry(a.get(), "f", b.get(), "copy", creator));
  struct stat st {};
  REQUIRE(::stat((to.path + "/copy").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);  // set-user-ID dropped
  REQUIRE(::mkfifo((from.path + "/fifo").c_str(), 0644) == 0);
  s = os::copy_entry(a.get(), "fifo", b.get(), "fifo", creator);
  REQUIRE_FALSE(s);
  CHECK(s.error().code == EPERM);
  CHECK(::access((to.path + "/fifo").c_str(), F_OK) != 0);
  // remove_tree_at removes a symlink as a link.
  REQUIRE(ocistart::util::remove_tree_at(b.get(), "planted", "planted"));
  CHECK(::access("/etc/passwd", F_OK) == 0);
  CHECK(::faccessat(b.get(), "planted", F_OK, AT_SYMLINK_NOFOLLOW) != 0);
}
