// runc's checks on a container's cgroup before create() puts anything in it.
#pragma once

#include <string>
#include <vector>

#include "cgroups/driver.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// Checks, changing nothing, in runc's order:
/// - `resources` fit this host's cgroup version (Driver::check_resources): an error reads
///   "config.json: /linux/resources/unified: invalid configuration: ..." (EINVAL);
/// - the cgroup (or its nearest existing ancestor) is not frozen: "container's cgroup
///   unexpectedly frozen" (EBUSY). Otherwise init would freeze on joining it and create
///   would wait for it forever;
/// - a cgroup that already holds processes is a warning (runc: "container's cgroup is not
///   empty: N process(es) found").
/// Returns the warnings for the caller to log.
[[nodiscard]] util::Result<std::vector<std::string>> check_before_create(const Driver& driver,
                                                                         const spec::Resources& resources);

}  // namespace ocistart::cgroups
