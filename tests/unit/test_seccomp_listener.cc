#include <doctest/doctest.h>

#include <simdjson.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "build_config.h"
#include "linux/seccomp_listener.h"

using namespace ocistart;

namespace {

constexpr const char* kState = R"({"ociVersion":"1.0.2","id":"c1","pid":4242,"status":"creating","bundle":"/b"})";

spec::SeccompSyscall rule(std::string name, std::string action) {
  spec::SeccompSyscall s;
  s.names = {std::move(name)};
  s.action = std::move(action);
  return s;
}

// One recvmsg on `sock`: the bytes and the fd that came with them (invalid when none).
std::pair<std::string, util::UniqueFd> receive_with_fd(int sock) {
  char buf[4096] = {};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  REQUIRE(n >= 0);
  util::UniqueFd fd;
  if (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr && c->cmsg_type == SCM_RIGHTS) {
    int f = -1;
    std::memcpy(&f, CMSG_DATA(c), sizeof f);
    fd.reset(f);
  }
  return {std::string(buf, static_cast<size_t>(n)), std::move(fd)};
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
  CHECK(os::container_process_state_json(1, "a\"b", kState).find(R"("metadata":"a\"b")") != std::string::npos);
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

TEST_CASE("seccomp listener: connect errors are runc's and name the path") {
  CHECK_FALSE(os::connect_listener(nullptr)->valid());  // no agent to call
  spec::Seccomp seccomp;
  seccomp.listener_path = "/nonexistent/ocistart-agent.sock";
  util::Result<util::UniqueFd> conn = os::connect_listener(&seccomp);
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().code == ENOENT);
  CHECK(conn.error().message ==
        "failed to connect with seccomp agent specified in the seccomp profile: "
        "seccomp listenerPath `/nonexistent/ocistart-agent.sock`: connect: no such file or directory");
  seccomp.listener_path = "/" + std::string(200, 'x');
  CHECK(os::connect_listener(&seccomp).error().code == ENAMETOOLONG);
}

TEST_CASE("seccomp listener: the message arrives with the fd") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  util::UniqueFd ours(pair[0]), agent(pair[1]);
  util::UniqueFd sent(::dup(STDIN_FILENO));
  REQUIRE(os::send_to_listener(ours.get(), "/p", "{}", sent.get()).ok());
  auto [text, received] = receive_with_fd(agent.get());
  CHECK(text == "{}");
  CHECK(received.valid());

  agent.reset();
  util::Status gone = os::send_to_listener(ours.get(), "/p", "{}", -1);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == EPIPE);
  CHECK(gone.error().message.find("`/p`") != std::string::npos);
}

// The two sides of the hand-off: a child "loads a filter" (here: has some fd), writes its
// number and waits; the parent takes it with pidfd_getfd and gives it to the "agent".
TEST_CASE("seccomp listener: the fd goes from the process to the agent through the parent") {
  util::Result<std::pair<os::SyncChannel, os::SyncChannel>> pair = os::SyncChannel::make_pair();
  REQUIRE(pair.ok());
  int agent_pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, agent_pair) == 0);
  util::UniqueFd conn(agent_pair[0]), agent(agent_pair[1]);
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
  util::UniqueFd pipe_r(pipe_fds[0]), pipe_w(pipe_fds[1]);

  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    pair->first.close();
    util::Status s = os::hand_listener_to_parent(pair->second, std::move(pipe_r));
    // The listener closed on return: only the agent's copy keeps the pipe readable.
    ::_exit(s ? (::fcntl(pipe_fds[0], F_GETFD) < 0 ? 0 : 2) : 1);
  }
  pair->second.close();
  pipe_r.reset();
  spec::Seccomp seccomp;
  seccomp.listener_path = "/agent.sock";
  seccomp.listener_metadata = "meta";
  util::Status s = os::forward_listener(pair->first, child, std::move(conn), seccomp, kState);
  pair->first.close();  // a child still waiting for `seccomp_taken` gets EOF
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  if (!s && (s.error().code == EPERM || s.error().code == ENOSYS)) {
    MESSAGE("pidfd_getfd not permitted here: " << s.error().message);
    return;
  }
  REQUIRE_MESSAGE(s.ok(), (s ? "" : s.error().message));
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));

  auto [text, received] = receive_with_fd(agent.get());
  CHECK(text == os::container_process_state_json(child, "meta", kState));
  REQUIRE(received.valid());
  // The agent got the read end of our pipe.
  REQUIRE(::write(pipe_w.get(), "x", 1) == 1);
  char got = 0;
  CHECK(::read(received.get(), &got, 1) == 1);
  CHECK(got == 'x');
  // The runtime closed its end of the connection: EOF after the message.
  char rest[16];
  CHECK(::recv(agent.get(), rest, sizeof rest, 0) == 0);
}
