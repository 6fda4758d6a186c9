// What the state store trusts (issue 9): only a root, directory and files that are ours
// and writable by nobody else; the config create kept, not the bundle's; a container
// recorded before its init exists; a directory a killed create left without state.json.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "runtime/state_store.h"
#include "spec/default_spec.h"
#include "spec/serialize.h"
#include "util/fs.h"
#include "temp_dir.h"

using namespace ocistart;
using runtime::ContainerState;
using runtime::StateStore;

namespace {

using ocistart::testing::TempDir;

std::string made_dir(const std::string& path, mode_t mode) {
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);  // not narrowed by the umask
  return path;
}

}  // namespace

TEST_CASE("state store: a root others may write, or a symlink, is refused naming it") {
  TempDir t;
  for (mode_t mode : {01777, 0777, 0770, 0702}) {
    CAPTURE(mode);
    std::string root = made_dir(t.path + "/r" + std::to_string(mode), mode);
    util::Result<StateStore> s = StateStore::open(root);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == EPERM);
    CHECK(s.error().message.find("state root `" + root + "` is writable by group or others") == 0);
    CHECK(s.error().message.find('\n') == std::string::npos);
  }
  // runc makes its root 0700; containerd's and docker's are 0711 or 0755.
  for (mode_t mode : {0700, 0711, 0755}) {
    CAPTURE(mode);
    CHECK(StateStore::open(made_dir(t.path + "/ok" + std::to_string(mode), mode)).ok());
  }
  std::string real = made_dir(t.path + "/real", 0700);
  REQUIRE(::symlink(real.c_str(), (t.path + "/link").c_str()) == 0);
  util::Result<StateStore> link = StateStore::open(t.path + "/link");
  REQUIRE_FALSE(link.ok());
  CHECK(link.error().message.find("is a symlink") != std::string::npos);
}

TEST_CASE("state store: the kept config round-trips, 0600, and one others may write is refused") {
  TempDir t;
  util::Result<StateStore> s = StateStore::open(t.path + "/root");
  REQUIRE(s.ok());
  util::Result<runtime::ContainerLock> lock = s->create("c");
  REQUIRE(lock.ok());
  spec::Config config = spec::default_config();
  config.process->no_new_privileges = true;
  REQUIRE(s->save_config("c", spec::to_json(config, 0)).ok());
  std::string path = s->dir("c") + "/config.json";
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  util::Result<spec::Config> back = s->load_config("c");
  REQUIRE(back.ok());
  CHECK(back->process->no_new_privileges == true);
  CHECK(back->process->args == config.process->args);

  REQUIRE(::chmod(path.c_str(), 0622) == 0);
  util::Result<spec::Config> refused = s->load_config("c");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == EPERM);
  CHECK(refused.error().message.find("writable by group or others") != std::string::npos);

  REQUIRE(::unlink(path.c_str()) == 0);
  util::Result<spec::Config> gone = s->load_config("c");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ENOENT);
}

TEST_CASE("state store: a state.json others may write, or a symlink in its place, is refused") {
  TempDir t;
  util::Result<StateStore> s = StateStore::open(t.path + "/root");
  REQUIRE(s.ok());
  REQUIRE(s->create("c").ok());
  ContainerState state;
  state.id = "c";
  state.status = runtime::ContainerStatus::created;
  REQUIRE(s->save(state).ok());
  std::string path = s->dir("c") + "/state.json";
  REQUIRE(::chmod(path.c_str(), 0666) == 0);
  util::Result<ContainerState> loaded = s->load("c");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == EPERM);
  REQUIRE(::unlink(path.c_str()) == 0);
  REQUIRE(util::write_file_atomic(t.path + "/forged.json", "{}", 0600).ok());
  REQUIRE(::symlink((t.path + "/forged.json").c_str(), path.c_str()) == 0);
  loaded = s->load("c");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().message.find("symlink") != std::string::npos);
}

TEST_CASE("current_status: recorded `creating` without a pid is a create not yet done, not stopped") {
  ContainerState s;
  s.status = runtime::ContainerStatus::creating;
  s.pid = 0;
  CHECK(runtime::current_status(s, "/nonexistent") == runtime::ContainerStatus::creating);
  CHECK_FALSE(runtime::init_alive(s));
  s.status = runtime::ContainerStatus::created;  // a complete container whose pid is unknown: gone
  CHECK(runtime::current_status(s, "/nonexistent") == runtime::ContainerStatus::stopped);
}

TEST_CASE("state store: remove_unrecorded removes a directory without state.json only") {
  TempDir t;
  util::Result<StateStore> s = StateStore::open(t.path + "/root");
  REQUIRE(s.ok());
  {
    util::Result<runtime::ContainerLock> lock = s->create("half");
    REQUIRE(lock.ok());
    REQUIRE(s->save_config("half", "{}").ok());
  }  // the create that made it is gone: its lock with it
  util::Result<bool> removed = s->remove_unrecorded("half");
  REQUIRE(removed.ok());
  CHECK(*removed);
  CHECK(::access(s->dir("half").c_str(), F_OK) != 0);

  removed = s->remove_unrecorded("none");
  REQUIRE(removed.ok());
  CHECK_FALSE(*removed);

  {
    REQUIRE(s->create("whole").ok());
    ContainerState state;
    state.id = "whole";
    REQUIRE(s->save(state).ok());
  }
  removed = s->remove_unrecorded("whole");
  REQUIRE(removed.ok());
  CHECK_FALSE(*removed);
  CHECK(::access((s->dir("whole") + "/state.json").c_str(), F_OK) == 0);
}

TEST_CASE("state store: load_all reads what load reads, skips what is no container, and says what it refuses") {
  TempDir t;
  util::Result<StateStore> opened = StateStore::open(t.path + "/root");
  REQUIRE(opened.ok());
  StateStore& store = *opened;
  auto record = [&](const std::string& id, int pid) {
    REQUIRE(store.create(id).ok());
    ContainerState s;
    s.id = id;
    s.bundle = "/b/" + id;
    s.pid = pid;
    s.pid_start_time = runtime::process_start_time(pid);
    s.status = runtime::ContainerStatus::running;
    REQUIRE(store.save(s).ok());
  };
  record("zeta", ::getpid());             // a live "init": running (no exec.fifo)
  record("alpha", 0);                     // no pid: stopped
  REQUIRE(store.create("nostate").ok());  // a create not that far: not listed, not said
  REQUIRE(util::write_file_atomic(t.path + "/root/plainfile", "{}").ok());
  REQUIRE(::symlink((t.path + "/root/alpha").c_str(), (t.path + "/root/link").c_str()) == 0);
  // Others may write this one's state.json: refused, and said.
  record("open", 0);
  REQUIRE(::chmod((store.dir("open") + "/state.json").c_str(), 0666) == 0);

  std::vector<util::Error> skipped;
  util::Result<std::vector<runtime::StoredContainer>> all = store.load_all(skipped);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].state.id == "alpha");
  CHECK((*all)[0].status == runtime::ContainerStatus::stopped);
  CHECK((*all)[0].state.bundle == "/b/alpha");
  CHECK((*all)[1].state.id == "zeta");
  CHECK((*all)[1].status == runtime::ContainerStatus::running);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].code == EPERM);
  CHECK(skipped[0].message.find(store.dir("open") + "/state.json") != std::string::npos);
  // The same verdicts as one load() each.
  CHECK(store.load("open").error().code == EPERM);
  CHECK(store.load("nostate").error().code == ENOENT);
}
