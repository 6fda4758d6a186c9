// The features document: valid JSON, the members of features.md, truthful for the build.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "build_config.h"
#include "spec/features.h"
#include "spec/names.h"

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
  CHECK(strings(f.doc["mountOptions"]) == ocistart::spec::known_mount_options());
}

TEST_CASE("features: linux namespaces, capabilities, cgroup") {
  Features f;
  CHECK(strings(f.doc.at_pointer("/linux/namespaces")) ==
        std::vector<std::string_view>{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"});
  CHECK(strings(f.doc.at_pointer("/linux/capabilities")) == ocistart::spec::capability_names());
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
  std::vector<std::string_view> actions = strings(f.doc.at_pointer("/linux/seccomp/actions"));
  CHECK(contains(actions, "SCMP_ACT_ALLOW"));
  CHECK(contains(actions, "SCMP_ACT_ERRNO"));
  for (std::string_view a : actions)
    CHECK(contains(ocistart::spec::seccomp_action_names(), a));
  CHECK(strings(f.doc.at_pointer("/linux/seccomp/operators")) == ocistart::spec::seccomp_operator_names());
  std::vector<std::string_view> archs = strings(f.doc.at_pointer("/linux/seccomp/archs"));
  CHECK(contains(archs, "SCMP_ARCH_X86_64"));  // every libseccomp knows it
  for (std::string_view a : archs)
    CHECK(contains(ocistart::spec::seccomp_arch_names(), a));
  std::vector<std::string_view> known = strings(f.doc.at_pointer("/linux/seccomp/knownFlags"));
  CHECK(known == ocistart::spec::seccomp_flag_names());
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
