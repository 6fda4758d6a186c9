#include "linux/init_process.h"

#include <cerrno>

#include "linux/seccomp_listener.h"

namespace ocistart::os {
namespace {

// What a failed receive from the init means: its own error, or that it died without one.
util::Error init_failure(util::Error error) {
  if (error.code == EPIPE)
    return util::make_error("container init exited during setup", EPIPE);
  return error;
}

util::Status status_of(util::Result<SyncMessage> m) { return m ? util::Status{} : util::Status{std::move(m).error()}; }

}  // namespace

util::Status InitProcess::send(SyncKind kind, std::string_view text) {
  // A send that fails because init has died (EPIPE, or ECONNRESET when it died with an
  // earlier message of ours unread): the error it sent before dying is still queued on the
  // socket and says why.
  util::Status s = channel_.send(kind, 0, text);
  if (s)
    return s;
  if (util::Result<SyncMessage> m = channel_.receive(0); m && m->kind == SyncKind::error)
    return error_from_message(*m);
  return init_failure(std::move(s).error());
}

util::Result<SyncMessage> InitProcess::wait(SyncKind kind) {
  util::Result<SyncMessage> m = channel_.expect(kind);
  if (!m)
    return init_failure(std::move(m).error());
  return m;
}

util::Status InitProcess::wait_unshared() {
  if (util::Result<SyncMessage> m = channel_.expect(SyncKind::unshared); !m)
    return std::move(m).error().wrap("container init");
  return {};
}

util::Status InitProcess::send_mapped() { return send(SyncKind::mapped); }

util::Status InitProcess::send_placed() { return send(SyncKind::placed); }

util::Result<util::UniqueFd> InitProcess::receive_pty_master() {
  util::Result<SyncMessage> m = wait(SyncKind::pty_master);
  if (!m)
    return std::move(m).error();
  return std::move(m->fd);
}

util::Status InitProcess::wait_mounted() { return status_of(wait(SyncKind::mounted)); }

util::Status InitProcess::send_proceed(const spec::State& state) {
  return send(SyncKind::proceed, spec::to_json(state, 0));
}

util::Status InitProcess::forward_seccomp_listener(util::UniqueFd conn, const spec::Seccomp& seccomp,
                                                   std::string_view state_json) {
  if (util::Status s = forward_listener(channel_, pid(), std::move(conn), seccomp, state_json); !s)
    return init_failure(std::move(s).error());
  return {};
}

util::Status InitProcess::wait_ready() { return status_of(wait(SyncKind::ready)); }

SyncChannel InitProcess::release() noexcept {
  (void)child_.release();
  return std::move(channel_);
}

util::Status InitLink::wait_mapped() { return status_of(channel_.expect(SyncKind::mapped)); }

util::Status InitLink::wait_placed() { return status_of(channel_.expect(SyncKind::placed)); }

util::Result<spec::State> InitLink::wait_proceed() {
  util::Result<SyncMessage> m = channel_.expect(SyncKind::proceed);
  if (!m)
    return std::move(m).error();
  return spec::parse_state(m->text);
}

util::Status JoinerLink::wait_placed() { return status_of(channel_.expect(SyncKind::proceed)); }

util::Status ExecProcess::send_placed() { return joiner_channel_.send(SyncKind::proceed); }

util::Status ExecProcess::receive_pid() {
  util::Result<SyncMessage> m = joiner_channel_.expect(SyncKind::pid);
  if (!m)
    return std::move(m).error();
  if (m->value <= 0)
    return util::make_error("exec: invalid pid " + std::to_string(m->value) + " from the joiner", EPROTO);
  process_ = util::OwnedChild(m->value);
  // The joiner exits once it has reported.
  (void)joiner_.wait();
  return {};
}

util::Result<util::UniqueFd> ExecProcess::receive_pty_master() {
  util::Result<SyncMessage> m = process_channel_.expect(SyncKind::pty_master);
  if (!m)
    return std::move(m).error();
  return std::move(m->fd);
}

util::Status ExecProcess::forward_seccomp_listener(util::UniqueFd conn, const spec::Seccomp& seccomp,
                                                   std::string_view state_json) {
  return forward_listener(process_channel_, pid(), std::move(conn), seccomp, state_json);
}

util::Status ExecProcess::wait_exec() {
  util::Result<SyncMessage> m = process_channel_.receive();
  if (m && m->kind == SyncKind::error)
    return error_from_message(*m);
  return {};
}

}  // namespace ocistart::os
