#include "linux/sync.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd_passing.h"

namespace ocistart::os {
namespace {

struct Header {
  uint32_t kind;
  int32_t value;
  uint32_t length;
};
static_assert(sizeof(Header) == 12);

bool known_kind(uint32_t k) {
  return k >= static_cast<uint32_t>(SyncKind::proceed) && k <= static_cast<uint32_t>(SyncKind::seccomp_taken);
}

}  // namespace

std::string to_string(SyncKind kind) {
  switch (kind) {
    case SyncKind::proceed:
      return "proceed";
    case SyncKind::ready:
      return "ready";
    case SyncKind::error:
      return "error";
    case SyncKind::pid:
      return "pid";
    case SyncKind::pty_master:
      return "pty_master";
    case SyncKind::seccomp_fd:
      return "seccomp_fd";
    case SyncKind::unshared:
      return "unshared";
    case SyncKind::mapped:
      return "mapped";
    case SyncKind::placed:
      return "placed";
    case SyncKind::mounted:
      return "mounted";
    case SyncKind::seccomp_taken:
      return "seccomp_taken";
  }
  return "unknown(" + std::to_string(static_cast<uint32_t>(kind)) + ")";
}

std::vector<char> encode_sync(SyncKind kind, int32_t value, std::string_view text) {
  if (text.size() > kSyncMaxMessage - sizeof(Header))
    text = text.substr(0, kSyncMaxMessage - sizeof(Header));
  Header h{static_cast<uint32_t>(kind), value, static_cast<uint32_t>(text.size())};
  std::vector<char> out(sizeof h + text.size());
  std::memcpy(out.data(), &h, sizeof h);
  if (!text.empty())
    std::memcpy(out.data() + sizeof h, text.data(), text.size());
  return out;
}

util::Result<SyncMessage> decode_sync(std::string_view bytes) {
  if (bytes.size() < sizeof(Header))
    return util::make_error("sync message: short header (" + std::to_string(bytes.size()) + " bytes)", EPROTO);
  Header h{};
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.length != bytes.size() - sizeof h)
    return util::make_error("sync message: length " + std::to_string(h.length) + " does not match " +
                                std::to_string(bytes.size() - sizeof h) + " bytes of text",
                            EPROTO);
  if (!known_kind(h.kind))
    return util::make_error("sync message: unknown kind " + std::to_string(h.kind), EPROTO);
  SyncMessage m;
  m.kind = static_cast<SyncKind>(h.kind);
  m.value = h.value;
  m.text.assign(bytes.substr(sizeof h));
  return m;
}

SyncMessage error_message(const util::Error& error) {
  SyncMessage m;
  m.kind = SyncKind::error;
  m.value = error.code;
  m.text = error.message;
  return m;
}

util::Error error_from_message(const SyncMessage& message) { return util::Error{message.value, message.text}; }

util::Result<SyncMessage> check_expected(SyncMessage message, SyncKind expected) {
  if (message.kind == expected)
    return message;
  if (message.kind == SyncKind::error)
    return error_from_message(message);
  return util::make_error(
      "unexpected message `" + to_string(message.kind) + "`, expected `" + to_string(expected) + "`", EPROTO);
}

util::Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return util::errno_error("socketpair for the sync socket");
  return std::pair<SyncChannel, SyncChannel>(SyncChannel(util::UniqueFd(fds[0])), SyncChannel(util::UniqueFd(fds[1])));
}

util::Status SyncChannel::send(SyncKind kind, int32_t value, std::string_view text, int fd) {
  std::vector<char> bytes = encode_sync(kind, value, text);
  if (util::send_with_fd(fd_.get(), bytes.data(), bytes.size(), fd) < 0)
    return util::errno_error("send `" + to_string(kind) + "` on the sync socket");
  return {};
}

util::Status SyncChannel::write_message(SyncKind kind, int32_t value) {
  const Header h{static_cast<uint32_t>(kind), value, 0};
  ssize_t n;
  do {
    n = ::write(fd_.get(), &h, sizeof h);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof h))
    return util::errno_error("write `" + to_string(kind) + "` on the sync socket", n < 0 ? errno : EPROTO);
  return {};
}

util::Status SyncChannel::send_error(const util::Error& error) {
  return send(SyncKind::error, error.code, error.message);
}

util::Result<SyncMessage> SyncChannel::receive(int timeout_ms) {
  if (timeout_ms >= 0) {
    struct pollfd p {
      fd_.get(), POLLIN, 0
    };
    int r;
    do {
      r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
      return util::errno_error("poll the sync socket");
    if (r == 0)
      return util::make_error("timed out waiting on the sync socket", ETIMEDOUT);
  }
  std::vector<char> buffer(kSyncMaxMessage);
  struct iovec iov {
    buffer.data(), buffer.size()
  };
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    // ECONNRESET: the peer closed its end with a message of ours unread (the init failed
    // and exited just as we sent it the next step). The kernel reports that once, ahead of
    // what the peer sent before closing, which is still queued: its error, above all. So
    // read on; with nothing queued the next read is EOF.
  } while (n < 0 && (errno == EINTR || errno == ECONNRESET));
  if (n < 0)
    return util::errno_error("receive from the sync socket");
  // Take every passed fd first, so none leaks whatever happens next.
  util::UniqueFd passed;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int f;
      std::memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
      if (!passed)
        passed.reset(f);
      else
        (void)::close(f);
    }
  }
  if (n == 0) {
    peer_closed_ = true;
    return util::make_error("sync socket closed by the other side", EPIPE);
  }
  if (msg.msg_flags & MSG_TRUNC)
    return util::make_error("sync message truncated", EPROTO);
  util::Result<SyncMessage> m = decode_sync(std::string_view(buffer.data(), static_cast<size_t>(n)));
  if (!m)
    return m;
  m->fd = std::move(passed);
  return m;
}

util::Result<SyncMessage> SyncChannel::expect(SyncKind kind, int timeout_ms) {
  util::Result<SyncMessage> m = receive(timeout_ms);
  if (!m) {
    if (m.error().code == EPIPE)
      return util::make_error("sync socket closed while waiting for `" + to_string(kind) + "`", EPIPE);
    return m;
  }
  return check_expected(std::move(*m), kind);
}

}  // namespace ocistart::os
