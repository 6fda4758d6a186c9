#include "runtime/notify_relay.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/log.h"
#include "util/notify_socket.h"

namespace ocistart::runtime {
namespace {

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Names whose meaning does not survive the relay: a pid of the container's namespace, the
// fd store (fds are not relayed), and NotifyAccess itself.
bool dropped_name(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kDropped = {"MAINPID", "FDSTORE", "FDSTOREREMOVE", "FDNAME",
                                                               "FDPOLL",  "BARRIER", "NOTIFYACCESS"};
  return std::find(kDropped.begin(), kDropped.end(), name) != kDropped.end();
}

// Closes the fds that came with a datagram (SCM_RIGHTS): they are not relayed.
void close_passed_fds(struct msghdr& msg) {
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      (void)::close(fd);
    }
  }
}

}  // namespace

std::optional<std::string> relayed_message(std::string_view datagram, int main_pid) {
  if (datagram.empty() || datagram.size() > kMaxNotifyMessage || datagram.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::string out;
  while (!datagram.empty()) {
    size_t end = datagram.find('\n');
    std::string_view line = datagram.substr(0, end);
    datagram = end == std::string_view::npos ? std::string_view() : datagram.substr(end + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      continue;
    std::string_view name = line.substr(0, eq);
    if (!valid_name(name) || dropped_name(name))
      continue;
    out.append(line);
    out.push_back('\n');
  }
  if (out.empty())
    return std::nullopt;
  return out + "MAINPID=" + std::to_string(main_pid);
}

void add_notify_env(std::vector<std::string>& env, const char* watchdog_usec, bool pid_one) {
  std::erase_if(env, [](const std::string& e) {
    return e.starts_with("NOTIFY_SOCKET=") || e.starts_with("WATCHDOG_USEC=") || e.starts_with("WATCHDOG_PID=");
  });
  env.push_back("NOTIFY_SOCKET=" + std::string(kContainerNotifySocket));
  if (watchdog_usec == nullptr || *watchdog_usec == '\0')
    return;
  env.push_back("WATCHDOG_USEC=" + std::string(watchdog_usec));
  if (pid_one)
    env.push_back("WATCHDOG_PID=1");
}

spec::Mount notify_mount(const std::string& host_dir) {
  spec::Mount m;
  m.destination = std::string(kContainerNotifyDir);
  m.type = "bind";
  m.source = host_dir;
  m.options = {"bind", "ro", "nosuid", "nodev", "noexec"};
  return m;
}

util::Result<NotifyRelay> NotifyRelay::open(const std::string& state_dir, std::string target) {
  NotifyRelay r;
  r.dir_ = state_dir + "/notify";
  r.target_ = std::move(target);
  const std::string path = r.dir_ + "/notify.sock";
  if (::mkdir(r.dir_.c_str(), 0755) < 0 || ::chmod(r.dir_.c_str(), 0755) < 0)
    return util::errno_error("mkdir `" + r.dir_ + "`").wrap("notify socket `" + path + "`");
  util::Result<util::UniqueFd> sock = util::bind_datagram_socket(path, 0777);
  if (!sock) {
    (void)::rmdir(r.dir_.c_str());
    return std::move(sock).error();
  }
  r.sock_ = std::move(*sock);
  return r;
}

NotifyRelay::NotifyRelay(NotifyRelay&& o) noexcept
    : sock_(std::move(o.sock_)),
      dir_(std::move(o.dir_)),
      target_(std::move(o.target_)),
      relayed_(o.relayed_),
      warned_(o.warned_) {}

NotifyRelay& NotifyRelay::operator=(NotifyRelay&& o) noexcept {
  if (this != &o) {
    remove();
    sock_ = std::move(o.sock_);
    dir_ = std::move(o.dir_);
    target_ = std::move(o.target_);
    relayed_ = o.relayed_;
    warned_ = o.warned_;
  }
  return *this;
}

NotifyRelay::~NotifyRelay() { remove(); }

void NotifyRelay::remove() noexcept {
  if (!sock_)
    return;
  sock_.reset();
  (void)::unlink((dir_ + "/notify.sock").c_str());
  (void)::rmdir(dir_.c_str());
}

void NotifyRelay::relay_pending(int main_pid) {
  for (int i = 0; i < 64; ++i) {
    // One byte more than relayed: a datagram that fills it was too long (MSG_TRUNC).
    std::array<char, kMaxNotifyMessage + 1> buf;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 253)];
    struct iovec iov {
      buf.data(), buf.size()
    };
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;  // EAGAIN: nothing more waits
    }
    close_passed_fds(msg);
    if ((msg.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(n) > kMaxNotifyMessage)
      continue;
    std::optional<std::string> text = relayed_message(std::string_view(buf.data(), static_cast<size_t>(n)), main_pid);
    if (!text)
      continue;
    if (util::Status s = util::send_notify(target_, *text); !s) {
      if (!warned_)
        util::log_warning("relay a notify message: " + s.error().message);
      warned_ = true;
      continue;
    }
    relayed_ = true;
  }
}

void NotifyRelay::hand_back() {
  if (!relayed_)
    return;
  (void)util::send_notify(target_, "MAINPID=" + std::to_string(::getpid()));
}

void notify_runtime_ready(int container_pid) {
  const char* target = std::getenv("NOTIFY_SOCKET");
  if (target == nullptr)
    return;
  const std::string text = "READY=1\nSTATUS=container process " + std::to_string(container_pid) + " running";
  if (util::Status s = util::send_notify(target, text); !s)
    util::log_warning("READY=1 not sent: " + s.error().message);
}

}  // namespace ocistart::runtime
