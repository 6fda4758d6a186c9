#include "cgroups/before_create.h"

#include <cerrno>

namespace ocistart::cgroups {

util::Result<std::vector<std::string>> check_before_create(const Driver& driver, const spec::Resources& resources) {
  if (util::Status s = driver.check_resources(resources); !s) {
    const std::string& m = s.error().message;
    return util::make_error("config.json: /linux/resources" + (m.starts_with("/") ? m : ": " + m), s.error().code);
  }
  util::Result<ExistingCgroup> existing = driver.inspect_existing();
  if (!existing)
    return std::move(existing).error().wrap("look at the container's cgroup");
  if (existing->frozen)
    return util::make_error("container's cgroup unexpectedly frozen", EBUSY);
  std::vector<std::string> warnings;
  if (existing->processes > 0)
    warnings.push_back("container's cgroup is not empty: " + std::to_string(existing->processes) +
                       " process(es) found");
  return warnings;
}

}  // namespace ocistart::cgroups
