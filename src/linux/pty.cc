#include "linux/pty.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

namespace ocistart::os {
namespace {

constexpr unsigned kPtyMajor = 136;   // UNIX98_PTY_SLAVE_MAJOR: /dev/pts/N
constexpr unsigned kTtyAuxMajor = 5;  // TTYAUX_MAJOR: /dev/tty, /dev/console, /dev/ptmx
constexpr unsigned kPtmxMinor = 2;

bool is_pty_slave(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) >= kPtyMajor && major(st.st_rdev) < kPtyMajor + 8;
}

}  // namespace

util::Result<Pty> open_pty(int ptmx) {
  struct stat st {};
  if (::fstat(ptmx, &st) < 0)
    return util::errno_error("stat /dev/ptmx");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != kTtyAuxMajor || minor(st.st_rdev) != kPtmxMinor)
    return util::make_error("/dev/ptmx is not the ptmx device", EPERM);
  const std::string reopen = "/proc/self/fd/" + std::to_string(ptmx);
  Pty pty;
  pty.master.reset(::open(reopen.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master)
    return util::errno_error("open /dev/ptmx");
  int unlock = 0;
  if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) < 0)
    return util::errno_error("unlock the pty");
  unsigned number = 0;
  if (::ioctl(pty.master.get(), TIOCGPTN, &number) < 0)
    return util::errno_error("get the pty number");
  pty.slave_path = "/dev/pts/" + std::to_string(number);
  pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave)
    return util::errno_error("open `" + pty.slave_path + "`");
  return pty;
}

util::Status attach_pty_slave(int slave, const std::optional<spec::ConsoleSize>& size) {
  if (size) {
    struct winsize ws {};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(slave, TIOCSWINSZ, &ws) < 0)
      return util::errno_error("set the console size");
  }
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(slave, fd) < 0)
      return util::errno_error("dup the pty onto stdio");
  if (::ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
    return util::errno_error("make the pty the controlling terminal");
  return {};
}

util::Status give_stdio_to(uid_t uid, bool own_terminal) {
  for (int fd = 0; fd < 3; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) {
      if (errno == EBADF)
        continue;
      return util::errno_error("stat fd " + std::to_string(fd));
    }
    if (st.st_uid == uid || !((own_terminal && is_pty_slave(st)) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
      continue;
    if (::fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
      return util::errno_error("chown fd " + std::to_string(fd));
  }
  return {};
}

}  // namespace ocistart::os
