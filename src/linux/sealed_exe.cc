// The re-execution from a sealed file (sealed_exe.h says why and when). Costs, measured
// on `run` (bench/README.md): one more execve and dynamic load of the runtime per create,
// run and exec; no copy and no memory with the read-only mount, 2.7 MB copied into (and
// held in) a memfd per command with the fallback.
#include "linux/sealed_exe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "linux/syscalls.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3: executable even under vm.memfd_noexec=1
#endif

extern char** environ;

namespace ocistart::os {
namespace {

using util::Result;
using util::Status;
using util::UniqueFd;

// Set only for the re-execution, to the path of the binary before it; removed by the
// re-executed process before anything else (the path kept in original_path()).
constexpr const char* kMarker = "_OCISTART_SEALED_EXE";
constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
// The name of a sealed_copy(), followed by "DEV:INO" of the file copied.
constexpr std::string_view kMemfdPrefix = "ocistart:";

std::optional<uint64_t> decimal(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return v;
}

// A bind mount of our binary in no mount namespace: the clone's namespace is anonymous and
// goes away with the last fd of it (ours closes at execve), after which no mount call
// accepts the mount (not in the caller's namespace), so it stays read-only for good.
Result<UniqueFd> read_only_mount() {
  RealSyscalls sys;
  Result<UniqueFd> tree = sys.open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE);
  if (!tree)
    return tree;
  MountAttr attr;
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (Status s = sys.mount_setattr(tree->get(), "", AT_EMPTY_PATH, attr); !s)
    return std::move(s).error();
  return tree;
}

// Our own arguments as the kernel has them (each ends with a NUL).
Result<std::vector<std::string>> own_arguments() {
  Result<std::string> cmdline = util::read_file("/proc/self/cmdline");
  if (!cmdline)
    return std::move(cmdline).error();
  std::vector<std::string> args;
  for (size_t at = 0; at < cmdline->size();) {
    size_t end = cmdline->find('\0', at);
    if (end == std::string::npos)
      end = cmdline->size();
    args.push_back(cmdline->substr(at, end - at));
    at = end + 1;
  }
  if (args.empty())
    return util::make_error("/proc/self/cmdline is empty", EINVAL);
  return args;
}

// The binary's path as the re-executing process saw it ("" when not re-executed).
std::string& original_path() {
  static std::string path;
  return path;
}

Result<std::string> self_exe_path() {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n < 0)
    return util::errno_error("readlink /proc/self/exe");
  return std::string(path, static_cast<size_t>(n));
}

}  // namespace

bool is_sealed(int fd) {
  int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals >= 0)
    return (seals & kSeals) == kSeals;
  // The root of a mount that no namespace holds reads as "/", which no attached file can be.
  struct statvfs vfs {};
  char path[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), path, sizeof path);
  return ::fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0 && n == 1 && path[0] == '/';
}

Result<UniqueFd> sealed_copy(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) < 0)
    return util::errno_error("fstat the binary");
  const std::string name = std::string(kMemfdPrefix) + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  int m = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (m < 0 && errno == EINVAL)  // before Linux 6.3, where every memfd is executable
    m = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (m < 0)
    return util::errno_error("memfd_create");
  UniqueFd copy(m);
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(copy.get(), fd, &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return util::errno_error("copy the binary into a memfd", n == 0 ? EIO : errno);
  }
  if (::fcntl(copy.get(), F_ADD_SEALS, kSeals) < 0)
    return util::errno_error("seal the memfd");
  return copy;
}

std::optional<FileId> file_id(const char* path) {
  struct stat st {};
  if (::stat(path, &st) < 0)
    return std::nullopt;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::optional<FileId> memfd_file_id(std::string_view link) {
  const std::string_view head = "/memfd:", tail = " (deleted)";
  if (!link.starts_with(head) || !link.ends_with(tail))
    return std::nullopt;
  link = link.substr(head.size(), link.size() - head.size() - tail.size());
  if (!link.starts_with(kMemfdPrefix))
    return std::nullopt;
  link.remove_prefix(kMemfdPrefix.size());
  size_t colon = link.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  std::optional<uint64_t> dev = decimal(link.substr(0, colon)), ino = decimal(link.substr(colon + 1));
  if (!dev || !ino)
    return std::nullopt;
  return FileId{*dev, *ino};
}

std::optional<FileId> original_binary() {
  char link[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", link, sizeof link);
  if (n > 0)
    if (std::optional<FileId> copied = memfd_file_id(std::string_view(link, static_cast<size_t>(n))))
      return copied;
  return file_id("/proc/self/exe");
}

Status run_from_sealed_exe() {
  const char* marker = std::getenv(kMarker);
  const bool reexecuted = marker != nullptr;
  if (reexecuted) {
    original_path() = marker;
    (void)::unsetenv(kMarker);
  }
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self)
    return util::errno_error("open /proc/self/exe");
  if (is_sealed(self.get()))
    return {};
  if (reexecuted)
    return util::make_error("re-executed from a sealed copy of the binary, yet /proc/self/exe is not one", EPERM);

  Result<UniqueFd> sealed = read_only_mount();
  if (!sealed) {
    util::log_debug("read-only mount of the binary: " + sealed.error().message + ": copying it into a memfd");
    sealed = sealed_copy(self.get());
  }
  if (!sealed)
    return std::move(sealed).error().wrap("make a copy of the binary no container can write (CVE-2019-5736)");
  Result<std::vector<std::string>> args = own_arguments();
  if (!args)
    return std::move(args).error();
  std::vector<char*> argv;
  for (std::string& a : *args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  Result<std::string> path = self_exe_path();
  std::string marker_entry = std::string(kMarker) + "=" + (path ? *path : std::string());
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e)
    envp.push_back(*e);
  envp.push_back(marker_entry.data());
  envp.push_back(nullptr);
  (void)std::fflush(nullptr);
  ::syscall(SYS_execveat, sealed->get(), "", argv.data(), envp.data(), AT_EMPTY_PATH);
  return util::errno_error("re-execute from a sealed copy of the binary");
}

Result<std::string> original_exe() {
  Result<std::string> path = original_path().empty() ? self_exe_path() : Result<std::string>(original_path());
  if (!path)
    return path;
  // Re-executed without the marker's path, /proc/self/exe is "/" (the detached mount) or
  // "/memfd:ocistart (deleted)": neither is a file another process can execute.
  struct stat st {};
  if (path->empty() || path->front() != '/' || ::stat(path->c_str(), &st) < 0 || !S_ISREG(st.st_mode))
    return util::make_error("the binary `" + *path + "` is not a file systemd can execute", ENOENT);
  return path;
}

}  // namespace ocistart::os
