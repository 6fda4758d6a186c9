// The typed protocol between the runtime (parent) and the forked init (or exec child).
//
// Channel design (youki's idea, crun's message kinds): one SOCK_SEQPACKET socketpair,
// so every send is one message with its boundaries kept. A message has a kind, an int
// (a pid, or the errno of an error), a text (an error message, the state JSON for the
// hooks) and at most one fd passed with SCM_RIGHTS (the pty master).
// Each side waits with `expect(kind)`: an Error message from the other side becomes
// that Error (errno and context kept), any other kind fails with
// "unexpected message X, expected Y", and EOF fails with "... closed".
//
// Who sends what (create):
//   init -> parent   unshared              namespaces joined, time namespace unshared:
//                                          the parent may write id maps and time offsets
//   parent -> init   mapped                id maps and time offsets written
//   parent -> init   placed                init is in the container's cgroup (the init
//                                          mounts meanwhile, up to the first cgroup mount)
//   init -> parent   pty_master(fd)        when process.terminal: the console, made from
//                                          the container's devpts once /dev is complete
//   init -> parent   mounted               config.mounts, devices and console done
//   parent -> init   proceed(state JSON)   prestart and createRuntime hooks run
//   init -> parent   seccomp_fd(n)         linux.seccomp has a NOTIFY rule: the filter is
//                                          loaded and n is the listener fd's number in the
//                                          init; the parent takes it with pidfd_getfd(2)
//                                          and hands it to listenerPath
//   parent -> init   seccomp_taken         the agent has the fd: the init closes its copy
//   init -> parent   ready                 process attributes applied, seccomp loaded,
//                                          about to wait on exec.fifo
//   init -> parent   error(errno, text)    any failure, then init _exit()s
// exec (two channels: the joiner's, then the process's own, so that neither overtakes):
//   parent -> joiner  proceed              joiner moved into the container's cgroup
//   joiner -> parent  pid(n)               the process that will exec (host pid)
//   process -> parent pty_master(fd), error
//   process -> parent seccomp_fd(n)        as for create; answered with seccomp_taken
// After exec the socket (O_CLOEXEC) closes: EOF on the parent means exec succeeded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

enum class SyncKind : uint32_t {
  proceed = 1,
  ready = 2,
  error = 3,
  pid = 4,
  pty_master = 5,
  seccomp_fd = 6,
  unshared = 7,
  mapped = 8,
  placed = 9,
  mounted = 10,
  seccomp_taken = 11,
};

/// "proceed", "ready", ...; "unknown(N)" for a value outside the enum.
[[nodiscard]] std::string to_string(SyncKind kind);

/// One message. `fd` is owned by the message once received.
struct SyncMessage {
  SyncKind kind = SyncKind::proceed;
  int32_t value = 0;  // pid for `pid`, errno for `error`, fd number for `seccomp_fd`
  std::string text;   // message of `error`, payload of `proceed`
  util::UniqueFd fd;  // for pty_master
};

/// Largest encoded message (header + text); longer texts are truncated on encode.
inline constexpr size_t kSyncMaxMessage = 64 * 1024;

/// Wire format, pure: 12-byte header {u32 kind, i32 value, u32 text length} in host byte
/// order (both ends are the same binary), then the text. The fd travels beside it.
[[nodiscard]] std::vector<char> encode_sync(SyncKind kind, int32_t value, std::string_view text);
/// Decodes one datagram. Errors (EPROTO): short header, length mismatch, unknown kind.
[[nodiscard]] util::Result<SyncMessage> decode_sync(std::string_view bytes);

/// The Error carried by an `error` message, and back.
[[nodiscard]] SyncMessage error_message(const util::Error& error);
[[nodiscard]] util::Error error_from_message(const SyncMessage& message);

/// One end of the socketpair. Safe in the forked init (no threads, no allocation beyond
/// the message buffer). Sends use MSG_NOSIGNAL: a gone peer gives EPIPE, not SIGPIPE.
class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(util::UniqueFd fd) : fd_(std::move(fd)) {}

  /// A connected pair of channels (AF_UNIX, SOCK_SEQPACKET, O_CLOEXEC).
  [[nodiscard]] static util::Result<std::pair<SyncChannel, SyncChannel>> make_pair();

  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  void close() noexcept { fd_.reset(); }

  /// Sends one message; `fd` (when >= 0) is duplicated into the peer by SCM_RIGHTS.
  [[nodiscard]] util::Status send(SyncKind kind, int32_t value = 0, std::string_view text = {}, int fd = -1);
  /// One write(2) of a message without text or fd: what the process that loaded a seccomp
  /// filter may still do when sendmsg is a notified syscall (only `write` may not be,
  /// spec::seccomp_notify_refusal). Allocates only for an error. No MSG_NOSIGNAL: a gone
  /// peer raises SIGPIPE.
  [[nodiscard]] util::Status write_message(SyncKind kind, int32_t value = 0);
  /// Sends an `error` message carrying `error` (errno + message).
  [[nodiscard]] util::Status send_error(const util::Error& error);
  /// Receives the next message; EOF is an error with code EPIPE ("sync socket closed").
  /// `timeout_ms` < 0 waits forever; on timeout the error code is ETIMEDOUT.
  [[nodiscard]] util::Result<SyncMessage> receive(int timeout_ms = -1);
  /// Receives the next message and checks its kind: an `error` message becomes its Error;
  /// another kind is "unexpected message `X`, expected `Y`" (EPROTO).
  [[nodiscard]] util::Result<SyncMessage> expect(SyncKind kind, int timeout_ms = -1);

  /// True once a receive found the socket closed by the other side: the peer gave up (the
  /// parent reports its own error), so there is nobody to tell about ours.
  [[nodiscard]] bool peer_closed() const noexcept { return peer_closed_; }

 private:
  util::UniqueFd fd_;
  bool peer_closed_ = false;
};

/// The check `expect` applies to a received message, pure (for tests).
[[nodiscard]] util::Result<SyncMessage> check_expected(SyncMessage message, SyncKind expected);

}  // namespace ocistart::os
