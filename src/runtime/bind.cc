#include "runtime/bind.h"

#include "runtime/running.h"

namespace ocistart::runtime {

util::Status bind(const std::string& root, const std::string& id, const os::BindInto& request) {
  util::Result<RunningContainer> c = open_running(root, id);
  if (!c)
    return std::move(c).error();
  return os::bind_into(c->pidfd.get(), c->root.get(), request);
}

}  // namespace ocistart::runtime
