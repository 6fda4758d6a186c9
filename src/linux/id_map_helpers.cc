#include "linux/id_map_helpers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/child.h"
#include "util/fs.h"
#include "util/signal.h"
#include "util/unique_fd.h"

namespace ocistart::os {
namespace {

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// /usr/bin first: the helpers are setuid root, and Debian installs them there; $PATH
// after, for hosts that put them elsewhere.
std::string find_helper(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin"})
    if (std::string p = std::string(dir) + "/" + name; executable(p))
      return p;
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (!dir.empty() && dir.front() == '/' && executable(dir + "/" + name))
      return dir + "/" + name;
  }
  return {};
}

std::string first_line(std::string text) {
  size_t nl = text.find('\n');
  if (nl != std::string::npos)
    text.resize(nl);
  return text;
}

}  // namespace

bool maps_only_own_id(const std::vector<spec::IdMapping>& mappings, uint32_t own) noexcept {
  return mappings.size() == 1 && mappings.front().size == 1 && mappings.front().host_id == own;
}

std::vector<std::string> id_map_helper_argv(const std::string& helper, int pid,
                                            const std::vector<spec::IdMapping>& mappings) {
  std::vector<std::string> argv{helper, std::to_string(pid)};
  for (const spec::IdMapping& m : mappings) {
    argv.push_back(std::to_string(m.container_id));
    argv.push_back(std::to_string(m.host_id));
    argv.push_back(std::to_string(m.size));
  }
  return argv;
}

util::Status run_id_map_helper(const std::string& helper, int pid, const std::vector<spec::IdMapping>& mappings,
                               const std::string& what) {
  const std::string path = find_helper(helper);
  if (path.empty())
    return util::make_error(helper + " not found: " + what + " (apt-get install uidmap)", ENOENT);
  std::vector<std::string> args = id_map_helper_argv(path, pid, mappings);
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) < 0)
    return util::errno_error("pipe");
  util::UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  pid_t child = ::fork();
  if (child < 0)
    return util::errno_error("fork " + helper);
  if (child == 0) {
    // Async-signal-safe only: stderr to the pipe, stdout to it too (the helpers print
    // nothing else), then exec.
    if (::dup2(err_w.get(), STDERR_FILENO) < 0 || ::dup2(err_w.get(), STDOUT_FILENO) < 0)
      ::_exit(126);
    char* const envp[] = {nullptr};
    ::execve(path.c_str(), argv.data(), envp);
    ::_exit(127);
  }
  util::OwnedChild owned(child);
  err_w.reset();
  util::Result<std::string> output = util::read_all(err_r.get(), helper + " output", 64 * 1024);
  int status = owned.wait();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return {};
  std::string line = output ? first_line(*output) : std::string();
  if (line.empty())
    line = helper + " exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  return util::make_error(line + " (" + what + ": see /etc/subuid and /etc/subgid)", EPERM);
}

}  // namespace ocistart::os
