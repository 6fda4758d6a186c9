// Bundle-less runs: run's command line in that mode, flags -> config, ids, image lookup.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "tests/unit/cli_parse.h"
#include "cli/bundleless.h"
#include "runtime/container_id.h"
#include "runtime/state_store.h"
#include "spec/default_spec.h"
#include "spec/validate.h"
#include "util/fs.h"

using namespace ocistart::cli;
namespace spec = ocistart::spec;

namespace {

using ocistart::testing::Cli;
using ocistart::testing::parse;

spec::Config make(const BundlelessOptions& o, const RootfsAccounts& accounts = {}) {
  ocistart::util::Result<spec::Config> c = bundleless_config(o, "/srv/root", accounts, spec::default_config());
  REQUIRE(c.ok());
  return std::move(*c);
}

std::string error_of(const BundlelessOptions& o) {
  ocistart::util::Result<spec::Config> c = bundleless_config(o, "/srv/root", {}, spec::default_config());
  REQUIRE_FALSE(c.ok());
  return c.error().message;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool has_namespace(const spec::Config& c, spec::NamespaceType type) {
  for (const spec::Namespace& ns : c.linux_->namespaces)
    if (ns.type == type)
      return true;
  return false;
}

}  // namespace

TEST_CASE("run: bundle mode is unchanged: exactly the id") {
  auto cli = parse({"run", "-b", "/b", "c1"});
  CHECK(cli->o.run.id == "c1");
  CHECK(cli->o.run.bundle == "/b");
  CHECK(cli->o.run.bundle_given);
  CHECK_FALSE(cli->o.run.bundleless.active());
  CHECK_THROWS_AS(parse({"run"}), CLI::RequiredError);
  CHECK_THROWS_AS(parse({"run", "c1", "extra"}), CLI::ExtrasError);
  CHECK_FALSE(parse({"run", "c1"})->o.run.bundle_given);
  // runc's run takes its flags after the id too.
  auto after = parse({"run", "c1", "-d", "--keep"});
  CHECK(after->o.run.id == "c1");
  CHECK(after->o.run.detach);
  CHECK(after->o.run.keep);
}

TEST_CASE("run: with --rootfs every positional is the command, flags end at the first") {
  auto cli = parse({"run", "--rootfs", "/r", "-E", "A=1", "--name", "box", "sh", "-c", "echo $A", "-d"});
  const RunOptions& r = cli->o.run;
  CHECK(r.bundleless.active());
  CHECK(r.id == "box");
  CHECK(r.bundleless.command == std::vector<std::string>{"sh", "-c", "echo $A", "-d"});
  CHECK_FALSE(r.detach);
  CHECK(r.bundleless.setenv == std::vector<std::string>{"A=1"});

  auto dashed = parse({"run", "-d", "--image", "deb", "-M", "m1", "--", "ls", "-l"});
  CHECK(dashed->o.run.detach);
  CHECK(dashed->o.run.id == "m1");
  CHECK(dashed->o.run.bundleless.image == "deb");
  CHECK(dashed->o.run.bundleless.command == std::vector<std::string>{"ls", "-l"});

  auto eq = parse({"run", "--rootfs=/r", "ls", "-l", "--name", "x"});
  CHECK(eq->o.run.bundleless.command == std::vector<std::string>{"ls", "-l", "--name", "x"});
  CHECK(eq->o.run.id.empty());

  auto bare = parse({"run", "--rootfs", "rel/dir"});
  CHECK(bare->o.run.id.empty());
  CHECK(bare->o.run.bundleless.command.empty());
  CHECK(bare->o.run.bundleless.rootfs.front() == '/');
}

TEST_CASE("run: every bundle-less flag lands in BundlelessOptions") {
  auto cli = parse({"run",
                    "--rootfs",
                    "/r",
                    "--uid",
                    "1000",
                    "--gid",
                    "users",
                    "--working-directory",
                    "/tmp",
                    "-t",
                    "--bind",
                    "/a:/b:ro",
                    "--bind-ro",
                    "/c",
                    "--tmpfs",
                    "/t:size=1m",
                    "--hostname",
                    "h",
                    "--network",
                    "host",
                    "--read-only",
                    "--capability",
                    "net_admin,SYS_TIME",
                    "--drop-capability",
                    "all",
                    "--print-config",
                    "-p",
                    "MemoryMax=1G",
                    "--unit",
                    "u1",
                    "true"});
  const BundlelessOptions& b = cli->o.run.bundleless;
  CHECK(b.uid == "1000");
  CHECK(b.gid == "users");
  CHECK(b.working_directory == "/tmp");
  CHECK(b.pty);
  CHECK(b.binds == std::vector<std::string>{"/a:/b:ro"});
  CHECK(b.binds_ro == std::vector<std::string>{"/c"});
  CHECK(b.tmpfs == std::vector<std::string>{"/t:size=1m"});
  CHECK(b.hostname == "h");
  CHECK(b.network == "host");
  CHECK(b.read_only);
  CHECK(b.capabilities == std::vector<std::string>{"net_admin,SYS_TIME"});
  CHECK(b.drop_capabilities == std::vector<std::string>{"all"});
  CHECK(b.print_config);
  CHECK(cli->o.run.properties == std::vector<std::string>{"MemoryMax=1G"});
  CHECK(cli->o.run.unit == "u1");
  CHECK(b.command == std::vector<std::string>{"true"});
}

TEST_CASE("first_flag_given names a bundle-less flag used without --rootfs") {
  BundlelessOptions o;
  CHECK(o.first_flag_given().empty());
  o.tmpfs = {"/t"};
  CHECK(o.first_flag_given() == "--tmpfs");
  o.setenv = {"A=1"};
  CHECK(o.first_flag_given() == "--setenv");
}

TEST_CASE("bundleless_config: no flags is the default spec on the rootfs, without a terminal") {
  spec::Config c = make({});
  CHECK(c.root->path == "/srv/root");
  CHECK_FALSE(c.root->readonly);
  CHECK(c.process->args == std::vector<std::string>{"sh"});
  CHECK_FALSE(c.process->terminal);
  CHECK(c.mounts.size() == spec::default_config().mounts.size());
  CHECK(has_namespace(c, spec::NamespaceType::network));
  CHECK(c.process->capabilities->ambient.empty());
  CHECK(c.process->capabilities->bounding == spec::default_config().process->capabilities->bounding);
  CHECK(ocistart::spec::validate(c).ok());
}

TEST_CASE("bundleless_config: command, env, cwd, terminal, hostname, read-only") {
  BundlelessOptions o;
  o.command = {"sh", "-c", "echo $FOO"};
  o.setenv = {"FOO=bar", "TERM=dumb", "EMPTY="};
  o.working_directory = "/tmp";
  o.pty = true;
  o.hostname = "box";
  o.read_only = true;
  spec::Config c = make(o);
  CHECK(c.process->args == o.command);
  CHECK(has(c.process->env, "FOO=bar"));
  CHECK(has(c.process->env, "TERM=dumb"));
  CHECK_FALSE(has(c.process->env, "TERM=xterm"));
  CHECK(has(c.process->env, "EMPTY="));
  CHECK(c.process->cwd == "/tmp");
  CHECK(c.process->terminal);
  CHECK(c.hostname == "box");
  CHECK(c.root->readonly);
  CHECK(ocistart::spec::validate(c).ok());

  o = {};
  o.setenv = {"=x"};
  CHECK(error_of(o) == "--setenv: expected NAME=VALUE, got `=x`");
  o.setenv = {"NOVALUE"};
  CHECK(error_of(o).starts_with("--setenv:"));
  o = {};
  o.working_directory = "tmp";
  CHECK(error_of(o).starts_with("--working-directory:"));
}

TEST_CASE("bundleless_config: --uid and --gid as numbers or names in the rootfs's files") {
  RootfsAccounts accounts{"root:x:0:0:root:/root:/bin/sh\n# comment\nalice:x:1000:1001:A:/home/alice:/bin/sh\n",
                          "root:x:0:\nstaff:x:50:alice\n"};
  BundlelessOptions o;
  o.uid = "1000";
  spec::Config c = make(o, accounts);
  CHECK(c.process->user.uid == 1000);
  CHECK(c.process->user.gid == 1001);  // alice's primary group
  o.uid = "alice";
  c = make(o, accounts);
  CHECK(c.process->user.uid == 1000);
  CHECK(c.process->user.gid == 1001);
  o.gid = "staff";
  c = make(o, accounts);
  CHECK(c.process->user.gid == 50);
  o.gid = "7";
  CHECK(make(o, accounts).process->user.gid == 7);
  o = {};
  o.uid = "2000";  // not in passwd: gid 0
  c = make(o, accounts);
  CHECK(c.process->user.uid == 2000);
  CHECK(c.process->user.gid == 0);

  o.uid = "bob";
  CHECK(error_of(o) == "--uid: no user `bob` in the rootfs's /etc/passwd");
  o = {};
  o.gid = "nogroup";
  CHECK(error_of(o) == "--gid: no group `nogroup` in the rootfs's /etc/group");
}

TEST_CASE("bundleless_config: --bind, --bind-ro and --tmpfs are appended in order") {
  BundlelessOptions o;
  o.binds = {"/srv/data:/data", "/srv/ro:/ro:ro", "/srv/same"};
  o.binds_ro = {"/etc/hosts:/h"};
  o.tmpfs = {"/scratch", "/t:size=1m,mode=1777"};
  spec::Config c = make(o);
  size_t n = spec::default_config().mounts.size();
  REQUIRE(c.mounts.size() == n + 6);
  CHECK(c.mounts[n].type == "bind");
  CHECK(c.mounts[n].source == "/srv/data");
  CHECK(c.mounts[n].destination == "/data");
  CHECK(c.mounts[n].options == std::vector<std::string>{"rbind"});
  CHECK(c.mounts[n + 1].options == std::vector<std::string>{"rbind", "ro"});
  CHECK(c.mounts[n + 2].destination == "/srv/same");
  CHECK(c.mounts[n + 3].options == std::vector<std::string>{"rbind", "ro"});
  CHECK(c.mounts[n + 3].destination == "/h");
  CHECK(c.mounts[n + 4].type == "tmpfs");
  CHECK(c.mounts[n + 4].destination == "/scratch");
  CHECK(c.mounts[n + 4].options == std::vector<std::string>{"nosuid", "nodev", "mode=0755"});
  CHECK(c.mounts[n + 5].options == std::vector<std::string>{"nosuid", "nodev", "size=1m", "mode=1777"});
  CHECK(ocistart::spec::validate(c).ok());
}

TEST_CASE("parse_bind and parse_tmpfs refuse bad syntax, naming the flag") {
  CHECK(parse_bind("a:b:c:d", false).error().message == "--bind: expected SRC[:DST[:ro]], got `a:b:c:d`");
  CHECK(parse_bind("/a:/b:ro", true).error().message == "--bind-ro: expected SRC[:DST], got `/a:/b:ro`");
  CHECK(parse_bind(":/b", false).error().message.starts_with("--bind:"));
  CHECK(parse_bind("/a:", false).error().message.starts_with("--bind:"));
  CHECK(parse_bind("/a:/b:rx", false).error().message == "--bind: unknown option `rx` (expected ro or rw)");
  CHECK(parse_bind("/a:rel", false).error().message.starts_with("--bind: the destination must be an absolute path"));
  CHECK(parse_bind("/a:/b:rw", false)->options == std::vector<std::string>{"rbind"});
  // A relative source is made absolute against the cwd.
  CHECK(parse_bind("rel:/b", false)->source.front() == '/');
  CHECK(parse_tmpfs("rel").error().message.starts_with("--tmpfs:"));
  CHECK(parse_tmpfs("").error().message.starts_with("--tmpfs:"));
  CHECK(parse_tmpfs("/t:a,,b").error().message.starts_with("--tmpfs: empty mount option"));
}

TEST_CASE("bundleless_config: --network host drops the network namespace; none keeps it") {
  BundlelessOptions o;
  o.network = "host";
  CHECK_FALSE(has_namespace(make(o), spec::NamespaceType::network));
  CHECK(has_namespace(make(o), spec::NamespaceType::uts));
  o.network = "none";
  CHECK(has_namespace(make(o), spec::NamespaceType::network));
  o.network = "bridge";
  CHECK(error_of(o) == "--network: expected none or host, got `bridge`");
}

TEST_CASE("bundleless_config: --capability adds, --drop-capability removes, drops win") {
  CHECK(capability_name("net_admin") == "CAP_NET_ADMIN");
  CHECK(capability_name("Cap_Sys_Time") == "CAP_SYS_TIME");
  CHECK(capability_name("CAP_KILL") == "CAP_KILL");
  CHECK_FALSE(capability_name("bogus"));
  CHECK_FALSE(capability_name(""));

  BundlelessOptions o;
  o.capabilities = {"net_admin,sys_time", "CAP_KILL"};
  o.drop_capabilities = {"kill"};
  spec::Config c = make(o);
  const spec::Capabilities& caps = *c.process->capabilities;
  CHECK(caps.ambient.empty());
  for (const std::vector<std::string>* set : {&caps.bounding, &caps.effective, &caps.permitted}) {
    CHECK(has(*set, "CAP_NET_ADMIN"));
    CHECK(has(*set, "CAP_SYS_TIME"));
    CHECK_FALSE(has(*set, "CAP_KILL"));
    CHECK(has(*set, "CAP_AUDIT_WRITE"));
  }
  o = {};
  o.drop_capabilities = {"ALL"};
  c = make(o);
  CHECK(c.process->capabilities->bounding.empty());
  CHECK(c.process->capabilities->effective.empty());
  o.drop_capabilities = {};
  o.capabilities = {"all"};
  CHECK(make(o).process->capabilities->bounding.size() > 30);

  o = {};
  o.capabilities = {"net_admin,bogus"};
  CHECK(error_of(o) == "--capability: unknown capability `bogus`");
  o = {};
  o.drop_capabilities = {"nope"};
  CHECK(error_of(o) == "--drop-capability: unknown capability `nope`");
}

TEST_CASE("generated_container_id: image name plus 8 hex digits, else ocistart-") {
  CHECK(generated_container_id("", 0x3f2a9c1e) == "ocistart-3f2a9c1e");
  CHECK(generated_container_id("debian", 0xff) == "debian-000000ff");
  CHECK(generated_container_id("my image", 1) == "ocistart-00000001");  // no valid id
  CHECK(generated_container_id(".hidden", 1) == "ocistart-00000001");
  for (uint32_t r : {0u, 1u, 0xffffffffu})
    CHECK(ocistart::runtime::validate_container_id(generated_container_id("", r)).ok());
}

TEST_CASE("image names are plain names; find_image looks in order and names the places") {
  CHECK(check_image_name("debian").ok());
  CHECK(check_image_name("a.b_c-1").ok());
  for (const char* bad : {"", ".", "..", "a/b", "/abs"})
    CHECK(check_image_name(bad).error().message.starts_with("--image: expected a plain name"));
  CHECK(image_places("x") == std::vector<std::string>{"/var/lib/machines/x", "/var/lib/ocistart/images/x"});

  char tmpl[] = "/tmp/ocistart-image-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  REQUIRE(mkdir((dir + "/second").c_str(), 0700) == 0);
  std::vector<std::string> places{dir + "/first", dir + "/second"};
  CHECK(*find_image("img", places) == dir + "/second");
  REQUIRE(mkdir((dir + "/first").c_str(), 0700) == 0);
  CHECK(*find_image("img", places) == dir + "/first");
  ocistart::util::Result<std::string> missing = find_image("img", {dir + "/nope", dir + "/nada"});
  CHECK(missing.error().message == "--image `img`: not found in " + dir + "/nope, " + dir + "/nada");
  CHECK(missing.error().code == ENOENT);
  CHECK_FALSE(find_image("../x", places).ok());
  CHECK(ocistart::util::remove_tree(dir).ok());
}

TEST_CASE("read_rootfs_accounts resolves symlinks inside the rootfs") {
  char tmpl[] = "/tmp/ocistart-accounts-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  REQUIRE(mkdir((dir + "/etc").c_str(), 0755) == 0);
  REQUIRE(mkdir((dir + "/real").c_str(), 0755) == 0);
  REQUIRE(ocistart::util::write_file_atomic(dir + "/real/passwd", "u:x:5:6::/:/bin/sh\n", 0644).ok());
  // Absolute: resolved in the rootfs, not on the host.
  REQUIRE(symlink("/real/passwd", (dir + "/etc/passwd").c_str()) == 0);
  ocistart::util::Result<RootfsAccounts> a = read_rootfs_accounts(dir);
  REQUIRE(a.ok());
  CHECK(a->passwd == "u:x:5:6::/:/bin/sh\n");
  CHECK(a->group.empty());
  CHECK(ocistart::util::remove_tree(dir).ok());
}

TEST_CASE("the state store keeps a bundle-less run's bundle beside the container and removes it with it") {
  char tmpl[] = "/tmp/ocistart-pbundle-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string root = tmpl;
  auto store = ocistart::runtime::StateStore::open(root);
  REQUIRE(store.ok());
  ocistart::util::Result<std::string> bundle = store->make_private_bundle("c1", "{}\n");
  REQUIRE(bundle.ok());
  CHECK(*bundle == root + "/.bundle-c1");
  CHECK(*ocistart::util::read_file(*bundle + "/config.json") == "{}\n");
  CHECK(store->make_private_bundle("c1", "{}").error().code == EEXIST);
  std::vector<ocistart::util::Error> skipped;
  CHECK(store->load_all(skipped)->empty());  // the hidden bundle is no container
  CHECK(skipped.empty());
  // No container directory: an orphan, removed.
  CHECK(store->remove_orphan_bundle("c1").ok());
  struct stat st {};
  CHECK(stat(bundle->c_str(), &st) < 0);
  // With a container directory: kept, then removed with the container.
  REQUIRE(store->make_private_bundle("c2", "{}").ok());
  REQUIRE(store->create("c2").ok());
  CHECK(store->make_private_bundle("c2", "{}").error().code == EEXIST);
  CHECK(store->remove_orphan_bundle("c2").ok());
  CHECK(stat((root + "/.bundle-c2").c_str(), &st) == 0);
  CHECK(store->remove("c2").ok());
  CHECK(stat((root + "/.bundle-c2").c_str(), &st) < 0);
  // A container directory that exists already (a bundle-mode container): refused first.
  REQUIRE(store->create("c3").ok());
  CHECK(store->make_private_bundle("c3", "{}").error().message == "container `c3` already exists");
  CHECK(stat((root + "/.bundle-c3").c_str(), &st) < 0);
  CHECK(ocistart::util::remove_tree(root).ok());
}
