#include <doctest/doctest.h>

#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "build_config.h"
#include "linux/seccomp_listener.h"

using namespace ocistart;

namespace {

constexpr const char* kState =
    R"({"ociVersion":"1.0.2","id":"c1","pid":4242,"status":"creating","bundle":"/b"})";

spec::SeccompSyscall rule(std::string name, std::string action) {
  spec::SeccompSyscall s;
  s.names = {std::move(name)};
  s.action = std::move(action);
  return s;
}

}  // namespace

TEST_CASE("seccomp listener: containerProcessState with metadata") {
  std::string json = os::container_process_state_json(77, "hello", kState);
  CHECK(json == std::string(R"({"ociVersion":")") + OCISTART_OCI_VERSION +
                    R"(","fds":["seccompFd"],"pid":77,"metadata":"hello","state":)" + kState + "}");

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::string_view id;
  REQUIRE(doc["state"]["id"].get(id) == simdjson::SUCCESS);
  CHECK(id == "c1");
}

TEST_CASE("seccomp listener: metadata is left out when empty, and escaped") {
  std::string json = os::container_process_state_json(1, "", kState);
  CHECK(json.find("metadata") == std::string::npos);
  CHECK(json.find(R"("pid":1,"state":)") != std::string::npos);
  CHECK(os::container_process_state_json(1, "a\"b", kState).find(R"("metadata":"a\"b")") !=
        std::string::npos);
}

TEST_CASE("seccomp listener: the pid of a state document") {
  util::Result<int> pid = os::state_pid(kState);
  REQUIRE(pid.ok());
  CHECK(*pid == 4242);
  CHECK(os::state_pid(R"({"id":"x"})").error().code == EINVAL);
  CHECK_FALSE(os::state_pid(R"({"pid":0})").ok());
  CHECK_FALSE(os::state_pid(R"({"pid":"12"})").ok());
  CHECK_FALSE(os::state_pid("{").ok());
}

TEST_CASE("seccomp listener: only NOTIFY profiles with a listenerPath need an agent") {
  spec::Linux l;
  CHECK(os::notify_listener(nullptr) == nullptr);
  CHECK(os::notify_listener(&l) == nullptr);
  l.seccomp.emplace();
  l.seccomp->default_action = "SCMP_ACT_ALLOW";
  l.seccomp->syscalls.push_back(rule("mkdir", "SCMP_ACT_ERRNO"));
  l.seccomp->listener_path = "/run/agent.sock";
  CHECK_FALSE(os::has_notify_rule(*l.seccomp));
  CHECK(os::notify_listener(&l) == nullptr);
  l.seccomp->syscalls.push_back(rule("mkdir", "SCMP_ACT_NOTIFY"));
  CHECK(os::has_notify_rule(*l.seccomp));
  CHECK(os::notify_listener(&l) == &*l.seccomp);
  l.seccomp->listener_path.clear();
  CHECK(os::notify_listener(&l) == nullptr);
}

TEST_CASE("seccomp listener: connect errors name the path") {
  util::Result<util::UniqueFd> conn = os::connect_listener("/nonexistent/ocistart-agent.sock");
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().code == ENOENT);
  CHECK(conn.error().message.find("`/nonexistent/ocistart-agent.sock`") != std::string::npos);
  CHECK(os::connect_listener("/" + std::string(200, 'x')).error().code == ENAMETOOLONG);
}

TEST_CASE("seccomp listener: the message arrives with the fd") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  util::UniqueFd ours(pair[0]), agent(pair[1]);
  util::UniqueFd sent(::dup(STDIN_FILENO));
  REQUIRE(os::send_to_listener(ours.get(), "/p", "{}", sent.get()).ok());
  char buf[8] = {};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  REQUIRE(::recvmsg(agent.get(), &msg, MSG_CMSG_CLOEXEC) == 2);
  CHECK(std::string(buf, 2) == "{}");
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  REQUIRE(c != nullptr);
  CHECK(c->cmsg_type == SCM_RIGHTS);
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  util::UniqueFd received(fd);
  CHECK(received.valid());

  agent.reset();
  util::Status gone = os::send_to_listener(ours.get(), "/p", "{}", -1);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == EPIPE);
  CHECK(gone.error().message.find("`/p`") != std::string::npos);
}
