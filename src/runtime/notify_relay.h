// run --notify=container: the container's own sd_notify messages reach systemd. The
// runtime binds a datagram socket in the container's state directory
// (<state>/notify/notify.sock), the container sees that directory at /run/notify with
// NOTIFY_SOCKET=/run/notify/notify.sock, and the foreground `run` relays each datagram to
// its own $NOTIFY_SOCKET with MAINPID=<the init's host pid> added (relayed_message()).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::runtime {

/// Who tells systemd the service is ready (run --notify): `runtime` sends READY=1 once the
/// container's process runs (runc's and crun's behaviour); `container` relays what the
/// container itself sends.
enum class NotifyMode { runtime, container };

/// The largest datagram relayed: systemd reads at most this much text per message
/// (NOTIFY_BUFFER_MAX, PIPE_BUF); a longer one is dropped whole.
inline constexpr size_t kMaxNotifyMessage = 4096;
/// Where the container finds the socket: the directory is a read-only bind of the state
/// directory's `notify` (a read-only mount still lets a socket be connected to).
inline constexpr std::string_view kContainerNotifyDir = "/run/notify";
inline constexpr std::string_view kContainerNotifySocket = "/run/notify/notify.sock";

/// What is sent to systemd for one datagram from the container, or nothing. The datagram
/// must be text (no NUL byte), at most kMaxNotifyMessage bytes. Each line NAME=VALUE with
/// NAME of [A-Z0-9_] is kept, in order, except: MAINPID (a pid in the container's
/// namespace: replaced by `main_pid`), FDSTORE, FDSTOREREMOVE, FDNAME, FDPOLL and BARRIER
/// (they go with fds, which are not relayed) and NOTIFYACCESS (a container may not widen
/// who can talk to systemd). Other lines are dropped; with nothing kept, nothing is sent.
/// Otherwise the kept lines, then "MAINPID=<main_pid>".
[[nodiscard]] std::optional<std::string> relayed_message(std::string_view datagram, int main_pid);

/// The process environment for --notify=container: NOTIFY_SOCKET, WATCHDOG_USEC and
/// WATCHDOG_PID of the config removed, then NOTIFY_SOCKET=kContainerNotifySocket; and when
/// `watchdog_usec` (ours, from systemd) is set, WATCHDOG_USEC=<it>, with WATCHDOG_PID=1
/// when the process is pid 1 of a pid namespace of its own (sd_watchdog_enabled() checks
/// it against getpid(); otherwise left out, which sd_watchdog_enabled() accepts).
void add_notify_env(std::vector<std::string>& env, const char* watchdog_usec, bool pid_one);

/// The bind of `host_dir` (the state directory's `notify`) at kContainerNotifyDir:
/// read-only, nosuid, nodev, noexec.
[[nodiscard]] spec::Mount notify_mount(const std::string& host_dir);

/// --notify=runtime under a Type=notify unit ($NOTIFY_SOCKET set by systemd): READY=1 once
/// the container's process runs, with its pid in the status text. Nothing without
/// $NOTIFY_SOCKET; a failed send is a warning. Needs no libsystemd (util/notify_socket.h).
void notify_runtime_ready(int container_pid);

/// The host side: the bound socket, and the relay to systemd. Move-only; the socket file
/// and its directory are removed on destruction.
class NotifyRelay {
 public:
  /// Makes `<state_dir>/notify` (0755) and binds notify.sock in it (0777: any user of
  /// the container, under any id mapping, may connect). `target` is our $NOTIFY_SOCKET.
  /// Errors name the socket's path.
  [[nodiscard]] static util::Result<NotifyRelay> open(const std::string& state_dir, std::string target);
  NotifyRelay(NotifyRelay&& o) noexcept;
  NotifyRelay& operator=(NotifyRelay&& o) noexcept;
  NotifyRelay(const NotifyRelay&) = delete;
  ~NotifyRelay();

  [[nodiscard]] int fd() const noexcept { return sock_.get(); }
  [[nodiscard]] const std::string& host_dir() const noexcept { return dir_; }
  /// Reads the datagrams waiting (at most 64 per call, so the supervision loop stays
  /// responsive), closes any fds sent with them, and relays each relayed_message() with
  /// `main_pid`. A failed send is logged as a warning once.
  void relay_pending(int main_pid);
  /// Once the container's init is gone: MAINPID=<our pid>, so that systemd sees our exit
  /// (the container's exit status) as the main process's. Nothing if nothing was relayed.
  void hand_back();

 private:
  NotifyRelay() = default;
  void remove() noexcept;  // closes the socket, removes its file and directory
  util::UniqueFd sock_;
  std::string dir_;
  std::string target_;
  bool relayed_ = false;
  bool warned_ = false;
};

}  // namespace ocistart::runtime
