#include "util/notify_socket.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace ocistart::util {

Result<UnixAddress> notify_address(std::string_view text) {
  UnixAddress a;
  a.addr.sun_family = AF_UNIX;
  const bool abstract = text.starts_with('@');
  if (text.size() < 2 || (!abstract && !text.starts_with('/')))
    return make_error("notify socket `" + std::string(text) + "`: not an absolute path or @abstract name", EINVAL);
  // A path needs its terminating NUL inside sun_path; an abstract name is counted bytes.
  if (text.size() + (abstract ? 0 : 1) > sizeof a.addr.sun_path)
    return make_error("notify socket `" + std::string(text) + "`: too long for a unix socket address", ENAMETOOLONG);
  std::memcpy(a.addr.sun_path, text.data(), text.size());
  if (abstract)
    a.addr.sun_path[0] = '\0';
  a.length = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + text.size() + (abstract ? 0 : 1));
  return a;
}

Status send_notify(std::string_view address, std::string_view message) {
  Result<UnixAddress> to = notify_address(address);
  if (!to)
    return std::move(to).error();
  const std::string what = "notify socket `" + std::string(address) + "`";
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock)
    return errno_error("socket").wrap(what);
  ssize_t n;
  do {
    n = ::sendto(sock.get(), message.data(), message.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const struct sockaddr*>(&to->addr), to->length);
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno_error("send").wrap(what);
  return {};
}

Result<UniqueFd> bind_datagram_socket(const std::string& path, mode_t mode) {
  const std::string what = "notify socket `" + path + "`";
  if (!path.starts_with('/'))
    return make_error(what + ": not an absolute path", EINVAL);
  // A path too long for sockaddr_un is bound through its directory's /proc/self/fd link.
  UniqueFd dir;
  std::string bind_path = path;
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    const size_t slash = path.rfind('/');
    dir.reset(::open(path.substr(0, slash == 0 ? 1 : slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir)
      return errno_error("open its directory").wrap(what);
    bind_path = "/proc/self/fd/" + std::to_string(dir.get()) + path.substr(slash);
  }
  Result<UnixAddress> at = notify_address(bind_path);
  if (!at)
    return make_error(what + ": too long for a unix socket address", ENAMETOOLONG);
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock)
    return errno_error("socket").wrap(what);
  if (::bind(sock.get(), reinterpret_cast<const struct sockaddr*>(&at->addr), at->length) < 0)
    return errno_error("bind").wrap(what);
  if (::chmod(path.c_str(), mode) < 0) {
    Error e = errno_error("chmod").wrap(what);
    (void)::unlink(path.c_str());
    return e;
  }
  return sock;
}

}  // namespace ocistart::util
