// The features document: valid JSON, the members of features.md, truthful for the build.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "build_config.h"
#include "spec/features.h"

namespace {

std::vector<std::string_view> strings(simdjson::dom::element e) {
  std::vector<std::string_view> out;
  simdjson::dom::array array;
  REQUIRE(e.get(array) == simdjson::SUCCESS);
  for (simdjson::dom::element item : array) {
    std::string_view s;
    REQUIRE(item.get(s) == simdjson::SUCCESS);
    out.push_back(s);
  }
  return out;
}

bool boolean(simdjson::dom::element doc, std::string_view pointer) {
  bool b = false;
  REQUIRE_MESSAGE(doc.at_pointer(pointer).get(b) == simdjson::SUCCESS, pointer);
  return b;
}

std::string_view text(simdjson::dom::element doc, std::string_view pointer) {
  std::string_view s;
  REQUIRE_MESSAGE(doc.at_pointer(pointer).get(s) == simdjson::SUCCESS, pointer);
  return s;
}

[[maybe_unused]] bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  for (std::string_view x : v)
    if (x == s)
      return true;
  return false;
}

// Checks that every name of `expected` is in `listed`, one CHECK per name so that a missing
// one is named. The expectations are written out here, not taken from the implementation's
// tables: an entry dropped from a table must fail this test.
void check_lists(const std::vector<std::string_view>& listed, std::initializer_list<std::string_view> expected) {
  for (std::string_view name : expected) {
    CAPTURE(name);
    CHECK(contains(listed, name));
  }
}

struct Features {
  std::string json = ocistart::spec::features_json();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  Features() { REQUIRE(parser.parse(simdjson::padded_string(json)).get(doc) == simdjson::SUCCESS); }
};

}  // namespace

TEST_CASE("features: versions, hooks, mount options") {
  Features f;
  CHECK(text(f.doc, "/ociVersionMin") == "1.0.0");
  CHECK(text(f.doc, "/ociVersionMax") == OCISTART_OCI_VERSION);
  CHECK(strings(f.doc["hooks"]) == std::vector<std::string_view>{"prestart", "createRuntime", "createContainer",
                                                                 "startContainer", "poststart", "poststop"});
  // runc 1.1's list (features.go: every key of its mount flag tables), in its sorted order,
  // then what runc 1.2 and crun add.
  std::vector<std::string_view> options = strings(f.doc["mountOptions"]);
  check_lists(options, {"async",
                        "atime",
                        "bind",
                        "defaults",
                        "dev",
                        "diratime",
                        "dirsync",
                        "exec",
                        "iversion",
                        "lazytime",
                        "loud",
                        "mand",
                        "noatime",
                        "nodev",
                        "nodiratime",
                        "noexec",
                        "noiversion",
                        "nolazytime",
                        "nomand",
                        "norelatime",
                        "nostrictatime",
                        "nosuid",
                        "nosymfollow",
                        "private",
                        "ratime",
                        "rbind",
                        "rdev",
                        "rdiratime",
                        "relatime",
                        "remount",
                        "rexec",
                        "rnoatime",
                        "rnodev",
                        "rnodiratime",
                        "rnoexec",
                        "rnorelatime",
                        "rnostrictatime",
                        "rnosuid",
                        "rnosymfollow",
                        "ro",
                        "rprivate",
                        "rrelatime",
                        "rro",
                        "rrw",
                        "rshared",
                        "rslave",
                        "rstrictatime",
                        "rsuid",
                        "rsymfollow",
                        "runbindable",
                        "rw",
                        "shared",
                        "silent",
                        "slave",
                        "strictatime",
                        "suid",
                        "symfollow",
                        "sync",
                        "tmpcopyup",
                        "unbindable",
                        "idmap",
                        "ridmap"});
}

TEST_CASE("features: linux namespaces, capabilities, cgroup") {
  Features f;
  CHECK(strings(f.doc.at_pointer("/linux/namespaces")) ==
        std::vector<std::string_view>{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"});
  // Every capability up to CAP_CHECKPOINT_RESTORE (40, Linux 5.9), in number order.
  std::vector<std::string_view> caps = strings(f.doc.at_pointer("/linux/capabilities"));
  REQUIRE(caps.size() >= 41);
  CHECK(caps.front() == "CAP_CHOWN");
  CHECK(caps[21] == "CAP_SYS_ADMIN");
  CHECK(caps[40] == "CAP_CHECKPOINT_RESTORE");
  check_lists(caps, {"CAP_DAC_OVERRIDE",  "CAP_KILL",
                     "CAP_SETUID",        "CAP_SETGID",
                     "CAP_SETPCAP",       "CAP_NET_BIND_SERVICE",
                     "CAP_NET_ADMIN",     "CAP_NET_RAW",
                     "CAP_SYS_CHROOT",    "CAP_SYS_PTRACE",
                     "CAP_MKNOD",         "CAP_AUDIT_WRITE",
                     "CAP_SETFCAP",       "CAP_MAC_ADMIN",
                     "CAP_SYSLOG",        "CAP_WAKE_ALARM",
                     "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
                     "CAP_PERFMON",       "CAP_BPF"});
  CHECK(boolean(f.doc, "/linux/cgroup/v1"));
  CHECK(boolean(f.doc, "/linux/cgroup/v2"));
  CHECK(boolean(f.doc, "/linux/cgroup/systemd") == (OCISTART_HAVE_SYSTEMD != 0));
  CHECK_FALSE(boolean(f.doc, "/linux/cgroup/systemdUser"));
  CHECK(boolean(f.doc, "/linux/cgroup/rdma"));
}

TEST_CASE("features: seccomp matches the build and the installed libseccomp") {
  Features f;
  CHECK(boolean(f.doc, "/linux/seccomp/enabled") == (OCISTART_HAVE_SECCOMP != 0));
#if OCISTART_HAVE_SECCOMP
  // What runc 1.1 lists, all of which Debian 12's libseccomp (2.5.4) supports.
  check_lists(strings(f.doc.at_pointer("/linux/seccomp/actions")),
              {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
               "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"});
  check_lists(
      strings(f.doc.at_pointer("/linux/seccomp/operators")),
      {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"});
  check_lists(strings(f.doc.at_pointer("/linux/seccomp/archs")),
              {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
               "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
               "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32",
               "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"});
  std::vector<std::string_view> known = strings(f.doc.at_pointer("/linux/seccomp/knownFlags"));
  check_lists(known, {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"});
  for (std::string_view s : strings(f.doc.at_pointer("/linux/seccomp/supportedFlags")))
    CHECK(contains(known, s));
  CHECK_FALSE(text(f.doc, "/annotations/io.github.seccomp.libseccomp.version").empty());
#else
  CHECK(f.doc.at_pointer("/linux/seccomp/actions").error() == simdjson::NO_SUCH_FIELD);
#endif
}

TEST_CASE("features: LSMs, intelRdt, idmap mounts, annotations") {
  Features f;
  CHECK(boolean(f.doc, "/linux/apparmor/enabled") == (OCISTART_HAVE_APPARMOR != 0));
  CHECK(boolean(f.doc, "/linux/selinux/enabled") == (OCISTART_HAVE_SELINUX != 0));
  CHECK_FALSE(boolean(f.doc, "/linux/intelRdt/enabled"));
  CHECK(boolean(f.doc, "/linux/mountExtensions/idmap/enabled"));
  // netDevices is a runtime-spec 1.3 member: not allowed in a 1.2.1 document.
  CHECK(f.doc.at_pointer("/linux/netDevices").error() == simdjson::NO_SUCH_FIELD);
  CHECK(text(f.doc, "/annotations/io.github.ocistart.version") == OCISTART_VERSION);
  CHECK(text(f.doc, "/annotations/io.github.ocistart.systemd") == (OCISTART_HAVE_SYSTEMD ? "true" : "false"));
  CHECK(f.json.find("org.opencontainers.runc") == std::string::npos);
}

TEST_CASE("features: indented with 4 spaces like runc") {
  Features f;
  CHECK(f.json.rfind("{\n    \"ociVersionMin\": \"1.0.0\",\n", 0) == 0);
}
