#include "util/fd_passing.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/unique_fd.h"

namespace ocistart::util {

ssize_t send_with_fd(int sock, const void* data, size_t size, int fd) noexcept {
  iovec iov{const_cast<void*>(data), size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

Result<UniqueFd> connect_unix(const std::string& path, const std::string& what) {
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return make_error(what + ": path too long for a unix socket address", ENAMETOOLONG);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock)
    return errno_error("socket").wrap(what);
  if (::connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) < 0)
    return errno_error("connect").wrap(what);
  return sock;
}

Status send_fd_to_path(const std::string& path, std::string_view payload, int fd, const std::string& what) {
  Result<UniqueFd> sock = connect_unix(path, what);
  if (!sock)
    return std::move(sock).error();
  if (send_with_fd(sock->get(), payload.data(), payload.size(), fd) < 0)
    return errno_error("send").wrap(what);
  return {};
}

}  // namespace ocistart::util
