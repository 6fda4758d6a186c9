// What the runtime prepares of config.mounts before the clone (idmapped_mounts.h).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "linux/idmapped_mounts.h"
#include "linux/syscalls.h"
#include "tests/fakes/recording_syscalls.h"

using namespace ocistart;

namespace {

spec::Mount bind_mount(std::string source, std::string destination, std::vector<std::string> options) {
  spec::Mount m;
  m.source = std::move(source);
  m.destination = std::move(destination);
  m.options = std::move(options);
  return m;
}

}  // namespace

TEST_CASE("a relative bind source is relative to the bundle, not to our cwd") {
  spec::Config config;
  config.mounts = {bind_mount("data", "/a", {"bind"}), bind_mount("sub/dir", "/b", {"rbind", "ro"}),
                   bind_mount("/abs", "/c", {"bind"}), bind_mount("tmpfs", "/d", {}), bind_mount("rel", "/e", {})};
  config.mounts[3].type = "tmpfs";
  config.mounts[4].type = "bind";
  os::resolve_bind_sources(config, "/srv/bundle");
  CHECK(config.mounts[0].source == "/srv/bundle/data");
  CHECK(config.mounts[1].source == "/srv/bundle/sub/dir");
  CHECK(config.mounts[2].source == "/abs");
  CHECK(config.mounts[3].source == "tmpfs");  // not a bind: a tmpfs's source is a name
  CHECK(config.mounts[4].source == "/srv/bundle/rel");
}

TEST_CASE("with a new user namespace every bind source is opened by the runtime") {
  spec::Config config;
  config.mounts = {bind_mount("/", "/a", {"rbind"}), bind_mount("tmpfs", "/b", {})};
  config.mounts[1].type = "tmpfs";
  testing::RecordingSyscalls sys;
  SUBCASE("no new user namespace: nothing to prepare") {
    util::Result<std::vector<util::UniqueFd>> fds = os::prepare_mount_sources(config, false, sys);
    REQUIRE(fds.ok());
    CHECK(fds->empty());
  }
  SUBCASE("a new user namespace: a detached tree of the bind source, none for the tmpfs") {
    util::Result<std::vector<util::UniqueFd>> fds = os::prepare_mount_sources(config, true, sys);
    REQUIRE(fds.ok());
    REQUIRE(fds->size() == 2);
    CHECK((*fds)[0].valid());
    CHECK(sys.calls == std::vector<std::string>{"open_tree / recursive"});

    CHECK_FALSE((*fds)[1].valid());
  }
  SUBCASE("a missing source names the mount") {
    config.mounts[0].source = "/nonexistent-ocistart-source";
    util::Result<std::vector<util::UniqueFd>> fds = os::prepare_mount_sources(config, true, sys);
    REQUIRE_FALSE(fds.ok());
    CHECK(fds.error().message.starts_with("mount `/a`: "));
    CHECK(fds.error().message.ends_with(": no such file or directory"));
  }
}
