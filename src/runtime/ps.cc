// ps: the container's pids from its cgroup; as JSON, or as ps(1)'s table filtered to them.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <sstream>

#include "runtime/container.h"
#include "util/child.h"

namespace ocistart::runtime {
namespace {

util::Result<std::string> capture(const std::vector<std::string>& argv) {
  util::Result<util::Captured> run = util::run_captured(argv);
  if (!run)
    return std::move(run).error();
  if (!WIFEXITED(run->status) || WEXITSTATUS(run->status) != 0)
    return util::make_error("`ps` failed (status " + std::to_string(exit_status_from_wait(run->status)) + ")");
  return std::move(run->output);
}

}  // namespace

util::Status ps(const std::string& root, const std::string& id, const std::string& format,
                const std::vector<std::string>& ps_args) {
  std::vector<int> pids;
  {
    util::Result<Loaded> l = load_locked(root, id);
    if (!l)
      return std::move(l).error();
    util::Result<std::unique_ptr<cgroups::Driver>> driver = driver_for(l->state);
    if (!driver)
      return std::move(driver).error();
    util::Result<std::vector<int>> got = (*driver)->pids();
    // A stopped container's cgroup may be gone (systemd removes an empty scope's): it has
    // no processes, which is not an error (runc).
    if (!got && !(got.error().code == ENOENT && l->status == ContainerStatus::stopped))
      return std::move(got).error().wrap("list the container's processes");
    if (got)
      pids = std::move(*got);
  }
  if (format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < pids.size(); ++i)
      out += (i ? "," : "") + std::to_string(pids[i]);
    std::printf("%s]\n", out.c_str());
    return {};
  }
  if (format != "table")
    return util::make_error("invalid format `" + format + "`", EINVAL);
  std::vector<std::string> argv{"ps"};
  if (ps_args.empty())
    argv.push_back("-ef");
  else
    argv.insert(argv.end(), ps_args.begin(), ps_args.end());
  util::Result<std::string> out = capture(argv);
  if (!out)
    return std::move(out).error();
  std::istringstream lines(*out);
  std::string header;
  std::getline(lines, header);
  // The PID column: its index among the header's fields (runc does the same).
  std::istringstream hs(header);
  std::string field;
  int pid_index = -1;
  for (int i = 0; hs >> field; ++i)
    if (field == "PID") {
      pid_index = i;
      break;
    }
  if (pid_index < 0)
    return util::make_error("couldn't find PID field in ps output", EINVAL);
  std::printf("%s\n", header.c_str());
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    std::string value;
    for (int i = 0; i <= pid_index && (ls >> value); ++i) {}
    char* end = nullptr;
    long pid = std::strtol(value.c_str(), &end, 10);
    if (end != value.c_str() && std::find(pids.begin(), pids.end(), static_cast<int>(pid)) != pids.end())
      std::printf("%s\n", line.c_str());
  }
  return {};
}

}  // namespace ocistart::runtime
