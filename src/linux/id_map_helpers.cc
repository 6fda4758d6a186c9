#include "linux/id_map_helpers.h"

#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>

#include "util/child.h"
#include "util/fs.h"

namespace ocistart::os {
namespace {

// /usr/bin first: the helpers are setuid root, and Debian installs them there; $PATH
// after, for hosts that put them elsewhere.
std::string find_helper(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin"})
    if (std::string p = std::string(dir) + "/" + name; util::executable_file(p))
      return p;
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (!dir.empty() && dir.front() == '/' && util::executable_file(dir + "/" + name))
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
  // Its own environment only: the helpers are setuid, ours is nothing they need.
  const std::vector<std::string> no_env;
  // Everything it prints is its verdict (one line on stderr when it refuses).
  util::Result<util::Captured> run =
      util::run_captured(id_map_helper_argv(path, pid, mappings), true, &no_env, 64 * 1024);
  if (!run)
    return std::move(run).error().wrap(helper);
  const int status = run->status;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return {};
  std::string line = first_line(run->output);
  if (line.empty())
    line = helper + " exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  return util::make_error(line + " (" + what + ": see /etc/subuid and /etc/subgid)", EPERM);
}

}  // namespace ocistart::os
