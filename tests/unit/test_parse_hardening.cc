// What the config reader refuses so that a document means one thing only (issue 9, items
// 3, 8 and 10): a key named twice in one object, a string with a NUL byte, a document
// larger than kMaxDocumentSize. Also how errors show what the document wrote (keys with
// control bytes, 2 KB keys), and the text helpers behind that.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "spec/parse.h"
#include "util/text.h"

using namespace ocistart::spec;
using ocistart::util::Result;

namespace {

const std::string kHead = R"({"ociVersion": "1.2.0", )";

std::string config_error(const std::string& json) {
  CAPTURE(json);
  Result<Config> r = parse_config(json);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

std::string process_error(const std::string& json) {
  CAPTURE(json);
  Result<Process> r = parse_process(json);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

std::string resources_error(const std::string& json) {
  CAPTURE(json);
  Result<Resources> r = parse_resources(json);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

// A valid config whose annotation "pad" makes it exactly `size` bytes long.
std::string config_of_size(std::size_t size) {
  std::string head = kHead + R"("annotations": {"pad": ")";
  std::string tail = "\"}}";
  REQUIRE(size > head.size() + tail.size());
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

}  // namespace

// --- duplicate keys (item 3) -----------------------------------------------------------

TEST_CASE("duplicates: a key twice in one object is refused, naming the object and the key") {
  CHECK(config_error(kHead + R"("hostname": "a", "hostname": "b"})") == R"(/: duplicate key "hostname")");
  // The review's case: a later member must not be a way to drop the capabilities object.
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "capabilities": {"bounding": []},
                                             "capabilities": null}})") == R"(/process: duplicate key "capabilities")");
  CHECK(config_error(kHead + R"("mounts": [{"destination": "/a"}, {"destination": "/b", "destination": "/c"}]})") ==
        R"(/mounts/1: duplicate key "destination")");
  CHECK(config_error(kHead + R"("linux": {"resources": {"memory": {"limit": 1, "limit": 2}}}})") ==
        R"(/linux/resources/memory: duplicate key "limit")");
  // Members ocistart does not know are no exception.
  CHECK(config_error(kHead + R"("x-vendor": 1, "x-vendor": 2})") == R"(/: duplicate key "x-vendor")");
  // Objects with many members are checked as well (sorted instead of pairwise).
  std::string many = kHead;
  for (int i = 0; i < 40; ++i)
    many += "\"x" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  CHECK(config_error(many + R"("x17": 0})") == R"(/: duplicate key "x17")");
}

TEST_CASE("duplicates: map keys (annotations, sysctl, unified, rdma) appear once") {
  CHECK(config_error(kHead + R"("annotations": {"a": "1", "a": "2"}})") == R"(/annotations: duplicate key "a")");
  CHECK(config_error(kHead + R"("linux": {"sysctl": {"net.ipv4.ip_forward": "1", "net.ipv4.ip_forward": "0"}}})") ==
        R"(/linux/sysctl: duplicate key "net.ipv4.ip_forward")");
  CHECK(config_error(kHead + R"("linux": {"resources": {"unified": {"pids.max": "1", "pids.max": "2"}}}})") ==
        R"(/linux/resources/unified: duplicate key "pids.max")");
  CHECK(config_error(kHead + R"("linux": {"resources": {"rdma": {"mlx5_1": {}, "mlx5_1": {}}}}})") ==
        R"(/linux/resources/rdma: duplicate key "mlx5_1")");
  // Map keys are exact: keys that differ in case are two entries.
  Result<Config> c = parse_config(kHead + R"("annotations": {"a": "1", "A": "2"}})");
  REQUIRE(c.ok());
  CHECK(c->annotations.size() == 2);
}

TEST_CASE("duplicates: keys that differ only in case name one field") {
  // Alone, such a member is read (Go's encoding/json, which runc uses, reads it).
  Result<Config> alone = parse_config(kHead + R"("HostName": "h"})");
  REQUIRE(alone.ok());
  CHECK(alone->hostname == "h");
  // Twice, the field's value would depend on document order: refused.
  CHECK(config_error(kHead + R"("hostname": "a", "HOSTNAME": "b"})") ==
        R"(/: duplicate key "HOSTNAME" ("hostname" names the same field))");
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "capabilities": {"bounding": []},
                                             "Capabilities": null}})") ==
        R"(/process: duplicate key "Capabilities" ("capabilities" names the same field))");
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "args": ["a"], "ARGS": ["b"]}})") ==
        R"(/process: duplicate key "ARGS" ("args" names the same field))");
  // Maps do not merge either.
  CHECK(config_error(kHead + R"("annotations": {"a": "1"}, "Annotations": {"b": "2"}})") ==
        R"(/: duplicate key "Annotations" ("annotations" names the same field))");
  // Objects merge only when, together, they name each of their fields once.
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "user": {"uid": 0, "gid": 0}, "User": {"UID": 5}}})") ==
        R"(/process/User: duplicate key "UID" ("uid" names the same field))");
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "user": {"uid": 0, "gid": 0}, "User": {"uid": 5}}})") ==
        R"(/process/User: duplicate key "uid")");
}

TEST_CASE("duplicates: runc's update.bats config (\"cpu\" from its setup, \"CPU\" added) still reads") {
  // update.bats: setup writes .linux.resources.cpu, the test adds .linux.resources.CPU.
  Result<Config> c = parse_config(kHead + R"("linux": {"resources": {
      "memory": {"limit": 33554432, "reservation": 25165824},
      "cpu": {"shares": 100, "quota": 500000, "period": 1000000},
      "pids": {"limit": 20},
      "CPU": {"Cpus": "0", "Mems": "0"}}}})");
  REQUIRE(c.ok());
  const Cpu& cpu = *c->linux_->resources->cpu;
  CHECK(cpu.shares == 100u);
  CHECK(cpu.quota == 500000);
  CHECK(cpu.period == 1000000u);
  CHECK(cpu.cpus == "0");
  CHECK(cpu.mems == "0");
  // Its `update -r -` documents.
  Result<Resources> r = parse_resources(R"({"CPU": {"Cpus": "1"}})");
  REQUIRE(r.ok());
  CHECK(r->cpu->cpus == "1");
  // And a bad value in the merged object is named as the document spells it.
  CHECK(config_error(kHead + R"("linux": {"resources": {"cpu": {"shares": 1}, "CPU": {"Cpus": 0}}}})") ==
        "/linux/resources/CPU/Cpus: expected a string, got number");
}

TEST_CASE("duplicates: exec --process files and update -r documents are refused too") {
  CHECK(process_error(R"({"cwd": "/", "args": ["a"], "args": ["b"]})") == R"(/: duplicate key "args")");
  CHECK(process_error(R"({"cwd": "/", "user": {"uid": 0, "uid": 1}})") == R"(/user: duplicate key "uid")");
  CHECK(process_error(R"({"cwd": "/", "Cwd": "/tmp"})") == R"(/: duplicate key "Cwd" ("cwd" names the same field))");
  CHECK(resources_error(R"({"memory": {"limit": 1}, "memory": {"limit": 2}})") == R"(/: duplicate key "memory")");
  CHECK(resources_error(R"({"unified": {"cpu.max": "1", "cpu.max": "2"}})") == R"(/unified: duplicate key "cpu.max")");
  // A process file is one process object, not members spliced into a config.
  CHECK(process_error(R"({"cwd": "/"}, "linux": {})").find("invalid JSON") != std::string::npos);
  Result<Process> p = parse_process(R"({"cwd": "/w", "args": ["sh"], "user": {"uid": 1, "gid": 2}})");
  REQUIRE(p.ok());
  CHECK(p->cwd == "/w");
  CHECK(p->user.gid == 2);
  CHECK_FALSE(p->capabilities);
}

// --- NUL bytes (item 8) ----------------------------------------------------------------

TEST_CASE("NUL: a string with a NUL byte is refused wherever it is") {
  const std::string why = ": the string contains a NUL byte (\\u0000)";
  CHECK(config_error(kHead + R"("hostname": "a\u0000b"})") == "/hostname" + why);
  // The review's case: "/etc\u0000x" masked /etc.
  CHECK(config_error(kHead + R"("linux": {"maskedPaths": ["/proc/kcore", "/etc\u0000x"]}})") ==
        "/linux/maskedPaths/1" + why);
  CHECK(config_error(kHead + R"("linux": {"readonlyPaths": ["/\u0000"]}})") == "/linux/readonlyPaths/0" + why);
  CHECK(config_error(kHead + R"("linux": {"sysctl": {"kernel.domainname": "x\u0000"}}})") ==
        "/linux/sysctl/kernel.domainname" + why);
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "args": ["sh", "-c", "\u0000"]}})") == "/process/args/2" + why);
  CHECK(config_error(kHead + R"("process": {"cwd": "/", "env": ["A=\u0000"]}})") == "/process/env/0" + why);
  CHECK(config_error(kHead + R"("process": {"cwd": "/\u0000"}})") == "/process/cwd" + why);
  CHECK(config_error(kHead + R"("mounts": [{"destination": "/a", "options": ["ro\u0000"]}]})") ==
        "/mounts/0/options/0" + why);
  CHECK(config_error(kHead + R"("root": {"path": "rootfs\u0000"}})") == "/root/path" + why);
  CHECK(config_error(kHead + R"("annotations": {"a": "\u0000"}})") == "/annotations/a" + why);
  // A namespace type is a closed set: "pid\u0000" is no namespace type, shown escaped.
  CHECK(config_error(kHead + R"("linux": {"namespaces": [{"type": "pid\u0000"}]}})") ==
        "/linux/namespaces/0/type: unknown namespace type \"pid\\x00\"");
  CHECK(process_error(R"({"cwd": "/", "apparmorProfile": "p\u0000"})") == "/apparmorProfile" + why);
  CHECK(resources_error(R"({"cpu": {"cpus": "0\u0000"}})") == "/cpu/cpus" + why);
}

TEST_CASE("NUL: a map key with a NUL byte is refused, shown escaped") {
  const std::string why = ": the key contains a NUL byte (\\u0000)";
  // The review's case: sysctl keys were cut at the NUL.
  CHECK(config_error(kHead + R"("linux": {"sysctl": {"kernel.shm_rmid_forced\u0000x": "1"}}})") ==
        "/linux/sysctl/kernel.shm_rmid_forced\\x00x" + why);
  CHECK(config_error(kHead + R"("annotations": {"\u0000": "1"}})") == "/annotations/\\x00" + why);
  CHECK(resources_error(R"({"unified": {"pids.max\u0000": "1"}})") == "/unified/pids.max\\x00" + why);
}

TEST_CASE("messages show keys escaped and cut: no raw control byte, no 2 KB pointer") {
  // A newline or an escape in a key cannot break the one-line message.
  std::string m = config_error(kHead + R"("annotations": {"a\nb\u001b[31m": 1}})");
  CHECK(m == "/annotations/a\\x0ab\\x1b[31m: expected a string, got number");
  // A 2 KB key: the pointer is cut in the middle, its ends stay.
  std::string key(2000, 'k');
  m = config_error(kHead + R"("annotations": {")" + key + R"(": 1}})");
  CHECK(m.size() < 300);
  CHECK(m.starts_with("/annotations/kkkk"));
  CHECK(m.find("...") != std::string::npos);
  CHECK(m.ends_with("kkkk: expected a string, got number"));
  // Also when the document is not JSON at all (the pointer of the bad member).
  m = config_error(kHead + R"("annotations": {")" + key + R"(": tru}})");
  CHECK(m.size() < 400);
  CHECK(m.find("invalid JSON") != std::string::npos);
  // A duplicate 2 KB key is named by its ends too.
  m = config_error(kHead + R"("annotations": {")" + key + R"(": "1", ")" + key + R"(": "2"}})");
  CHECK(m.size() < 200);
  CHECK(m.starts_with("/annotations: duplicate key \"kkk"));
}

// --- size (item 10) --------------------------------------------------------------------

TEST_CASE("size: a document of up to 8 MiB is read, a larger one is refused before parsing") {
  CHECK(kMaxDocumentSize == 8u << 20);
  Result<Config> at_limit = parse_config(config_of_size(kMaxDocumentSize));
  CHECK(at_limit.ok());
  Result<Config> over = parse_config(config_of_size(kMaxDocumentSize + 1));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == EFBIG);
  CHECK(over.error().message == "the document is larger than 8 MiB, the most ocistart reads");
  CHECK(resources_error(std::string(kMaxDocumentSize + 1, ' ')) ==
        "the document is larger than 8 MiB, the most ocistart reads");
  CHECK(process_error(std::string(kMaxDocumentSize + 1, ' ')) ==
        "the document is larger than 8 MiB, the most ocistart reads");
}

TEST_CASE("size: a 100 MB config.json is refused without reading it all") {
  char dir_template[] = "/tmp/ocistart-test-size.XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template;
  std::string path = dir + "/config.json";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  // Sparse: 100 MB of NUL bytes that take no disk space.
  CHECK(::ftruncate(fd, 100 << 20) == 0);
  ::close(fd);
  Result<Config> c = load_bundle_config(dir);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == EFBIG);
  CHECK(c.error().message == "config.json is larger than 8 MiB, the most ocistart reads");
  Result<std::string> text = read_document(path);
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().message == "`" + path + "` is larger than 8 MiB, the most ocistart reads");
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

// --- util/text.h -------------------------------------------------------------------------

TEST_CASE("text: printable escapes control bytes and keeps UTF-8") {
  using ocistart::util::printable;
  CHECK(printable("abc") == "abc");
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable("\n\t\x1b\x7f") == "\\x0a\\x09\\x1b\\x7f");
  CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(printable("caf\xc3\xa9\x7f", true) == "caf\\xc3\\xa9\\x7f");
}

TEST_CASE("text: shortened keeps both ends around an ellipsis, never more than max bytes") {
  using ocistart::util::shortened;
  CHECK(shortened("short", 10) == "short");
  CHECK(shortened(std::string(10, 'a'), 10) == std::string(10, 'a'));
  CHECK(shortened("abcdefghijk", 10) == "abcd...ijk");
  std::string cut = shortened(std::string(500, 'a') + std::string(500, 'b'), 64);
  CHECK(cut.size() == 64);
  CHECK(cut == std::string(31, 'a') + "..." + std::string(30, 'b'));
  // Not inside a UTF-8 sequence: fewer bytes rather than half a character.
  std::string e_acute = "\xc3\xa9";
  std::string u;
  for (int i = 0; i < 100; ++i)
    u += e_acute;
  cut = shortened(u, 20);
  CHECK(cut.size() <= 20);
  CHECK(cut.starts_with(e_acute));
  CHECK(cut.ends_with(e_acute));
  CHECK(cut.find("...") % 2 == 0);
}

TEST_CASE("text: shortened_words cuts only the long words of a message") {
  using ocistart::util::shortened_words;
  std::string id(1000, 'a');
  std::string m = "delete `" + id + "`: open `/run/ocistart/" + id + "`: File name too long";
  std::string s = shortened_words(m, 160);
  CHECK(s.size() < 400);
  CHECK(s.starts_with("delete `aaa"));
  CHECK(s.ends_with("`: File name too long"));
  CHECK(s.find("/run/ocistart/aaa") != std::string::npos);
  CHECK(shortened_words("a b  c ", 1) == "a b  c ");
}
