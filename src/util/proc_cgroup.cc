#include "util/proc_cgroup.h"

#include <charconv>

#include "util/text.h"

namespace ocistart::util {

std::vector<std::string_view> ProcCgroupEntry::controller_list() const {
  if (controllers.empty())
    return {};
  return split(controllers, ',');
}

std::vector<ProcCgroupEntry> parse_proc_cgroup(std::string_view text) {
  std::vector<ProcCgroupEntry> out;
  for (std::string_view line : split(text, '\n')) {
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos)
      continue;
    ProcCgroupEntry entry;
    const std::string_view id = line.substr(0, first);
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), entry.hierarchy_id);
    if (ec != std::errc() || end != id.data() + id.size() || id.empty())
      continue;
    entry.controllers = std::string(line.substr(first + 1, second - first - 1));
    entry.path = std::string(line.substr(second + 1));
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace ocistart::util
