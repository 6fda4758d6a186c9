// run --notify=container without root: what is relayed for a datagram (runtime/notify_relay),
// the container's env and mount, and the sd_notify sender and socket (util/notify_socket),
// with a fake "systemd" socket in a temporary directory receiving what the relay sends.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "cli_parse.h"
#include "runtime/notify_relay.h"
#include "util/notify_socket.h"
#include "temp_dir.h"

using namespace ocistart;

namespace {

using ocistart::testing::TempDir;

// Every datagram waiting on `fd` (non-blocking), as text.
std::vector<std::string> received(int fd) {
  std::vector<std::string> out;
  char buf[8192];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0)
    out.emplace_back(buf, static_cast<size_t>(n));
  return out;
}

// Sends `text` to the socket at `path`, with `fd` attached when >= 0.
void send_to(const std::string& path, const std::string& text, int fd = -1) {
  util::Result<util::UnixAddress> a = util::notify_address(path);
  REQUIRE(a);
  util::UniqueFd s(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  struct iovec iov {
    const_cast<char*>(text.data()), text.size()
  };
  struct msghdr msg {};
  msg.msg_name = &a->addr;
  msg.msg_namelen = a->length;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  REQUIRE(::sendmsg(s.get(), &msg, 0) == static_cast<ssize_t>(text.size()));
}

int open_fds() {
  int n = 0;
  for (int fd = 0; fd < 1024; ++fd)
    n += ::fcntl(fd, F_GETFD) >= 0 ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a relayed message keeps the container's lines and ends with MAINPID=<its init>") {
  CHECK(runtime::relayed_message("READY=1", 4242) == "READY=1\nMAINPID=4242");
  CHECK(runtime::relayed_message("READY=1\nSTATUS=serving on :80\n", 7) == "READY=1\nSTATUS=serving on :80\nMAINPID=7");
  for (const char* kept : {"WATCHDOG=1", "WATCHDOG=trigger", "WATCHDOG_USEC=5000000", "RELOADING=1", "STOPPING=1",
                           "EXTEND_TIMEOUT_USEC=1000000", "ERRNO=2", "BUSERROR=org.x.Y", "MONOTONIC_USEC=1", "X_OWN=1"})
    CHECK(runtime::relayed_message(kept, 1) == std::string(kept) + "\nMAINPID=1");
  // The value may contain '=' and any text but a newline.
  CHECK(runtime::relayed_message("STATUS=a=b c", 1) == "STATUS=a=b c\nMAINPID=1");
}

TEST_CASE("the container's MAINPID, fd-store, barrier and NotifyAccess lines are dropped") {
  CHECK(runtime::relayed_message("READY=1\nMAINPID=1", 99) == "READY=1\nMAINPID=99");
  CHECK(runtime::relayed_message("FDSTORE=1\nFDNAME=db\nSTATUS=x", 3) == "STATUS=x\nMAINPID=3");
  for (const char* dropped :
       {"MAINPID=5", "FDSTORE=1", "FDSTOREREMOVE=1", "FDNAME=x", "FDPOLL=0", "BARRIER=1", "NOTIFYACCESS=all"})
    CHECK_FALSE(runtime::relayed_message(dropped, 1));
}

TEST_CASE("malformed lines are dropped; a datagram with nothing left, a NUL or too long is not relayed") {
  CHECK(runtime::relayed_message("garbage\nREADY=1\nlower=1\n=x\nA-B=1", 2) == "READY=1\nMAINPID=2");
  CHECK_FALSE(runtime::relayed_message("", 1));
  CHECK_FALSE(runtime::relayed_message("\n\n", 1));
  CHECK_FALSE(runtime::relayed_message("no equals sign", 1));
  CHECK_FALSE(runtime::relayed_message(std::string("READY=1\0STATUS=x", 16), 1));
  std::string at_limit = "STATUS=" + std::string(runtime::kMaxNotifyMessage - 7, 'x');
  CHECK(runtime::relayed_message(at_limit, 1) == at_limit + "\nMAINPID=1");
  CHECK_FALSE(runtime::relayed_message(at_limit + "x", 1));
}

TEST_CASE("the container's env names its socket and passes systemd's watchdog on") {
  std::vector<std::string> env = {"PATH=/bin", "NOTIFY_SOCKET=/old", "WATCHDOG_USEC=1", "WATCHDOG_PID=9"};
  runtime::add_notify_env(env, "2000000", true);
  CHECK(env == std::vector<std::string>{"PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock", "WATCHDOG_USEC=2000000",
                                        "WATCHDOG_PID=1"});
  env = {"PATH=/bin", "WATCHDOG_USEC=1"};
  runtime::add_notify_env(env, "2000000", false);  // no pid namespace: no pid to name
  CHECK(env == std::vector<std::string>{"PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock", "WATCHDOG_USEC=2000000"});
  env = {"WATCHDOG_USEC=1"};
  runtime::add_notify_env(env, nullptr, true);  // no watchdog of ours: none for the container
  CHECK(env == std::vector<std::string>{"NOTIFY_SOCKET=/run/notify/notify.sock"});
}

TEST_CASE("the socket's directory is bound read-only at /run/notify") {
  spec::Mount m = runtime::notify_mount("/run/ocistart/web/notify");
  CHECK(m.destination == "/run/notify");
  CHECK(m.source == "/run/ocistart/web/notify");
  CHECK(m.type == "bind");
  CHECK(std::find(m.options.begin(), m.options.end(), "ro") != m.options.end());
  CHECK(std::find(m.options.begin(), m.options.end(), "bind") != m.options.end());
}

TEST_CASE("NOTIFY_SOCKET addresses: a path, an abstract @name, nothing else") {
  util::Result<util::UnixAddress> path = util::notify_address("/run/systemd/notify");
  REQUIRE(path);
  CHECK(std::string(path->addr.sun_path) == "/run/systemd/notify");
  CHECK(path->length == offsetof(struct sockaddr_un, sun_path) + 20);
  util::Result<util::UnixAddress> abstract = util::notify_address("@sd-notify");
  REQUIRE(abstract);
  CHECK(abstract->addr.sun_path[0] == '\0');
  CHECK(std::string(abstract->addr.sun_path + 1, 9) == "sd-notify");
  CHECK(abstract->length == offsetof(struct sockaddr_un, sun_path) + 10);
  for (const char* bad : {"", "@", "relative/path", "vsock:2:1234"}) {
    util::Result<util::UnixAddress> a = util::notify_address(bad);
    REQUIRE_FALSE(a);
    CHECK(a.error().code == EINVAL);
  }
  util::Result<util::UnixAddress> long_path = util::notify_address("/" + std::string(200, 'x'));
  REQUIRE_FALSE(long_path);
  CHECK(long_path.error().code == ENAMETOOLONG);
}

TEST_CASE("send_notify reaches a path socket and an abstract one") {
  TempDir tmp;
  util::Result<util::UniqueFd> sd = util::bind_datagram_socket(tmp.path + "/notify", 0600);
  REQUIRE(sd);
  REQUIRE(util::send_notify(tmp.path + "/notify", "READY=1"));
  CHECK(received(sd->get()) == std::vector<std::string>{"READY=1"});

  const std::string name = "ocistart-test-" + std::to_string(::getpid());
  util::UniqueFd abstract(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  util::Result<util::UnixAddress> a = util::notify_address("@" + name);
  REQUIRE(a);
  REQUIRE(::bind(abstract.get(), reinterpret_cast<struct sockaddr*>(&a->addr), a->length) == 0);
  REQUIRE(util::send_notify("@" + name, "STATUS=abstract"));
  CHECK(received(abstract.get()) == std::vector<std::string>{"STATUS=abstract"});

  util::Status gone = util::send_notify(tmp.path + "/nobody", "READY=1");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().message.find("notify socket `" + tmp.path + "/nobody`") != std::string::npos);
}

TEST_CASE("the relay forwards what the container sends, drops fds and oversized datagrams, hands MAINPID back") {
  TempDir tmp;
  util::Result<util::UniqueFd> systemd = util::bind_datagram_socket(tmp.path + "/systemd", 0600);
  REQUIRE(systemd);
  REQUIRE(::mkdir((tmp.path + "/state").c_str(), 0700) == 0);
  util::Result<runtime::NotifyRelay> relay = runtime::NotifyRelay::open(tmp.path + "/state", tmp.path + "/systemd");
  REQUIRE(relay);
  const std::string sock = tmp.path + "/state/notify/notify.sock";
  struct stat st {};
  REQUIRE(::stat(sock.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0777);  // any container user may connect
  REQUIRE(::stat((tmp.path + "/state/notify").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);

  relay->hand_back();  // nothing relayed yet: nothing to hand back
  CHECK(received(systemd->get()).empty());

  util::UniqueFd passed(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int fds_before = open_fds();
  send_to(sock, "READY=1\nSTATUS=up");
  send_to(sock, "STATUS=with an fd\nFDSTORE=1", passed.get());
  send_to(sock, "STATUS=" + std::string(6000, 'x'));
  send_to(sock, "MAINPID=1");
  send_to(sock, "STOPPING=1");
  relay->relay_pending(4321);
  CHECK(received(systemd->get()) == std::vector<std::string>{"READY=1\nSTATUS=up\nMAINPID=4321",
                                                             "STATUS=with an fd\nMAINPID=4321",
                                                             "STOPPING=1\nMAINPID=4321"});
  CHECK(open_fds() == fds_before);  // the passed fd was closed, not kept

  relay->hand_back();
  CHECK(received(systemd->get()) == std::vector<std::string>{"MAINPID=" + std::to_string(::getpid())});

  // Moved, the socket stays; destroyed, it and its directory are gone.
  std::optional<runtime::NotifyRelay> moved(std::move(*relay));
  relay = util::make_error("moved away");  // the moved-from relay's destructor removes nothing
  CHECK(::stat(sock.c_str(), &st) == 0);
  moved.reset();
  CHECK(::stat(sock.c_str(), &st) < 0);
  CHECK(::stat((tmp.path + "/state/notify").c_str(), &st) < 0);
}

TEST_CASE("a socket that cannot be made is one error naming it") {
  TempDir tmp;
  util::Result<runtime::NotifyRelay> r = runtime::NotifyRelay::open(tmp.path + "/missing", "/run/systemd/notify");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("notify socket `" + tmp.path + "/missing/notify/notify.sock`") == 0);
}

TEST_CASE("a state directory path too long for sockaddr_un still gets its socket") {
  TempDir tmp;
  std::string deep = tmp.path + "/" + std::string(100, 'd');
  REQUIRE(::mkdir(deep.c_str(), 0700) == 0);
  util::Result<util::UniqueFd> systemd = util::bind_datagram_socket(tmp.path + "/systemd", 0600);
  REQUIRE(systemd);
  util::Result<runtime::NotifyRelay> relay = runtime::NotifyRelay::open(deep, tmp.path + "/systemd");
  REQUIRE(relay);
  struct stat st {};
  const std::string sock = deep + "/notify/notify.sock";
  REQUIRE(::stat(sock.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0777);
  // Reached through a short path to the same socket (the sender has the same limit).
  REQUIRE(::symlink((deep + "/notify").c_str(), (tmp.path + "/n").c_str()) == 0);
  send_to(tmp.path + "/n/notify.sock", "READY=1");
  relay->relay_pending(5);
  CHECK(received(systemd->get()) == std::vector<std::string>{"READY=1\nMAINPID=5"});
}

TEST_CASE("run --notify: runtime by default, container on request, nothing else") {
  CHECK(testing::parse({"run", "c1"})->o.run.notify == "runtime");
  CHECK(testing::parse({"run", "--notify", "container", "c1"})->o.run.notify == "container");
  CHECK(testing::parse({"run", "--notify=runtime", "c1"})->o.run.notify == "runtime");
  CHECK_THROWS_AS(testing::parse({"run", "--notify", "systemd", "c1"}), CLI::ValidationError);
  CHECK_THROWS(testing::parse({"create", "--notify", "container", "c1"}));  // run's alone
}
