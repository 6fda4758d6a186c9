// The state store: create/lock/save/load/list/remove on a temp root, current_status,
// the OCI state document. Concurrency tests (atomic saves, locking) fork real processes.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "runtime/state_store.h"
#include "util/fs.h"

using namespace ocistart;
using runtime::ContainerState;
using runtime::StateStore;

namespace {

struct TempRoot {
  std::string path;
  TempRoot() {
    char tmpl[] = "/tmp/ocistart-state-test-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path = p;
  }
  ~TempRoot() { (void)util::remove_tree(path); }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;
};

StateStore open_store(const std::string& root) {
  util::Result<StateStore> s = StateStore::open(root);
  REQUIRE(s.ok());
  return std::move(s).value();
}

// The ids load_all() lists, in its order; nothing it could not read.
std::vector<std::string> listed_ids(const StateStore& store) {
  std::vector<util::Error> skipped;
  util::Result<std::vector<runtime::StoredContainer>> all = store.load_all(skipped);
  REQUIRE(all.ok());
  CHECK(skipped.empty());
  std::vector<std::string> ids;
  for (const runtime::StoredContainer& c : *all)
    ids.push_back(c.state.id);
  return ids;
}

ContainerState sample_state(const std::string& id) {
  ContainerState s;
  s.oci_version = "1.2.1";
  s.id = id;
  s.status = runtime::ContainerStatus::paused;
  s.pid = 4242;
  s.pid_start_time = 18446744073709551000ull;  // above INT64_MAX: must stay unsigned
  s.bundle = "/srv/bundles/web";
  s.rootfs = "/srv/bundles/web/rootfs";
  s.created = "2024-05-06T07:08:09.123456789Z";
  s.owner = "root";
  s.annotations = {
      {"org.example/quote", "say \"hi\"\n\ttab\\"}, {"unicode", "caf\xc3\xa9 \xe2\x98\x83"}, {"empty", ""}};
  s.cgroup_driver = "systemd";
  s.cgroup_path = "system.slice/ocistart-web.scope";
  s.systemd_unit = "ocistart-web.scope";
  s.systemd_cgroup_flag = true;
  return s;
}

void check_same(const ContainerState& a, const ContainerState& b) {
  CHECK(a.oci_version == b.oci_version);
  CHECK(a.id == b.id);
  CHECK(a.status == b.status);
  CHECK(a.pid == b.pid);
  CHECK(a.pid_start_time == b.pid_start_time);
  CHECK(a.bundle == b.bundle);
  CHECK(a.rootfs == b.rootfs);
  CHECK(a.created == b.created);
  CHECK(a.owner == b.owner);
  CHECK(a.annotations == b.annotations);
  CHECK(a.cgroup_driver == b.cgroup_driver);
  CHECK(a.cgroup_path == b.cgroup_path);
  CHECK(a.systemd_unit == b.systemd_unit);
  CHECK(a.systemd_cgroup_flag == b.systemd_cgroup_flag);
}

// Waits for `pid` and returns its exit code (-1 when killed by a signal).
int wait_exit(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("state store: open makes the root 0700, nested") {
  TempRoot t;
  std::string root = t.path + "/a/b/root";
  StateStore store = open_store(root);
  CHECK(store.root() == root);
  CHECK(store.dir("abc") == root + "/abc");
  struct stat st {};
  REQUIRE(::stat(root.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
  // Opening an existing root is fine too.
  CHECK(StateStore::open(root).ok());
  // A root that is a file is not.
  REQUIRE(util::write_file_atomic(t.path + "/file", "x").ok());
  util::Result<StateStore> bad = StateStore::open(t.path + "/file");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ENOTDIR);
  CHECK(bad.error().message.find("`" + t.path + "/file`") != std::string::npos);
}

TEST_CASE("state store: create twice gives EEXIST naming the id") {
  TempRoot t;
  StateStore store = open_store(t.path);
  {
    util::Result<runtime::ContainerLock> lk = store.create("web");
    REQUIRE(lk.ok());
    CHECK(lk->dirfd() >= 0);
    CHECK((::fcntl(lk->dirfd(), F_GETFD) & FD_CLOEXEC) != 0);
    struct stat st {};
    REQUIRE(::stat(store.dir("web").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
  }
  util::Result<runtime::ContainerLock> again = store.create("web");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == EEXIST);
  CHECK(again.error().message == "container `web` already exists");
}

TEST_CASE("state store: invalid ids never reach the file system") {
  TempRoot t;
  StateStore store = open_store(t.path);
  for (const char* id : {"", ".", "..", "../escape", "a/b"}) {
    CAPTURE(id);
    util::Result<runtime::ContainerLock> c = store.create(id);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == EINVAL);
    CHECK_FALSE(store.lock(id).ok());
    CHECK_FALSE(store.load(id).ok());
    CHECK_FALSE(store.remove(id).ok());
  }
  CHECK_FALSE(exists(t.path + "/../escape"));
  // remove("..") must not have removed the root.
  CHECK(exists(t.path));
}

TEST_CASE("state store: save/load round trip of every field") {
  TempRoot t;
  StateStore store = open_store(t.path);
  REQUIRE(store.create("web").ok());
  ContainerState s = sample_state("web");
  REQUIRE(store.save(s).ok());
  util::Result<ContainerState> back = store.load("web");
  REQUIRE(back.ok());
  check_same(*back, s);

  struct stat st {};
  REQUIRE(::stat((store.dir("web") + "/state.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  // Every status survives; and the defaults of a sparse state.
  for (runtime::ContainerStatus v :
       {runtime::ContainerStatus::creating, runtime::ContainerStatus::created, runtime::ContainerStatus::running,
        runtime::ContainerStatus::paused, runtime::ContainerStatus::stopped}) {
    ContainerState m;
    m.id = "web";
    m.status = v;
    REQUIRE(store.save(m).ok());
    util::Result<ContainerState> b = store.load("web");
    REQUIRE(b.ok());
    check_same(*b, m);
  }
}

TEST_CASE("state store: load of a missing container is ENOENT naming the id") {
  TempRoot t;
  StateStore store = open_store(t.path);
  util::Result<ContainerState> r = store.load("nope");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ENOENT);
  CHECK(r.error().message == "container `nope` does not exist");
  // A directory without state.json (create that died early) is missing too.
  REQUIRE(store.create("early").ok());
  r = store.load("early");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ENOENT);
  CHECK(r.error().message == "container `early` does not exist");
  util::Result<runtime::ContainerLock> lk = store.lock("nope");
  REQUIRE_FALSE(lk.ok());
  CHECK(lk.error().code == ENOENT);
  CHECK(lk.error().message == "container `nope` does not exist");
}

TEST_CASE("state store: a broken state.json gives an error naming the file") {
  TempRoot t;
  StateStore store = open_store(t.path);
  REQUIRE(store.create("bad").ok());
  std::string file = store.dir("bad") + "/state.json";
  const char* docs[] = {"{not json",
                        "[]",
                        R"({"id":"bad"})",
                        R"({"id":"bad","status":"sleeping"})",
                        R"({"id":"bad","status":"running","pid":"12"})",
                        R"({"id":"bad","status":"running","pid":-3})",
                        R"({"id":"bad","status":"running","annotations":{"a":1}})"};
  for (const char* doc : docs) {
    CAPTURE(doc);
    REQUIRE(util::write_file_atomic(file, doc).ok());
    util::Result<ContainerState> r = store.load("bad");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("parse `" + file + "`: ", 0) == 0);
  }
  REQUIRE(util::write_file_atomic(file, R"({"id":"bad","status":"sleeping"})").ok());
  CHECK(store.load("bad").error().message == "parse `" + file + "`: /status: unknown status `sleeping`");
  // Every bad member is named by its JSON pointer, as in a config's errors.
  const std::pair<const char*, const char*> pointed[] = {
      {R"({"status":"running"})", "/id: required member missing"},
      {R"({"id":"bad"})", "/status: required member missing"},
      {R"({"id":7,"status":"running"})", "/id: expected a string, got number"},
      {R"({"id":"bad","status":"running","pid":"12"})", "/pid: expected a 32-bit integer, got string"},
      {R"({"id":"bad","status":"running","pid":-3})", "/pid: expected a process id, got -3"},
      {R"({"id":"bad","status":"running","pid":4294967296})", "/pid: expected a 32-bit integer, got 4294967296"},
      {R"({"id":"bad","status":"running","pidStartTime":-1})", "/pidStartTime: expected an unsigned integer, got -1"},
      {R"({"id":"bad","status":"running","annotations":{"a":1}})", "/annotations/a: expected a string, got number"},
      {R"({"id":"bad","status":"running","systemdCgroup":"yes"})", "/systemdCgroup: expected a boolean, got string"},
      {"[]", "/: expected an object, got array"},
  };
  for (const auto& [doc, want] : pointed) {
    CAPTURE(doc);
    REQUIRE(util::write_file_atomic(file, doc).ok());
    util::Result<ContainerState> r = store.load("bad");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == EINVAL);
    CHECK(r.error().message == "parse `" + file + "`: " + want);
  }
  // A syntax error says where it is.
  REQUIRE(util::write_file_atomic(file, "{not json").ok());
  CHECK(store.load("bad").error().message.find("invalid JSON") != std::string::npos);
  // Unknown members are ignored (a newer writer).
  REQUIRE(util::write_file_atomic(file, R"({"id":"bad","status":"running","future":[1,2]})").ok());
  CHECK(store.load("bad").ok());
}

TEST_CASE("state store: load_all is sorted and skips what is not a container") {
  TempRoot t;
  StateStore store = open_store(t.path);
  for (const char* id : {"zeta", "alpha", "mid-1", "Mid_0"}) {
    REQUIRE(store.create(id).ok());
    REQUIRE(store.save(sample_state(id)).ok());
  }
  REQUIRE(store.create("nostate").ok());  // directory without state.json
  // Temp files and hidden entries in the root, a plain file, a symlink to a container.
  REQUIRE(util::write_file_atomic(t.path + "/.state.json.tmp.1.2.3", "{}").ok());
  REQUIRE(util::write_file_atomic(t.path + "/plainfile", "{}").ok());
  REQUIRE(::mkdir((t.path + "/.hidden").c_str(), 0700) == 0);
  REQUIRE(util::write_file_atomic(t.path + "/.hidden/state.json", "{}").ok());
  REQUIRE(::symlink((t.path + "/alpha").c_str(), (t.path + "/link").c_str()) == 0);
  // A temp file left inside a container dir does not matter either.
  REQUIRE(util::write_file_atomic(store.dir("zeta") + "/.state.json.tmp.9", "x").ok());

  CHECK(listed_ids(store) == std::vector<std::string>{"Mid_0", "alpha", "mid-1", "zeta"});

  REQUIRE(store.remove("alpha").ok());
  CHECK_FALSE(exists(store.dir("alpha")));
  CHECK(store.remove("alpha").ok());  // missing is fine
  CHECK(listed_ids(store) == std::vector<std::string>{"Mid_0", "mid-1", "zeta"});
  util::Result<ContainerState> gone = store.load("alpha");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ENOENT);
}

TEST_CASE("state store: remove deletes everything in the container dir") {
  TempRoot t;
  StateStore store = open_store(t.path);
  util::Result<runtime::ContainerLock> lk = store.create("web");
  REQUIRE(lk.ok());
  REQUIRE(store.save(sample_state("web")).ok());
  REQUIRE(::mkfifo((store.dir("web") + "/exec.fifo").c_str(), 0600) == 0);
  REQUIRE(util::mkdir_p(store.dir("web") + "/sub/deeper").ok());
  REQUIRE(util::write_file_atomic(store.dir("web") + "/sub/deeper/f", "x").ok());
  REQUIRE(store.remove("web").ok());  // while holding the lock, as delete does
  CHECK_FALSE(exists(store.dir("web")));
  CHECK(exists(t.path));
  // The id can be used again.
  CHECK(store.create("web").ok());
}

TEST_CASE("oci_state_json: parses back and has runc's members") {
  ContainerState s = sample_state("web");
  std::string text = runtime::oci_state_json(s, runtime::ContainerStatus::running);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(simdjson::padded_string(text)).get(doc) == simdjson::SUCCESS);
  std::string_view sv;
  int64_t n = 0;
  CHECK((doc["ociVersion"].get(sv) == simdjson::SUCCESS && sv == "1.2.1"));
  CHECK((doc["id"].get(sv) == simdjson::SUCCESS && sv == "web"));
  CHECK((doc["status"].get(sv) == simdjson::SUCCESS && sv == "running"));
  CHECK((doc["pid"].get(n) == simdjson::SUCCESS && n == 4242));
  CHECK((doc["bundle"].get(sv) == simdjson::SUCCESS && sv == "/srv/bundles/web"));
  CHECK((doc["rootfs"].get(sv) == simdjson::SUCCESS && sv == "/srv/bundles/web/rootfs"));
  CHECK((doc["created"].get(sv) == simdjson::SUCCESS && sv == "2024-05-06T07:08:09.123456789Z"));
  CHECK((doc["owner"].get(sv) == simdjson::SUCCESS && sv == "root"));
  CHECK((doc["annotations"]["org.example/quote"].get(sv) == simdjson::SUCCESS && sv == "say \"hi\"\n\ttab\\"));
  CHECK((doc["annotations"]["unicode"].get(sv) == simdjson::SUCCESS && sv == "caf\xc3\xa9 \xe2\x98\x83"));
  // Runtime-private members stay out of the OCI document.
  CHECK(doc["cgroupPath"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(doc["pidStartTime"].error() == simdjson::NO_SUCH_FIELD);
  // runc's member order; indented like json.MarshalIndent(…, "", "  ").
  CHECK(text.find("{\n  \"ociVersion\": \"1.2.1\",\n  \"id\": \"web\",\n  \"pid\": 4242,\n"
                  "  \"status\": \"running\",") == 0);

  // Stopped: pid is 0 (as runc prints it); no annotations member when there are none.
  s.annotations.clear();
  text = runtime::oci_state_json(s, runtime::ContainerStatus::stopped, 0);
  REQUIRE(parser.parse(simdjson::padded_string(text)).get(doc) == simdjson::SUCCESS);
  CHECK((doc["pid"].get(n) == simdjson::SUCCESS && n == 0));
  CHECK((doc["status"].get(sv) == simdjson::SUCCESS && sv == "stopped"));
  CHECK(doc["annotations"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(text.find('\n') == std::string::npos);
}

TEST_CASE("spec::State: what the init decodes and writes again is what the runtime wrote") {
  ContainerState s = sample_state("web");
  const std::string text = runtime::oci_state_json(s, runtime::ContainerStatus::creating, 0);
  CHECK(spec::to_json(runtime::oci_state(s, runtime::ContainerStatus::creating), 0) == text);
  util::Result<spec::State> back = spec::parse_state(text);
  REQUIRE(back);
  CHECK(spec::to_json(*back, 0) == text);
  // The init's edit for its hooks: its own pid and status, nothing else changes.
  back->pid = 1;
  back->status = "created";
  s.pid = 1;
  CHECK(spec::to_json(*back, 0) == runtime::oci_state_json(s, runtime::ContainerStatus::created, 0));
  util::Result<spec::State> bad = spec::parse_state("{\"id\":\"x\",\"status\":\"created\",\"pid\":\"1\"}");
  REQUIRE(!bad);
  CHECK(bad.error().code == EINVAL);
  CHECK(bad.error().message.find("/pid") != std::string::npos);
}

TEST_CASE("parse_proc_stat: counts fields from the last `)`") {
  std::string tail = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 777 20 21\n";
  std::optional<runtime::ProcStat> st = runtime::parse_proc_stat("123 (sh)" + tail);
  REQUIRE(st);
  CHECK(st->state == 'S');
  CHECK(st->start_time == 777);
  // A comm with spaces and parentheses (a process may name itself anything): a parser
  // that splits on the first `)` or on spaces would read the wrong fields.
  st = runtime::parse_proc_stat("123 (a) (b c)" + std::string(" R") + tail.substr(2));
  REQUIRE(st);
  CHECK(st->state == 'R');
  CHECK(st->start_time == 777);
  st = runtime::parse_proc_stat("9 ( ) ) ( ))" + std::string(" Z") + tail.substr(2));
  REQUIRE(st);
  CHECK(st->state == 'Z');
  CHECK(st->start_time == 777);
  CHECK_FALSE(runtime::parse_proc_stat(""));
  CHECK_FALSE(runtime::parse_proc_stat("123 (sh) S 1 2 3"));
  CHECK_FALSE(runtime::parse_proc_stat("123 sh S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 777"));
  CHECK_FALSE(runtime::parse_proc_stat("123 (sh) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x7"));
}

TEST_CASE("process_start_time: matches /proc/self/stat, 0 for no process") {
  uint64_t mine = runtime::process_start_time(::getpid());
  CHECK(mine > 0);
  CHECK(runtime::process_start_time(::getpid()) == mine);
  CHECK(runtime::process_start_time(0) == 0);
  CHECK(runtime::process_start_time(-1) == 0);
  CHECK(runtime::process_start_time(0x3fffffff) == 0);
  // A process whose comm has spaces and parentheses parses the same.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    (void)::prctl(PR_SET_NAME, "x) (y z", 0, 0, 0);
    ::pause();
    ::_exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  util::Result<std::string> stat = util::read_file("/proc/" + std::to_string(child) + "/stat");
  REQUIRE(stat.ok());
  CHECK(stat->find("(x) (y z)") != std::string::npos);
  std::optional<runtime::ProcStat> st = runtime::parse_proc_stat(*stat);
  REQUIRE(st);
  CHECK(st->start_time == runtime::process_start_time(child));
  CHECK(st->start_time >= mine);
  CHECK(st->state != 'Z');
  ::kill(child, SIGKILL);
  (void)wait_exit(child);
}

TEST_CASE("current_status: running, created, paused, stopped from the live process") {
  TempRoot t;
  StateStore store = open_store(t.path);
  REQUIRE(store.create("c").ok());
  ContainerState s = sample_state("c");
  s.status = runtime::ContainerStatus::running;
  std::string dir = store.dir("c");

  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  s.pid = child;
  s.pid_start_time = runtime::process_start_time(child);
  REQUIRE(s.pid_start_time > 0);
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::running);

  // init waits on exec.fifo until `start`: created.
  std::string fifo = dir + "/exec.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::created);
  // A created container paused is paused, not created; resumed, created again.
  s.status = runtime::ContainerStatus::paused;
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::paused);
  s.status = runtime::ContainerStatus::running;
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::created);
  REQUIRE(::unlink(fifo.c_str()) == 0);

  s.status = runtime::ContainerStatus::paused;
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::paused);
  s.status = runtime::ContainerStatus::creating;
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::creating);
  s.status = runtime::ContainerStatus::running;

  // A different start time: the pid now belongs to an unrelated process.
  ContainerState reused = s;
  reused.pid_start_time = s.pid_start_time + 1;
  CHECK(runtime::current_status(reused, dir) == runtime::ContainerStatus::stopped);
  reused.pid_start_time = 0;
  CHECK(runtime::current_status(reused, dir) == runtime::ContainerStatus::stopped);

  // Dead but not reaped yet (zombie): init has exited.
  REQUIRE(::kill(child, SIGKILL) == 0);
  for (int i = 0; i < 200; ++i) {
    std::optional<runtime::ProcStat> st =
        runtime::parse_proc_stat(util::read_file("/proc/" + std::to_string(child) + "/stat").value());
    if (st && st->state == 'Z')
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::stopped);

  // Reaped: the pid is gone.
  (void)wait_exit(child);
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::stopped);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // even with a stale fifo
  CHECK(runtime::current_status(s, dir) == runtime::ContainerStatus::stopped);

  ContainerState never = s;
  never.pid = 0;
  CHECK(runtime::current_status(never, dir) == runtime::ContainerStatus::stopped);
}

TEST_CASE("state store: a save is atomic for a concurrent reader") {
  TempRoot t;
  StateStore store = open_store(t.path);
  REQUIRE(store.create("big").ok());
  ContainerState a = sample_state("big");
  ContainerState b = a;
  a.annotations["payload"] = std::string(1 << 20, 'a');
  b.annotations["payload"] = std::string(1 << 20, 'b');
  b.pid = 7;
  REQUIRE(store.save(a).ok());

  int stop[2];
  REQUIRE(::pipe2(stop, O_CLOEXEC) == 0);
  pid_t writer = ::fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    (void)::close(stop[1]);
    (void)::fcntl(stop[0], F_SETFL, O_NONBLOCK);
    for (unsigned i = 0;; ++i) {
      char c;
      if (::read(stop[0], &c, 1) == 0)  // the parent closed its end: done
        ::_exit(0);
      if (!store.save(i % 2 ? a : b).ok())
        ::_exit(1);
    }
  }
  (void)::close(stop[0]);

  int seen_a = 0;
  int seen_b = 0;
  int bad = 0;
  for (int i = 0; i < 300; ++i) {
    util::Result<ContainerState> r = store.load("big");
    if (!r) {
      if (bad++ == 0)
        MESSAGE(r.error().message.substr(0, 200));
      continue;
    }
    const std::string& p = r->annotations["payload"];
    if (p == a.annotations["payload"] && r->pid == a.pid)
      ++seen_a;
    else if (p == b.annotations["payload"] && r->pid == b.pid)
      ++seen_b;
    else
      ++bad;
  }
  (void)::close(stop[1]);
  CHECK(wait_exit(writer) == 0);
  CHECK(bad == 0);
  CHECK(seen_a + seen_b == 300);
  // The writer's temp files are gone (it finished every save).
  CHECK(listed_ids(store) == std::vector<std::string>{"big"});
}

TEST_CASE("state store: the lock serializes read-modify-write across processes") {
  TempRoot t;
  StateStore store = open_store(t.path);
  {
    util::Result<runtime::ContainerLock> lk = store.create("counter");
    REQUIRE(lk.ok());
    ContainerState s = sample_state("counter");
    s.annotations["n"] = "0";
    REQUIRE(store.save(s).ok());
  }
  constexpr int kProcs = 8;
  constexpr int kIterations = 50;
  pid_t kids[kProcs];
  for (pid_t& kid : kids) {
    kid = ::fork();
    REQUIRE(kid >= 0);
    if (kid == 0) {
      util::Result<StateStore> mine = StateStore::open(t.path);
      if (!mine)
        ::_exit(2);
      for (int i = 0; i < kIterations; ++i) {
        util::Result<runtime::ContainerLock> lk = mine->lock("counter");
        if (!lk)
          ::_exit(3);
        util::Result<ContainerState> s = mine->load("counter");
        if (!s)
          ::_exit(4);
        int n = std::atoi(s->annotations["n"].c_str());
        // Give another process the chance to slip in between load and save.
        if (i % 8 == 0)
          std::this_thread::yield();
        s->annotations["n"] = std::to_string(n + 1);
        if (!mine->save(*s))
          ::_exit(5);
      }
      ::_exit(0);
    }
  }
  for (pid_t kid : kids)
    CHECK(wait_exit(kid) == 0);
  util::Result<ContainerState> s = store.load("counter");
  REQUIRE(s.ok());
  CHECK(s->annotations["n"] == std::to_string(kProcs * kIterations));
}

TEST_CASE("state store: lock blocks while another process holds it") {
  TempRoot t;
  StateStore store = open_store(t.path);
  REQUIRE(store.create("held").ok());
  int ready[2];
  REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
  pid_t holder = ::fork();
  REQUIRE(holder >= 0);
  if (holder == 0) {
    (void)::close(ready[0]);
    util::Result<runtime::ContainerLock> lk = store.lock("held");
    if (!lk)
      ::_exit(1);
    (void)!::write(ready[1], "x", 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::_exit(0);  // exit releases the lock
  }
  (void)::close(ready[1]);
  char c;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  (void)::close(ready[0]);
  auto t0 = std::chrono::steady_clock::now();
  util::Result<runtime::ContainerLock> lk = store.lock("held");
  auto waited = std::chrono::steady_clock::now() - t0;
  REQUIRE(lk.ok());
  // The holder slept 200 ms with the lock after telling us it had it.
  CHECK(waited >= std::chrono::milliseconds(150));
  CHECK(wait_exit(holder) == 0);
}

TEST_CASE("state store: a lock on a container removed meanwhile is ENOENT") {
  TempRoot t;
  StateStore store = open_store(t.path);
  for (bool recreate : {false, true}) {
    CAPTURE(recreate);
    REQUIRE(store.create("doomed").ok());
    REQUIRE(store.save(sample_state("doomed")).ok());
    int ready[2];
    REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
    pid_t deleter = ::fork();
    REQUIRE(deleter >= 0);
    if (deleter == 0) {
      (void)::close(ready[0]);
      util::Result<runtime::ContainerLock> lk = store.lock("doomed");
      if (!lk)
        ::_exit(1);
      (void)!::write(ready[1], "x", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!store.remove("doomed"))
        ::_exit(2);
      // A new container under the same name is not the one the waiter asked for.
      if (recreate && ::mkdir(store.dir("doomed").c_str(), 0700) < 0)
        ::_exit(3);
      ::_exit(0);
    }
    (void)::close(ready[1]);
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    (void)::close(ready[0]);
    util::Result<runtime::ContainerLock> lk = store.lock("doomed");
    CHECK(wait_exit(deleter) == 0);
    REQUIRE_FALSE(lk.ok());
    CHECK(lk.error().code == ENOENT);
    CHECK(lk.error().message == "container `doomed` does not exist");
    REQUIRE(store.remove("doomed").ok());
  }
}

TEST_CASE("status: names round-trip and the legal transitions") {
  using runtime::ContainerStatus;
  for (ContainerStatus v : {ContainerStatus::creating, ContainerStatus::created, ContainerStatus::running,
                            ContainerStatus::paused, ContainerStatus::stopped})
    CHECK(runtime::status_from_string(runtime::to_string(v)) == v);
  CHECK(std::string(runtime::to_string(ContainerStatus::created)) == "created");
  CHECK(std::string(runtime::to_string(ContainerStatus::stopped)) == "stopped");
  CHECK_FALSE(runtime::status_from_string("Running"));
  CHECK_FALSE(runtime::status_from_string(""));
  CHECK(runtime::can_start(ContainerStatus::created));
  CHECK_FALSE(runtime::can_start(ContainerStatus::running));
  CHECK_FALSE(runtime::can_start(ContainerStatus::stopped));
  CHECK(runtime::can_kill(ContainerStatus::running));
  CHECK(runtime::can_kill(ContainerStatus::paused));
  CHECK(runtime::can_kill(ContainerStatus::created));
  CHECK_FALSE(runtime::can_kill(ContainerStatus::stopped));
  CHECK_FALSE(runtime::can_kill(ContainerStatus::creating));
  CHECK(runtime::can_delete(ContainerStatus::stopped));
  CHECK(runtime::can_delete(ContainerStatus::created));  // runc kills it, then deletes
  CHECK_FALSE(runtime::can_delete(ContainerStatus::running));
  CHECK_FALSE(runtime::can_delete(ContainerStatus::paused));
  CHECK(runtime::can_exec(ContainerStatus::running));
  CHECK(runtime::can_exec(ContainerStatus::created));
  CHECK_FALSE(runtime::can_exec(ContainerStatus::stopped));
  CHECK_FALSE(runtime::can_exec(ContainerStatus::paused));
  CHECK(runtime::can_pause(ContainerStatus::running));
  CHECK(runtime::can_pause(ContainerStatus::created));
  CHECK_FALSE(runtime::can_pause(ContainerStatus::paused));
  CHECK(runtime::can_resume(ContainerStatus::paused));
  CHECK_FALSE(runtime::can_resume(ContainerStatus::running));
}
