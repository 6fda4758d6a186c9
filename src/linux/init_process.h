// The two ends of create's and exec's sync protocol (sync.h: who sends what), as typed
// methods per direction and step (youki's MainReceiver::wait_for_intermediate_ready):
// a step that gets another message fails with "unexpected message `X`, expected `Y`", an
// `error` message becomes that Error, and a closed socket says which step it closed in.
//
//   parent (runtime)                          init
//   InitProcess::wait_unshared()          <-  InitLink::report_unshared()
//   InitProcess::send_mapped()            ->  InitLink::wait_mapped()
//   InitProcess::send_placed()            ->  InitLink::wait_placed()
//   InitProcess::receive_pty_master()     <-  InitLink::send_pty_master()
//   InitProcess::wait_mounted()           <-  InitLink::report_mounted()
//   InitProcess::send_proceed(state)      ->  InitLink::wait_proceed() -> spec::State
//   InitProcess::forward_seccomp_listener <-> hand_listener_to_parent (seccomp_listener.h)
//   InitProcess::wait_ready()             <-  InitLink::report_ready()
//
// exec: ExecProcess (parent) talks to the joiner (JoinerLink) and then to the process.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "linux/sync.h"
#include "spec/config.h"
#include "spec/state.h"
#include "util/child.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// The runtime's handle on create's init: owns its pid and pidfd (killed and reaped when
/// this is destroyed, until release()) and the parent's end of the sync socket. Used in
/// the parent only.
class InitProcess {
 public:
  InitProcess(util::OwnedChild child, SyncChannel channel) : child_(std::move(child)), channel_(std::move(channel)) {}

  [[nodiscard]] pid_t pid() const noexcept { return child_.pid(); }

  /// The init joined and unshared its namespaces: id maps and time offsets may be
  /// written. Errors are wrapped "container init".
  [[nodiscard]] util::Status wait_unshared();
  /// Id maps and time offsets written: the init goes on mounting.
  [[nodiscard]] util::Status send_mapped();
  /// The init is in the container's cgroup: it may mount cgroups and devices.
  [[nodiscard]] util::Status send_placed();
  /// process.terminal: the pty master the init made from the container's devpts.
  [[nodiscard]] util::Result<util::UniqueFd> receive_pty_master();
  /// config.mounts, devices and the console are done: the runtime hooks may run.
  [[nodiscard]] util::Status wait_mounted();
  /// The runtime hooks ran; `state` is what the init's own hooks read (it sets its pid
  /// and status in it).
  [[nodiscard]] util::Status send_proceed(const spec::State& state);
  /// linux.seccomp.listenerPath: takes the init's listener fd and hands it to the agent on
  /// `conn` (os::forward_listener).
  [[nodiscard]] util::Status forward_seccomp_listener(util::UniqueFd conn, const spec::Seccomp& seccomp,
                                                      std::string_view state_json);
  /// Process attributes applied, the init waits on exec.fifo.
  [[nodiscard]] util::Status wait_ready();

  /// Once `ready`: the init lives on without us (no kill at scope exit); the channel stays
  /// connected until it execs (run supervises through it).
  [[nodiscard]] SyncChannel release() noexcept;

 private:
  // A send that fails because the init has died reports the error it queued before.
  [[nodiscard]] util::Status send(SyncKind kind, std::string_view text = {});
  // A receive that fails: the init's own error, or that it died without one.
  [[nodiscard]] util::Result<SyncMessage> wait(SyncKind kind);

  util::OwnedChild child_;
  SyncChannel channel_;
};

/// The init's end of create's protocol (the mirror of InitProcess); exec's process sends
/// its pty master with send_pty_master() too. Safe in the init.
class InitLink {
 public:
  explicit InitLink(SyncChannel& channel) : channel_(channel) {}

  [[nodiscard]] util::Status report_unshared() { return channel_.send(SyncKind::unshared); }
  [[nodiscard]] util::Status wait_mapped();
  [[nodiscard]] util::Status wait_placed();
  /// Sends the pty master (and the slave's path as text).
  [[nodiscard]] util::Status send_pty_master(int master, std::string_view slave_path) {
    return channel_.send(SyncKind::pty_master, 0, slave_path, master);
  }
  [[nodiscard]] util::Status report_mounted() { return channel_.send(SyncKind::mounted); }
  /// The state the parent sent with `proceed`, decoded.
  [[nodiscard]] util::Result<spec::State> wait_proceed();
  /// `ready` as one write(2): the seccomp filter is loaded by now (SyncChannel::write_message).
  [[nodiscard]] util::Status report_ready() { return channel_.write_message(SyncKind::ready); }

  [[nodiscard]] SyncChannel& channel() noexcept { return channel_; }

 private:
  SyncChannel& channel_;
};

/// exec's joiner (the child that joins the namespaces): its end of its own channel.
class JoinerLink {
 public:
  explicit JoinerLink(SyncChannel& channel) : channel_(channel) {}
  /// The parent moved us into the container's cgroup: clone the process.
  [[nodiscard]] util::Status wait_placed();
  /// The process's host pid.
  [[nodiscard]] util::Status report_pid(pid_t pid) { return channel_.send(SyncKind::pid, pid); }

 private:
  SyncChannel& channel_;
};

/// The runtime's handle on exec: the joiner, then the process it clones (both killed and
/// reaped when this is destroyed, until release()), and one channel to each.
class ExecProcess {
 public:
  ExecProcess(util::OwnedChild joiner, SyncChannel joiner_channel, SyncChannel process_channel)
      : joiner_(std::move(joiner)),
        joiner_channel_(std::move(joiner_channel)),
        process_channel_(std::move(process_channel)) {}

  [[nodiscard]] pid_t joiner_pid() const noexcept { return joiner_.pid(); }
  [[nodiscard]] pid_t pid() const noexcept { return process_.pid(); }

  /// The joiner is in the container's cgroup (`proceed`).
  [[nodiscard]] util::Status send_placed();
  /// The process's pid from the joiner, which is then reaped. EPROTO for a pid <= 0.
  [[nodiscard]] util::Status receive_pid();
  /// process.terminal: the pty master the process made from the container's devpts.
  [[nodiscard]] util::Result<util::UniqueFd> receive_pty_master();
  /// As InitProcess::forward_seccomp_listener.
  [[nodiscard]] util::Status forward_seccomp_listener(util::UniqueFd conn, const spec::Seccomp& seccomp,
                                                      std::string_view state_json);
  /// Waits until the process execs (EOF: the socket closed at execve) or fails (its error).
  [[nodiscard]] util::Status wait_exec();

  /// The process lives on without us (no kill at scope exit); returns its pid.
  pid_t release() noexcept { return process_.release(); }
  /// The process's channel (for supervision: EOF at execve).
  [[nodiscard]] int process_fd() const noexcept { return process_channel_.fd(); }

 private:
  // Destroyed in reverse: the joiner is killed before the process it may be cloning.
  util::OwnedChild process_;
  util::OwnedChild joiner_;
  SyncChannel joiner_channel_;
  SyncChannel process_channel_;
};

}  // namespace ocistart::os
