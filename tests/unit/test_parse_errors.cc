// parse_config / load_bundle_config on invalid input: every error starts with the JSON
// pointer of the bad member, then says what was expected and what was found.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "spec/parse.h"

using namespace ocistart::spec;

namespace {

struct BadCase {
  std::string json;
  std::string pointer;  // the message starts with "<pointer>: "; "" for invalid JSON
  std::string reason;   // a fragment of what follows
};

// Wraps `process` members into a valid document around them.
std::string with_process(const std::string& members) {
  return R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 0, "gid": 0}, )" + members + "}}";
}
// Wraps `linux` members into a valid document around them.
std::string with_linux(const std::string& members) { return R"({"ociVersion": "1.2.0", "linux": {)" + members + "}}"; }
// Wraps `linux.resources` members into a valid document around them.
std::string with_resources(const std::string& members) { return with_linux(R"("resources": {)" + members + "}"); }

void check_error(const std::string& json, const std::string& pointer, const std::string& reason) {
  CAPTURE(json);
  ocistart::util::Result<Config> r = parse_config(json);
  REQUIRE_FALSE(r.ok());
  const std::string& m = r.error().message;
  CAPTURE(m);
  if (pointer.empty()) {
    CHECK(m.rfind("invalid JSON: ", 0) == 0);
  } else {
    CHECK(m.rfind(pointer + ": ", 0) == 0);
  }
  CHECK(m.find(reason) != std::string::npos);
}

const std::vector<BadCase> kDocumentCases = {
    {"this is not json", "", "invalid JSON"},
    {"", "", "invalid JSON"},
    {R"({"ociVersion": "1.2.0")", "", "invalid JSON"},
    {R"({"ociVersion": "1.2.0"} {})", "", "invalid JSON"},
    {"\xff\xfe{}", "", "not valid UTF-8"},
    {"{\"ociVersion\": \"1.2.0\",\n \"process\": {\n  \"cwd\": \"/\",\n  \"user\": {\"uid\": 0 \"gid\": 0}}}",
     "/process/user",
     "improper structure: missing or superfluous commas, braces, missing keys, etc. (line 4, column 21)"},
    {R"({"ociVersion": "1.2.0", "mounts": [{"destination": "/a"}, {"destination": "/b",}]})", "/mounts/1",
     "(line 1, column "},
    // Beyond 64 bits is not a number simdjson can represent: a syntax error, but located.
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 18446744073709551616}}})", "/process/user/uid",
     "invalid JSON: Problem while parsing a number (line 1, column 65)"},
    {R"({"ociVersion": "1.2.0", "linux": {"resources": {"memory": {"limit": -9223372036854775809}}}})",
     "/linux/resources/memory/limit", "invalid JSON: Problem while parsing a number"},
    {R"([{"ociVersion": "1.2.0"}])", "/", "expected an object, got array"},
    {R"("1.2.0")", "/", "expected an object, got string"},
    {R"({})", "/ociVersion", "required member missing"},
    {R"({"ociVersion": 1})", "/ociVersion", "expected a string, got number"},
    {R"({"ociVersion": null})", "/ociVersion", "expected a string, got null"},
    {R"({"ociVersion": "1.2.0", "root": "rootfs"})", "/root", "expected an object, got string"},
    {R"({"ociVersion": "1.2.0", "root": {"readonly": true}})", "/root/path", "required member missing"},
    {R"({"ociVersion": "1.2.0", "root": {"path": "r", "readonly": "yes"}})", "/root/readonly",
     "expected a boolean, got string"},
    {R"({"ociVersion": "1.2.0", "hostname": false})", "/hostname", "expected a string, got boolean"},
    {R"({"ociVersion": "1.2.0", "domainname": []})", "/domainname", "expected a string, got array"},
    {R"({"ociVersion": "1.2.0", "linux": []})", "/linux", "expected an object, got array"},
    {R"({"ociVersion": "1.2.0", "process": 1})", "/process", "expected an object, got number"},
};

const std::vector<BadCase> kMountAndHookCases = {
    {R"({"ociVersion": "1.2.0", "mounts": {"destination": "/x"}})", "/mounts", "expected an array, got object"},
    {R"({"ociVersion": "1.2.0", "mounts": [{"destination": "/a"}, {"destination": "/b"},
        {"destination": "/c"}, {"type": "tmpfs", "source": "tmpfs"}]})",
     "/mounts/3/destination", "required member missing"},
    {R"({"ociVersion": "1.2.0", "mounts": ["/proc"]})", "/mounts/0", "expected an object, got string"},
    {R"({"ociVersion": "1.2.0", "mounts": [{"destination": "/a", "options": ["ro", "nosuid", 7]}]})",
     "/mounts/0/options/2", "expected a string, got number"},
    {R"({"ociVersion": "1.2.0", "mounts": [{"destination": "/a", "options": "ro"}]})", "/mounts/0/options",
     "expected an array, got string"},
    {R"({"ociVersion": "1.2.0", "mounts": [{"destination": "/a",
        "uidMappings": [{"containerID": 0, "hostID": 1000}]}]})",
     "/mounts/0/uidMappings/0/size", "required member missing"},
    {R"({"ociVersion": "1.2.0", "hooks": {"prestart": [{"args": ["x"]}]}})", "/hooks/prestart/0/path",
     "required member missing"},
    {R"({"ociVersion": "1.2.0", "hooks": {"poststop": [{"path": "/a"}, {"path": "/b", "timeout": "5"}]}})",
     "/hooks/poststop/1/timeout", "expected an integer, got string"},
    {R"({"ociVersion": "1.2.0", "hooks": {"createRuntime": {"path": "/a"}}})", "/hooks/createRuntime",
     "expected an array, got object"},
    {R"({"ociVersion": "1.2.0", "hooks": {"startContainer": [{"path": "/a", "env": [1]}]}})",
     "/hooks/startContainer/0/env/0", "expected a string, got number"},
    {R"({"ociVersion": "1.2.0", "annotations": {"io.example/a~b": 1}})", "/annotations/io.example~1a~0b",
     "expected a string, got number"},
    {R"({"ociVersion": "1.2.0", "annotations": ["a=b"]})", "/annotations", "expected an object, got array"},
};

const std::vector<BadCase> kProcessCases = {
    {R"({"ociVersion": "1.2.0", "process": {"user": {"uid": 0, "gid": 0}}})", "/process/cwd",
     "required member missing"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"gid": 0}}})", "/process/user/uid",
     "required member missing"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 0}}})", "/process/user/gid",
     "required member missing"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": -1, "gid": 0}}})", "/process/user/uid",
     "expected an unsigned 32-bit integer, got -1"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 4294967296, "gid": 0}}})", "/process/user/uid",
     "expected an unsigned 32-bit integer, got 4294967296"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 1.5, "gid": 0}}})", "/process/user/uid",
     "expected an unsigned 32-bit integer, got 1.5"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 1e3, "gid": 0}}})", "/process/user/uid",
     "got 1000.0"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 0, "gid": "0"}}})", "/process/user/gid",
     "expected an unsigned 32-bit integer, got string"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": 0, "user": {"uid": 0, "gid": 0}}})", "/process/cwd",
     "expected a string, got number"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": null, "user": {"uid": 0, "gid": 0}}})", "/process/cwd",
     "expected a string, got null"},
    {R"({"ociVersion": "1.2.0", "process": {"cwd": "/",
        "user": {"uid": 0, "gid": 0, "additionalGids": [1, "2"]}}})",
     "/process/user/additionalGids/1", "expected an unsigned 32-bit integer, got string"},
    {with_process(R"("args": "sh -c true")"), "/process/args", "expected an array, got string"},
    {with_process(R"("args": ["sh", 1])"), "/process/args/1", "expected a string, got number"},
    {with_process(R"("args": ["sh", null])"), "/process/args/1", "expected a string, got null"},
    {with_process(R"("env": {"PATH": "/bin"})"), "/process/env", "expected an array, got object"},
    {with_process(R"("terminal": "yes")"), "/process/terminal", "expected a boolean, got string"},
    {with_process(R"("consoleSize": {"height": 24})"), "/process/consoleSize/width", "required member missing"},
    {with_process(R"("capabilities": {"bounding": [true]})"), "/process/capabilities/bounding/0",
     "expected a string, got boolean"},
    {with_process(R"("capabilities": ["CAP_KILL"])"), "/process/capabilities", "expected an object, got array"},
    {with_process(R"("rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 2},
                                 {"type": "RLIMIT_CORE", "soft": 0}])"),
     "/process/rlimits/1/hard", "required member missing"},
    {with_process(R"("rlimits": [{"type": "RLIMIT_NOFILE", "soft": -1, "hard": 2}])"), "/process/rlimits/0/soft",
     "expected an unsigned integer, got -1"},
    {with_process(R"("rlimits": [{"soft": 1, "hard": 2}])"), "/process/rlimits/0/type", "required member missing"},
    {with_process(R"("oomScoreAdj": 2147483648)"), "/process/oomScoreAdj", "expected a 32-bit integer, got 2147483648"},
    {with_process(R"("noNewPrivileges": 1)"), "/process/noNewPrivileges", "expected a boolean, got number"},
    {with_process(R"("scheduler": {"nice": 1})"), "/process/scheduler/policy", "required member missing"},
    {with_process(R"("scheduler": {"policy": "SCHED_OTHER", "nice": -0.5})"), "/process/scheduler/nice",
     "expected a 32-bit integer, got -0.5"},
    {with_process(R"("scheduler": {"policy": "SCHED_RR", "runtime": -1})"), "/process/scheduler/runtime",
     "expected an unsigned integer, got -1"},
    {with_process(R"("ioPriority": {"priority": 1})"), "/process/ioPriority/class", "required member missing"},
    {with_process(R"("execCPUAffinity": {"final": 3})"), "/process/execCPUAffinity/final",
     "expected a string, got number"},
};

const std::vector<BadCase> kLinuxCases = {
    {with_linux(R"("namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "pdi"}])"), "/linux/namespaces/2/type",
     "unknown namespace type \"pdi\""},
    {with_linux(R"("namespaces": [{"path": "/proc/1/ns/net"}])"), "/linux/namespaces/0/type",
     "required member missing"},
    {with_linux(R"("namespaces": [{"type": 1}])"), "/linux/namespaces/0/type", "expected a string, got number"},
    {with_linux(R"("namespaces": ["pid"])"), "/linux/namespaces/0", "expected an object, got string"},
    {with_linux(R"("uidMappings": [{"containerID": 0, "hostID": -5, "size": 1}])"), "/linux/uidMappings/0/hostID",
     "expected an unsigned 32-bit integer, got -5"},
    {with_linux(R"("gidMappings": [{"containerID": 0, "hostID": 0, "size": 1},
                                   {"hostID": 0, "size": 1}])"),
     "/linux/gidMappings/1/containerID", "required member missing"},
    {with_linux(R"("timeOffsets": {"monotonic": {"secs": 1, "nanosecs": 4294967296}})"),
     "/linux/timeOffsets/monotonic/nanosecs", "expected an unsigned 32-bit integer"},
    {with_linux(R"("timeOffsets": {"boottime": "1s"})"), "/linux/timeOffsets/boottime",
     "expected an object, got string"},
    {with_linux(R"("devices": [{"type": "c", "major": 1, "minor": 3}])"), "/linux/devices/0/path",
     "required member missing"},
    {with_linux(R"("devices": [{"type": "c", "path": "/dev/null"}, {"path": "/dev/zero"}])"), "/linux/devices/1/type",
     "required member missing"},
    {with_linux(R"("devices": [{"type": "c", "path": "/dev/null", "fileMode": "0666"}])"), "/linux/devices/0/fileMode",
     "expected an unsigned 32-bit integer, got string"},
    {with_linux(R"("devices": [{"type": "c", "path": "/dev/null", "major": 1.25}])"), "/linux/devices/0/major",
     "expected an integer, got 1.25"},
    {with_linux(R"("sysctl": {"net.ipv4.ip_forward": "1", "net/ipv4/x": 1})"), "/linux/sysctl/net~1ipv4~1x",
     "expected a string, got number"},
    {with_linux(R"("cgroupsPath": 5)"), "/linux/cgroupsPath", "expected a string, got number"},
    {with_linux(R"("maskedPaths": ["/proc/kcore", {}])"), "/linux/maskedPaths/1", "expected a string, got object"},
    {with_linux(R"("readonlyPaths": "/proc/sys")"), "/linux/readonlyPaths", "expected an array, got string"},
    {with_linux(R"("seccomp": {"syscalls": []})"), "/linux/seccomp/defaultAction", "required member missing"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1})"),
     "/linux/seccomp/defaultErrnoRet", "expected an unsigned 32-bit integer, got -1"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": "SCMP_ARCH_X86"})"),
     "/linux/seccomp/architectures", "expected an array, got string"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"action": "SCMP_ACT_ERRNO"}]})"),
     "/linux/seccomp/syscalls/0/names", "required member missing"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG"},
                                            {"names": ["write"]}]})"),
     "/linux/seccomp/syscalls/1/action", "required member missing"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG",
                                             "args": [{"index": 0, "value": 1}]}]})"),
     "/linux/seccomp/syscalls/0/args/0/op", "required member missing"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG",
                                             "args": [{"value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
     "/linux/seccomp/syscalls/0/args/0/index", "required member missing"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG",
                                             "args": [{"index": 0, "op": "SCMP_CMP_EQ"}]}]})"),
     "/linux/seccomp/syscalls/0/args/0/value", "required member missing"},
    {with_linux(R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                               "syscalls": [{"names": ["read", 0], "action": "SCMP_ACT_LOG"}]})"),
     "/linux/seccomp/syscalls/0/names/1", "expected a string, got number"},
    {with_linux(R"("personality": {"flags": []})"), "/linux/personality/domain", "required member missing"},
    {with_linux(R"("memoryPolicy": {"nodes": "0"})"), "/linux/memoryPolicy/mode", "required member missing"},
    {with_linux(R"("intelRdt": {"enableCMT": "true"})"), "/linux/intelRdt/enableCMT", "expected a boolean, got string"},
    {with_linux(R"("netDevices": {"eth0": "net0"})"), "/linux/netDevices/eth0", "expected an object, got string"},
    {with_linux(R"("netDevices": {"eth0": {"name": 0}})"), "/linux/netDevices/eth0/name",
     "expected a string, got number"},
};

const std::vector<BadCase> kResourceCases = {
    {with_resources(R"("devices": [{"access": "rwm"}])"), "/linux/resources/devices/0/allow",
     "required member missing"},
    {with_resources(R"("devices": [{"allow": true, "major": "10"}])"), "/linux/resources/devices/0/major",
     "expected an integer, got string"},
    {with_resources(R"("memory": {"limit": "1G"})"), "/linux/resources/memory/limit",
     "expected an integer, got string"},
    {with_resources(R"("memory": {"limit": 9223372036854775808})"), "/linux/resources/memory/limit",
     "expected an integer, got 9223372036854775808"},
    {with_resources(R"("memory": {"swappiness": -1})"), "/linux/resources/memory/swappiness",
     "expected an unsigned integer, got -1"},
    {with_resources(R"("memory": {"disableOOMKiller": 1})"), "/linux/resources/memory/disableOOMKiller",
     "expected a boolean, got number"},
    {with_resources(R"("cpu": {"quota": 1.5})"), "/linux/resources/cpu/quota", "expected an integer, got 1.5"},
    {with_resources(R"("cpu": {"cpus": 3})"), "/linux/resources/cpu/cpus", "expected a string, got number"},
    {with_resources(R"("cpu": {"period": -100000})"), "/linux/resources/cpu/period",
     "expected an unsigned integer, got -100000"},
    {with_resources(R"("pids": {})"), "/linux/resources/pids/limit", "required member missing"},
    {with_resources(R"("blockIO": {"weight": 65536})"), "/linux/resources/blockIO/weight",
     "expected an unsigned 16-bit integer, got 65536"},
    {with_resources(R"("blockIO": {"weightDevice": [{"major": 8, "weight": 10}]})"),
     "/linux/resources/blockIO/weightDevice/0/minor", "required member missing"},
    {with_resources(R"("blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0}]})"),
     "/linux/resources/blockIO/throttleReadBpsDevice/0/rate", "required member missing"},
    {with_resources(R"("blockIO": {"throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": -1}]})"),
     "/linux/resources/blockIO/throttleWriteIOPSDevice/0/rate", "expected an unsigned integer, got -1"},
    {with_resources(R"("hugepageLimits": [{"limit": 1}])"), "/linux/resources/hugepageLimits/0/pageSize",
     "required member missing"},
    {with_resources(R"("hugepageLimits": [{"pageSize": "2MB"}])"), "/linux/resources/hugepageLimits/0/limit",
     "required member missing"},
    {with_resources(R"("network": {"priorities": [{"name": "eth0"}]})"),
     "/linux/resources/network/priorities/0/priority", "required member missing"},
    {with_resources(R"("network": {"priorities": [{"priority": 1}]})"), "/linux/resources/network/priorities/0/name",
     "required member missing"},
    {with_resources(R"("network": {"classID": -1})"), "/linux/resources/network/classID",
     "expected an unsigned 32-bit integer, got -1"},
    {with_resources(R"("rdma": {"mlx5/1": {"hcaHandles": "3"}})"), "/linux/resources/rdma/mlx5~11/hcaHandles",
     "expected an unsigned 32-bit integer, got string"},
    {with_resources(R"("unified": {"memory.max": 1024})"), "/linux/resources/unified/memory.max",
     "expected a string, got number"},
};

void run_cases(const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases)
    check_error(c.json, c.pointer, c.reason);
}

}  // namespace

TEST_CASE("parse errors: document, root and top-level members") { run_cases(kDocumentCases); }

TEST_CASE("parse errors: mounts, hooks, annotations") { run_cases(kMountAndHookCases); }

TEST_CASE("parse errors: process") { run_cases(kProcessCases); }

TEST_CASE("parse errors: linux") { run_cases(kLinuxCases); }

TEST_CASE("parse errors: linux resources") { run_cases(kResourceCases); }

TEST_CASE("parse errors: exact message shapes") {
  auto message = [](const std::string& json) {
    ocistart::util::Result<Config> r = parse_config(json);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(message(R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": -1, "gid": 0}}})") ==
        "/process/user/uid: expected an unsigned 32-bit integer, got -1");
  CHECK(message(with_process(R"("args": ["sh", 2])")) == "/process/args/1: expected a string, got number");
  CHECK(message(R"({"ociVersion": "1.2.0", "root": {}})") == "/root/path: required member missing");
  CHECK(message(with_linux(R"("namespaces": [{"type": "pid"}, {"type": "uts"}, {"type": "pdi"}])")) ==
        "/linux/namespaces/2/type: unknown namespace type \"pdi\"");
  CHECK(message(with_resources(R"("memory": {"limit": "1"})")) ==
        "/linux/resources/memory/limit: expected an integer, got string");
  CHECK(message("{\"ociVersion\": tru}") ==
        "/ociVersion: invalid JSON: Problem while parsing an atom starting with the letter 't' "
        "(line 1, column 16)");
}

TEST_CASE("parse errors: the first bad member in reading order is the one reported") {
  ocistart::util::Result<Config> r = parse_config(
      R"({"ociVersion": "1.2.0", "process": {"cwd": 1, "user": {"uid": -1, "gid": 0}},
          "linux": {"namespaces": [{"type": "bad"}]}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find('\n') == std::string::npos);
  CHECK(r.error().message.rfind("/process/", 0) == 0);
}

TEST_CASE("parse errors: a pre-1.0 document is named as such") {
  ocistart::util::Result<Config> r = parse_config(
      R"({"version": "0.5.0", "platform": {"os": "linux", "arch": "amd64"},
          "process": {"cwd": "", "user": {"uid": 0, "gid": 0}}, "root": {"path": "rootfs"}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("/platform: ", 0) == 0);
  CHECK(r.error().message.find("pre-1.0 layout") != std::string::npos);
  CHECK(r.error().message.find("version 0.5.0") != std::string::npos);
  CHECK(r.error().message.find("runtime-spec 1.x") != std::string::npos);
}

// ---- load_bundle_config ------------------------------------------------------------------

namespace {

class TempBundle {
 public:
  TempBundle() {
    char tmpl[] = "/tmp/ocistart-parse-XXXXXX";
    char* d = ::mkdtemp(tmpl);
    REQUIRE(d != nullptr);
    dir_ = d;
  }
  ~TempBundle() {
    for (const std::string& f : files_)
      (void)::unlink((dir_ + "/" + f).c_str());
    for (const std::string& f : dirs_)
      (void)::rmdir((dir_ + "/" + f).c_str());
    (void)::rmdir(dir_.c_str());
  }
  TempBundle(const TempBundle&) = delete;
  TempBundle& operator=(const TempBundle&) = delete;

  void write(const std::string& name, const std::string& text) {
    std::ofstream out(dir_ + "/" + name);
    out << text;
    files_.push_back(name);
  }
  void mkdir(const std::string& name) {
    REQUIRE(::mkdir((dir_ + "/" + name).c_str(), 0755) == 0);
    dirs_.push_back(name);
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::vector<std::string> files_, dirs_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("load_bundle_config: reads <bundle>/config.json") {
  TempBundle b;
  b.write("config.json", read_text(std::string(OCISTART_TEST_DATA) + "/configs/valid/runc-spec.json"));
  ocistart::util::Result<Config> r = load_bundle_config(b.dir());
  REQUIRE(r.ok());
  CHECK(r->hostname == "runc");
  ocistart::util::Result<Config> slash = load_bundle_config(b.dir() + "/");
  REQUIRE(slash.ok());
  CHECK(slash->root->path == "rootfs");
}

TEST_CASE("load_bundle_config: a missing config.json keeps ENOENT") {
  TempBundle b;
  ocistart::util::Result<Config> r = load_bundle_config(b.dir());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ENOENT);
  CHECK(r.error().message == "config.json: read `" + b.dir() + "/config.json`: no such file or directory");
}

TEST_CASE("load_bundle_config: a directory named config.json") {
  TempBundle b;
  b.mkdir("config.json");
  ocistart::util::Result<Config> r = load_bundle_config(b.dir());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == EISDIR);
  CHECK(r.error().message.rfind("config.json: read `", 0) == 0);
}

TEST_CASE("load_bundle_config: parse errors are prefixed with config.json") {
  TempBundle b;
  b.write("config.json", R"({"ociVersion": "1.2.0", "process": {"cwd": "/", "user": {"uid": 0, "gid": -2}}})");
  ocistart::util::Result<Config> r = load_bundle_config(b.dir());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "config.json: /process/user/gid: expected an unsigned 32-bit integer, got -2");

  TempBundle broken;
  broken.write("config.json", "{\"ociVersion\": \"1.2.0\"\n  \"hostname\": \"x\"}");
  ocistart::util::Result<Config> j = load_bundle_config(broken.dir());
  REQUIRE_FALSE(j.ok());
  CAPTURE(j.error().message);
  CHECK(j.error().message.rfind("config.json: invalid JSON: ", 0) == 0);
  CHECK(j.error().message.find("(line 2, column 3)") != std::string::npos);
}

TEST_CASE("load_bundle_config: the pre-1.0 bundle layout is refused with a clear message") {
  ocistart::util::Result<Config> r =
      load_bundle_config(std::string(OCISTART_TEST_DATA) + "/configs/invalid/pre-1.0-bundle");
  REQUIRE_FALSE(r.ok());
  const std::string& m = r.error().message;
  CAPTURE(m);
  CHECK(m.rfind("config.json: /platform: ", 0) == 0);
  CHECK(m.find("pre-1.0 layout (config.json + runtime.json, version 0.5.0)") != std::string::npos);
  CHECK(m.find("ocistart reads OCI runtime-spec 1.x bundles") != std::string::npos);

  // No "platform" member, but runtime.json beside a config.json without ociVersion.
  TempBundle b;
  b.write("config.json", R"({"version": "0.4.0", "root": {"path": "rootfs"}})");
  b.write("runtime.json", "{}");
  ocistart::util::Result<Config> r2 = load_bundle_config(b.dir());
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().message.rfind("config.json: /ociVersion: required member missing; ", 0) == 0);
  CHECK(r2.error().message.find("pre-1.0 layout") != std::string::npos);

  // A stray runtime.json next to a valid 1.x config.json does not matter.
  TempBundle ok;
  ok.write("config.json", R"({"ociVersion": "1.2.0"})");
  ok.write("runtime.json", "{}");
  CHECK(load_bundle_config(ok.dir()).ok());
}
