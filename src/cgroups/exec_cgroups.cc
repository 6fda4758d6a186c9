#include "cgroups/exec_cgroups.h"

#include <algorithm>
#include <cerrno>

#include "cgroups/fs_common.h"

namespace ocistart::cgroups {

util::Result<SubCgroups> parse_sub_cgroups(const std::vector<std::string>& values) {
  SubCgroups out;
  for (const std::string& value : values) {
    size_t colon = value.find(':');
    if (colon != std::string::npos && value.find(':', colon + 1) != std::string::npos)
      return util::make_error("invalid --cgroup argument: " + value, EINVAL);
    if (colon == std::string::npos) {
      if (values.size() != 1)
        return util::make_error("invalid --cgroup argument: " + value + " (missing <controller>: prefix)", EINVAL);
      out[""] = value;
      continue;
    }
    const std::string path = value.substr(colon + 1);
    size_t start = 0;
    for (;;) {  // "cpu,cpuacct": one entry each
      size_t comma = value.find(',', start);
      if (comma == std::string::npos || comma > colon)
        comma = colon;
      out[value.substr(start, comma - start)] = path;
      if (comma == colon)
        break;
      start = comma + 1;
    }
  }
  return out;
}

util::Result<std::string> sub_cgroup_path(std::string_view base, std::string_view sub) {
  const std::vector<std::string> top = fs::components(base);
  std::vector<std::string> parts = top;
  for (const std::string& c : fs::components(sub)) {
    if (c == "..") {
      if (!parts.empty())
        parts.pop_back();
    } else if (c != ".") {
      parts.push_back(c);
    }
  }
  // Where it ends up counts, as in runc: "../b/x" from "a/b" is "a/b/x", fine.
  if (parts.size() < top.size() || !std::equal(top.begin(), top.end(), parts.begin()))
    return util::make_error(std::string(sub) + " is not a sub cgroup path", EINVAL);
  std::string out;
  for (const std::string& p : parts)
    out += (out.empty() ? "" : "/") + p;
  return out;
}

util::Result<os::CgroupEntry> Driver::open_entry(const SubCgroups& /*sub*/) const {
  return util::make_error("the `" + std::string(name()) + "` cgroup driver has no cgroup to enter", ENOTSUP);
}

util::Error missing_sub_cgroup(int pid, std::string_view dir) {
  return util::make_error("adding pid " + std::to_string(pid) + " to cgroups: " + std::string(dir) +
                              "/cgroup.procs: no such file or directory",
                          ENOENT);
}

}  // namespace ocistart::cgroups
