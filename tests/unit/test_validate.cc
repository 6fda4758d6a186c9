// validate(): top level, root, process, hostname, mounts, hooks, annotations. Each invalid
// case starts from default_config(), breaks one thing and checks the JSON pointer that
// starts the message and a piece of the reason. linux.* is in test_validate_linux.cc.
#include <doctest/doctest.h>

#include <string>

#include "spec/default_spec.h"
#include "spec/validate.h"
#include "validate_checks.h"

using namespace ocistart::spec;

namespace {

Config base() { return default_config(); }
Process& proc(Config& c) { return *c.process; }
Linux& lin(Config& c) { return *c.linux_; }

}  // namespace

TEST_CASE("the default specs are valid") {
  CHECK_VALID(default_config());
  CHECK_VALID(default_config(true, 1000, 1000));
  CHECK_VALID(default_config(true, 0, 0));
}

TEST_CASE("ociVersion must be SemVer 1.x.y") {
  for (const char* v : {"1.0.0", "1.0.2-dev", "1.2.1", "1.3.0+dev", "1.0.0-rc.1+build.5", "1.10.200"}) {
    Config c = base();
    c.oci_version = v;
    INFO(v);
    CHECK_VALID(c);
  }
  Config c = base();
  c.oci_version = "0.5.0";
  CHECK_INVALID(c, "/ociVersion", "not supported");
  c.oci_version = "2.0.0";
  CHECK_INVALID(c, "/ociVersion", "not supported: ocistart reads runtime-spec 1.x");
  c.oci_version = "1.0";
  CHECK_INVALID(c, "/ociVersion", "not a SemVer");
  c.oci_version = "";
  CHECK_INVALID(c, "/ociVersion", "required");
  for (const char* v :
       {"1.02.0", "01.0.0", "1.0.0-", "1.0.0+", "1.0.0-01", "v1.0.0", "1.0.0.0", "1..0", "1.0.x", "1.0.0-a..b"}) {
    c.oci_version = v;
    INFO(v);
    CHECK_INVALID(c, "/ociVersion", "not a SemVer");
  }
}

TEST_CASE("root is required and needs a path") {
  Config c = base();
  c.root.reset();
  CHECK_INVALID(c, "/root", "required");
  c = base();
  c.root->path.clear();
  CHECK_INVALID(c, "/root/path", "must not be empty");
}

TEST_CASE("process: args, cwd, env") {
  Config c = base();
  proc(c).args.clear();
  CHECK_INVALID(c, "/process/args", "at least one entry");
  c = base();
  proc(c).args = {""};
  CHECK_INVALID(c, "/process/args/0", "must not be empty");
  c = base();
  proc(c).args = {"sh", std::string("a\0b", 3)};
  CHECK_INVALID(c, "/process/args/1", "NUL");
  c = base();
  proc(c).cwd = "home";
  CHECK_INVALID(c, "/process/cwd", "absolute path, got \"home\"");
  c = base();
  proc(c).cwd.clear();
  CHECK_INVALID(c, "/process/cwd", "required");
  c = base();
  proc(c).env.push_back("NOVALUE");
  CHECK_INVALID(c, "/process/env/2", "\"NOVALUE\" is not in KEY=VALUE form");
  c = base();
  proc(c).env.insert(proc(c).env.begin(), "=x");
  CHECK_INVALID(c, "/process/env/0", "empty variable name");
  c = base();
  proc(c).env = {"EMPTY=", "A=b=c"};
  CHECK_VALID(c);
  c.process.reset();  // a config without process is valid until `start`
  CHECK_VALID(c);
}

TEST_CASE("process: consoleSize without terminal is ignored, as the spec says") {
  Config c = base();
  proc(c).terminal = false;
  proc(c).console_size = ConsoleSize{24, 80};
  CHECK_VALID(c);
}

TEST_CASE("process: capabilities must be known, each set and index named") {
  Config c = base();
  proc(c).capabilities->effective = {"CAP_KILL", "CAP_FOO"};
  CHECK_INVALID(c, "/process/capabilities/effective/1", "unknown capability \"CAP_FOO\"");
  c = base();
  proc(c).capabilities->ambient.push_back("cap_kill");
  CHECK_INVALID(c, "/process/capabilities/ambient/3", "unknown capability");
  c = base();
  proc(c).capabilities->inheritable = {"CAP_CHECKPOINT_RESTORE", "CAP_BPF", "CAP_PERFMON", "CAP_SYS_ADMIN"};
  CHECK_VALID(c);
  proc(c).capabilities->bounding.push_back("CAP_NET_ADMIN ");
  CHECK_INVALID(c, "/process/capabilities/bounding/3", "unknown capability");
  c = base();
  proc(c).capabilities->permitted = {"CAP_42"};
  CHECK_INVALID(c, "/process/capabilities/permitted/0", "unknown capability");
}

TEST_CASE("process: rlimits known, unique, soft <= hard") {
  Config c = base();
  proc(c).rlimits.push_back({"RLIMIT_FOO", 1, 1});
  CHECK_INVALID(c, "/process/rlimits/1/type", "unknown rlimit \"RLIMIT_FOO\"");
  c = base();
  proc(c).rlimits.push_back({"RLIMIT_NOFILE", 10, 10});
  CHECK_INVALID(c, "/process/rlimits/1/type", "duplicate rlimit \"RLIMIT_NOFILE\"");
  c = base();
  proc(c).rlimits[0].soft = 2048;
  CHECK_INVALID(c, "/process/rlimits/0/soft", "greater than hard limit 1024");
  c = base();
  proc(c).rlimits.push_back({"RLIMIT_CORE", 0, ~uint64_t{0}});
  proc(c).rlimits.push_back({"RLIMIT_RTTIME", 5, 5});
  CHECK_VALID(c);
}

TEST_CASE("process: umask and oomScoreAdj ranges") {
  Config c = base();
  proc(c).user.umask = 0022;
  proc(c).oom_score_adj = -1000;
  CHECK_VALID(c);
  proc(c).oom_score_adj = 1000;
  CHECK_VALID(c);
  proc(c).oom_score_adj = 1001;
  CHECK_INVALID(c, "/process/oomScoreAdj", "1001 is outside -1000..1000");
  proc(c).oom_score_adj = -1001;
  CHECK_INVALID(c, "/process/oomScoreAdj", "outside");
  c = base();
  proc(c).user.umask = 01000;
  CHECK_INVALID(c, "/process/user/umask", "not a file mode mask");
}

TEST_CASE("process: scheduler") {
  Config c = base();
  proc(c).scheduler = Scheduler{};
  CHECK_INVALID(c, "/process/scheduler/policy", "required");
  proc(c).scheduler->policy = "SCHED_FAST";
  CHECK_INVALID(c, "/process/scheduler/policy", "unknown scheduler policy \"SCHED_FAST\"");
  proc(c).scheduler->policy = "SCHED_OTHER";
  proc(c).scheduler->nice = 19;
  CHECK_VALID(c);
  proc(c).scheduler->nice = 20;
  CHECK_INVALID(c, "/process/scheduler/nice", "20 is outside -20..19");
  proc(c).scheduler->nice = -21;
  CHECK_INVALID(c, "/process/scheduler/nice", "outside");
  proc(c).scheduler->nice = 0;
  proc(c).scheduler->priority = 5;
  CHECK_INVALID(c, "/process/scheduler/priority", "only SCHED_FIFO and SCHED_RR");
  proc(c).scheduler->policy = "SCHED_FIFO";
  CHECK_VALID(c);
  proc(c).scheduler->priority = 0;
  CHECK_INVALID(c, "/process/scheduler/priority", "outside 1..99 for SCHED_FIFO");
  proc(c).scheduler->flags = {"SCHED_FLAG_KEEP_PARAMS"};
  CHECK_VALID(c);  // the kernel keeps the current priority
  proc(c).scheduler->flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_TURBO"};
  CHECK_INVALID(c, "/process/scheduler/flags/1", "unknown scheduler flag \"SCHED_FLAG_TURBO\"");
  proc(c).scheduler = Scheduler{"SCHED_BATCH", 0, 0, {}, 1000, 0, 0};
  CHECK_INVALID(c, "/process/scheduler/runtime", "only SCHED_DEADLINE");
  proc(c).scheduler = Scheduler{"SCHED_DEADLINE", 0, 0, {}, 10000, 20000, 30000};
  CHECK_VALID(c);
  proc(c).scheduler->runtime = 25000;
  CHECK_INVALID(c, "/process/scheduler/runtime", "greater than deadline 20000");
  proc(c).scheduler = Scheduler{"SCHED_DEADLINE", 0, 0, {}, 10000, 40000, 30000};
  CHECK_INVALID(c, "/process/scheduler/deadline", "greater than period 30000");
  proc(c).scheduler = Scheduler{"SCHED_DEADLINE", 0, 0, {}, 10000, 0, 0};
  CHECK_INVALID(c, "/process/scheduler/deadline", "needs a deadline");
}

TEST_CASE("process: ioPriority and execCPUAffinity") {
  Config c = base();
  proc(c).io_priority = IoPriority{"IOPRIO_CLASS_BE", 7};
  CHECK_VALID(c);
  proc(c).io_priority->priority = 8;
  CHECK_INVALID(c, "/process/ioPriority/priority", "8 is outside 0..7");
  proc(c).io_priority = IoPriority{"IOPRIO_CLASS_FAST", 0};
  CHECK_INVALID(c, "/process/ioPriority/class", "unknown I/O priority class");
  c = base();
  proc(c).exec_cpu_affinity = CpuAffinity{"0-3,7", "1"};
  CHECK_VALID(c);
  proc(c).exec_cpu_affinity->initial = "0-";
  CHECK_INVALID(c, "/process/execCPUAffinity/initial", "not a CPU list");
  proc(c).exec_cpu_affinity = CpuAffinity{"", "3-1"};
  CHECK_INVALID(c, "/process/execCPUAffinity/final", "\"3-1\" is not a CPU list");
  proc(c).exec_cpu_affinity = CpuAffinity{"0, 1", ""};
  CHECK_INVALID(c, "/process/execCPUAffinity/initial", "not a CPU list");
}

TEST_CASE("hostname and domainname need a uts namespace") {
  Config c = base();
  c.domainname = "example.org";
  CHECK_VALID(c);
  std::erase_if(lin(c).namespaces, [](const Namespace& ns) { return ns.type == NamespaceType::uts; });
  CHECK_INVALID(c, "/hostname", "needs a uts namespace");
  c.hostname.clear();
  CHECK_INVALID(c, "/domainname", "needs a uts namespace");
  c.domainname.clear();
  CHECK_VALID(c);
  c = base();
  c.linux_.reset();
  CHECK_INVALID(c, "/hostname", "uts namespace");
  c = base();
  c.hostname = std::string(65, 'h');
  CHECK_INVALID(c, "/hostname", "longer than 64 bytes");
  c = base();
  for (Namespace& ns : lin(c).namespaces)
    if (ns.type == NamespaceType::uts)
      ns.path = "/proc/1/ns/uts";  // joining one is fine too
  CHECK_VALID(c);
}

TEST_CASE("mounts: destinations are absolute") {
  Config c = base();
  c.mounts[2].destination = "dev/pts";
  CHECK_INVALID(c, "/mounts/2/destination", "absolute path, got \"dev/pts\"");
  c = base();
  c.mounts[0].destination.clear();
  CHECK_INVALID(c, "/mounts/0/destination", "required");
}

TEST_CASE("mounts: flags must be known, file system data is accepted") {
  Config c = base();
  c.mounts[1].options.insert(c.mounts[1].options.begin() + 2, "nosiud");
  CHECK_INVALID(c, "/mounts/1/options/2", "unknown mount option \"nosiud\"");
  c = base();
  c.mounts[4].options.push_back("");
  CHECK_INVALID(c, "/mounts/4/options/3", "empty mount option");
  c = base();
  Mount overlay{"/merged", "overlay",
                "overlay", {"lowerdir=/a:/b", "upperdir=/u", "workdir=/w", "userxattr", "index=off", "volatile"},
                {},        {}};
  Mount cgroup1{"/sys/fs/cgroup/memory", "cgroup", "cgroup", {"nosuid", "memory", "rw"}, {}, {}};
  Mount bind{"/data", "none", "/srv/data", {"rbind", "rprivate", "rro", "rnosymfollow", "nofollow=1"}, {}, {}};
  Mount tmp{"/tmp", "tmpfs", "tmpfs", {"defaults", "nr_inodes=1k", "noswap", "tmpcopyup", "default"}, {}, {}};
  c.mounts.insert(c.mounts.end(), {overlay, cgroup1, bind, tmp});
  CHECK_VALID(c);
}

TEST_CASE("mounts: uidMappings and gidMappings go together and with idmap/ridmap") {
  Config c = base();
  Mount m{"/data", "none", "/srv/data", {"rbind", "idmap"}, {{0, 100000, 65536}}, {{0, 100000, 65536}}};
  c.mounts.push_back(m);
  CHECK_VALID(c);  // no user namespace needed when the mount brings its own mappings
  c.mounts.back().options = {"rbind", "ridmap"};
  CHECK_VALID(c);
  c.mounts.back().gid_mappings.clear();
  CHECK_INVALID(c, "/mounts/7/gidMappings", "required with uidMappings");
  c.mounts.back() = m;
  c.mounts.back().uid_mappings.clear();
  CHECK_INVALID(c, "/mounts/7/uidMappings", "required with gidMappings");
  c.mounts.back() = m;
  c.mounts.back().options = {"rbind"};
  CHECK_INVALID(c, "/mounts/7/options", "need the \"idmap\" or \"ridmap\" option");
  c.mounts.back() = m;
  c.mounts.back().uid_mappings[0].size = 0;
  CHECK_INVALID(c, "/mounts/7/uidMappings/0/size", "greater than 0");
  c.mounts.back() = m;
  c.mounts.back().gid_mappings[0].host_id = 0xffffffffu;
  CHECK_INVALID(c, "/mounts/7/gidMappings/0/size", "exceeds 2^32");
}

TEST_CASE("mounts: idmap without mappings needs a user namespace") {
  Config c = base();
  c.mounts.push_back({"/data", "none", "/srv/data", {"bind", "idmap"}, {}, {}});
  CHECK_INVALID(c, "/mounts/7/options/1", "\"idmap\" without uidMappings and gidMappings needs a user namespace");
  c = default_config(true, 1000, 1000);  // the container's mappings are used
  c.mounts.push_back({"/data", "none", "/srv/data", {"rbind", "ridmap"}, {}, {}});
  CHECK_VALID(c);
  c = base();  // crun's form carries the mappings in the option
  c.mounts.push_back({"/data", "none", "/srv/data", {"bind", "idmap=uids=0-1000-10;gids=0-1000-10"}, {}, {}});
  CHECK_VALID(c);
}

TEST_CASE("hooks: absolute paths, positive timeouts, KEY=VALUE env") {
  Config c = base();
  c.hooks = Hooks{};
  c.hooks->prestart.push_back({"/usr/bin/hook", {"hook", "prestart"}, {"A=b"}, 5});
  c.hooks->poststop.push_back({"/bin/true", {}, {}, std::nullopt});
  CHECK_VALID(c);
  c.hooks->poststop.push_back({"/bin/false", {}, {}, 0});
  CHECK_INVALID(c, "/hooks/poststop/1/timeout", "greater than 0, got 0");
  c.hooks->poststop.pop_back();
  c.hooks->create_runtime.push_back({"hook", {}, {}, std::nullopt});
  CHECK_INVALID(c, "/hooks/createRuntime/0/path", "absolute path, got \"hook\"");
  c.hooks->create_runtime.clear();
  c.hooks->start_container.push_back({"", {}, {}, std::nullopt});
  CHECK_INVALID(c, "/hooks/startContainer/0/path", "required");
  c.hooks->start_container.clear();
  c.hooks->poststart.push_back({"/bin/hook", {}, {"BROKEN"}, -3});
  CHECK_INVALID(c, "/hooks/poststart/0/env/0", "KEY=VALUE");
  c.hooks->poststart.back().env.clear();
  CHECK_INVALID(c, "/hooks/poststart/0/timeout", "got -3");
}

TEST_CASE("annotations: keys must not be empty") {
  Config c = base();
  c.annotations = {{"org.example.key", ""}, {"a/b", "c"}};
  CHECK_VALID(c);
  c.annotations[""] = "x";
  CHECK_INVALID(c, "/annotations/", "must not be empty");
}

TEST_CASE("the first problem wins, in document order") {
  Config c = base();
  c.oci_version = "3.0.0";
  proc(c).cwd = "relative";
  c.mounts[0].destination = "proc";
  CHECK_INVALID(c, "/ociVersion", "not supported");
  c.oci_version = "1.0.0";
  CHECK_INVALID(c, "/process/cwd", "absolute");
}
