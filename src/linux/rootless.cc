#include "linux/rootless.h"

#include <unistd.h>

#include <sstream>
#include <string>

#include "util/fs.h"

namespace ocistart::os {

bool initial_uid_map(std::string_view uid_map) noexcept {
  std::istringstream in{std::string(uid_map)};
  unsigned long long inside = 1, outside = 1, count = 0;
  std::string rest;
  if (!(in >> inside >> outside >> count))
    return false;
  in >> rest;
  return inside == 0 && outside == 0 && count == 4294967295ULL && rest.empty();
}

bool in_user_namespace() {
  static const bool in = [] {
    util::Result<std::string> map = util::read_file("/proc/self/uid_map");
    // No /proc (or no user namespaces at all): the host's.
    return map && !initial_uid_map(*map);
  }();
  return in;
}

bool rootless_runtime() { return ::geteuid() != 0 || in_user_namespace(); }

}  // namespace ocistart::os
