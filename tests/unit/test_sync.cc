// The parent<->init protocol: encoding, decoding, expect(), fd passing.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "linux/sync.h"

using namespace ocistart;
using os::SyncKind;

TEST_CASE("sync messages round-trip through encode and decode") {
  std::vector<char> bytes = os::encode_sync(SyncKind::error, EPERM, "mount `proc`: operation not permitted");
  util::Result<os::SyncMessage> m = os::decode_sync(std::string_view(bytes.data(), bytes.size()));
  REQUIRE(m.ok());
  CHECK(m->kind == SyncKind::error);
  CHECK(m->value == EPERM);
  CHECK(m->text == "mount `proc`: operation not permitted");

  bytes = os::encode_sync(SyncKind::pid, 4242, "");
  m = os::decode_sync(std::string_view(bytes.data(), bytes.size()));
  REQUIRE(m.ok());
  CHECK(m->kind == SyncKind::pid);
  CHECK(m->value == 4242);
  CHECK(m->text.empty());
}

TEST_CASE("malformed sync messages are EPROTO") {
  CHECK(os::decode_sync("abc").error().code == EPROTO);
  std::vector<char> bytes = os::encode_sync(SyncKind::ready, 0, "xy");
  bytes.pop_back();
  CHECK(os::decode_sync(std::string_view(bytes.data(), bytes.size())).error().message.find("length") !=
        std::string::npos);
  bytes = os::encode_sync(SyncKind::ready, 0, "");
  bytes[0] = 99;
  util::Result<os::SyncMessage> m = os::decode_sync(std::string_view(bytes.data(), bytes.size()));
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().message == "sync message: unknown kind 99");
}

TEST_CASE("expect: the wanted kind passes, an error becomes its Error, others are unexpected") {
  os::SyncMessage ready;
  ready.kind = SyncKind::ready;
  CHECK(os::check_expected(std::move(ready), SyncKind::ready).ok());

  util::Result<os::SyncMessage> e =
      os::check_expected(os::error_message(util::Error{ENOENT, "exec `sh`: not found"}), SyncKind::ready);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ENOENT);
  CHECK(e.error().message == "exec `sh`: not found");

  os::SyncMessage pid;
  pid.kind = SyncKind::pid;
  util::Result<os::SyncMessage> u = os::check_expected(std::move(pid), SyncKind::ready);
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().code == EPROTO);
  CHECK(u.error().message == "unexpected message `pid`, expected `ready`");
}

TEST_CASE("a channel pair carries messages, errors and fds; EOF is EPIPE") {
  auto pair = os::SyncChannel::make_pair();
  REQUIRE(pair.ok());
  os::SyncChannel& a = pair->first;
  os::SyncChannel& b = pair->second;

  REQUIRE(a.send(SyncKind::proceed, 0, "{\"id\":\"x\"}").ok());
  util::Result<os::SyncMessage> m = b.expect(SyncKind::proceed);
  REQUIRE(m.ok());
  CHECK(m->text == "{\"id\":\"x\"}");

  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  REQUIRE(a.send(SyncKind::pty_master, 0, "/dev/pts/3", fds[1]).ok());
  m = b.expect(SyncKind::pty_master);
  REQUIRE(m.ok());
  REQUIRE(m->fd.valid());
  CHECK(m->fd.get() != fds[1]);
  CHECK(::write(m->fd.get(), "z", 1) == 1);
  char c = 0;
  CHECK(::read(fds[0], &c, 1) == 1);
  CHECK(c == 'z');
  CHECK((::fcntl(m->fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  ::close(fds[0]);
  ::close(fds[1]);

  REQUIRE(a.send_error(util::Error{EACCES, "write `uid_map`: permission denied"}).ok());
  m = b.expect(SyncKind::ready);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == EACCES);

  CHECK(b.receive(0).error().code == ETIMEDOUT);
  CHECK_FALSE(b.peer_closed());  // a timeout is not the peer giving up
  a.close();
  m = b.expect(SyncKind::ready);
  REQUIRE_FALSE(m.ok());
  CHECK(b.peer_closed());
  CHECK(m.error().code == EPIPE);
  CHECK(m.error().message == "sync socket closed while waiting for `ready`");
  // Sending to a closed peer is EPIPE, not SIGPIPE.
  CHECK(b.send(SyncKind::ready).error().code == EPIPE);
}

// Issue 9: an init that fails right after the parent sent its next step closes its end
// with that message unread; the kernel then reports ECONNRESET once, ahead of the error
// the init sent. The receiver must still get the init's own error.
TEST_CASE("a peer that sent an error and closed with our message unread: its error is received") {
  auto pair = os::SyncChannel::make_pair();
  REQUIRE(pair.ok());
  os::SyncChannel& parent = pair->first;
  os::SyncChannel& init = pair->second;
  REQUIRE(init.send_error(util::Error{ENOENT, "mount `/x`: stat `/nonexistent`: no such file or directory"}).ok());
  REQUIRE(parent.send(SyncKind::placed).ok());  // never read
  init.close();
  util::Result<os::SyncMessage> m = parent.expect(SyncKind::mounted);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == ENOENT);
  CHECK(m.error().message == "mount `/x`: stat `/nonexistent`: no such file or directory");
  // Then EOF, as from any peer that is gone.
  m = parent.expect(SyncKind::mounted);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == EPIPE);
}

TEST_CASE("a peer that closed with our message unread and sent nothing: EOF, not ECONNRESET") {
  auto pair = os::SyncChannel::make_pair();
  REQUIRE(pair.ok());
  REQUIRE(pair->first.send(SyncKind::placed).ok());
  pair->second.close();
  util::Result<os::SyncMessage> m = pair->first.receive(1000);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == EPIPE);
}

// The typed ends of create's protocol (linux/init_process.h).
#include "linux/init_process.h"

TEST_CASE("InitProcess and InitLink: each step waits for its own message") {
  auto pair = os::SyncChannel::make_pair();
  REQUIRE(pair);
  os::InitProcess init(util::OwnedChild(), std::move(pair->first));
  os::InitLink link(pair->second);

  REQUIRE(link.report_mounted());
  util::Status s = init.wait_unshared();
  REQUIRE(!s);
  CHECK(s.error().message == "container init: unexpected message `mounted`, expected `unshared`");
  CHECK(s.error().code == EPROTO);

  spec::State state;
  state.oci_version = "1.2.1";
  state.id = "web";
  state.pid = 4242;
  state.status = "creating";
  state.annotations["a"] = "say \"hi\"";
  REQUIRE(init.send_proceed(state));
  util::Result<spec::State> got = link.wait_proceed();
  REQUIRE(got);
  CHECK(spec::to_json(*got, 0) == spec::to_json(state, 0));

  // An init that failed and exited: its queued error, not EPIPE, answers our next send.
  REQUIRE(link.channel().send_error(util::make_error("mount `proc`: Operation not permitted", EPERM)));
  link.channel().close();
  s = init.send_mapped();
  REQUIRE(!s);
  CHECK(s.error().message == "mount `proc`: Operation not permitted");
  CHECK(s.error().code == EPERM);
  s = init.wait_ready();
  REQUIRE(!s);
  CHECK(s.error().message == "container init exited during setup");
}
