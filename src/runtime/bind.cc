#include "runtime/bind.h"

#include <tuple>

#include "runtime/running.h"

namespace ocistart::runtime {

util::Status bind(const std::string& root, const std::string& id, const os::BindInto& request) {
  util::Result<RunningContainer> c = open_running(root, id);
  if (!c)
    return std::move(c).error();
  os::BindInto r = request;
  std::tie(r.owner_uid, r.owner_gid) = container_root_owner(c->config);
  return os::bind_into(c->pidfd.get(), c->root.get(), r);
}

}  // namespace ocistart::runtime
