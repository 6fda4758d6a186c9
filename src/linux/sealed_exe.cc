// The re-execution from a sealed file (sealed_exe.h says why and when). Costs, measured
// on `run` (bench/README.md): one more execve and dynamic load of the runtime per create,
// run and exec; no copy and no memory with the read-only mount, 2.7 MB copied into (and
// held in) a memfd per command with the fallback.
#include "linux/sealed_exe.h"

#include <fcntl.h>
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

#include "linux/sealed_fd.h"
#include "util/fs.h"
#include "util/log.h"

extern char** environ;

namespace ocistart::os {
namespace {

using util::Result;
using util::Status;
using util::UniqueFd;

// The marker (kSealedExeMarker) carries the path of the binary the user ran; the
// re-executed process removes it before anything else (the path kept in original_path()).
constexpr std::string_view kMemfdPrefix = kSealedCopyPrefix;

std::optional<uint64_t> decimal(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return v;
}

// A bind mount of our binary in no mount namespace (read_only_clone()): the clone's
// namespace is anonymous and goes away with the last fd of it (ours closes at execve).
Result<UniqueFd> read_only_mount(int self) {
  int fd = read_only_clone(self);
  if (fd < 0)
    return util::errno_error("read-only bind mount of /proc/self/exe", -fd);
  return UniqueFd(fd);
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
    return (seals & kSealedCopySeals) == kSealedCopySeals;
  // The root of a mount that no namespace holds reads as "/", which no attached file can be.
  struct statvfs vfs {};
  char path[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), path, sizeof path);
  return ::fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0 && n == 1 && path[0] == '/';
}

Result<UniqueFd> sealed_copy(int fd) {
  const char* step = "";
  int copy = sealed_memfd_copy(fd, &step);
  if (copy < 0)
    return util::errno_error(step, -copy);
  return UniqueFd(copy);
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
  const char* marker = std::getenv(kSealedExeMarker);
  const bool reexecuted = marker != nullptr;
  if (reexecuted) {
    original_path() = marker;
    (void)::unsetenv(kSealedExeMarker);
  }
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self)
    return util::errno_error("open /proc/self/exe");
  if (is_sealed(self.get()))
    return {};
  if (reexecuted)
    return util::make_error("re-executed from a sealed copy of the binary, yet /proc/self/exe is not one", EPERM);

  Result<UniqueFd> sealed = read_only_mount(self.get());
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
  std::string marker_entry = std::string(kSealedExeMarker) + "=" + (path ? *path : std::string());
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
