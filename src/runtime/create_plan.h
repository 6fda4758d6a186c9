// create's first step: every check and decision that needs no process, no file and no
// cgroup of ours, as a pure function (unit-tested without root).
#pragma once

#include <string>

#include "linux/namespaces.h"
#include "runtime/container.h"
#include "runtime/host_integration.h"
#include "spec/config.h"
#include "util/result.h"

namespace ocistart::runtime {

struct CreatePlan {
  /// The config the init gets: validated, then with create's own additions ($LISTEN_FDS
  /// in process.env, bind sources made absolute, linux present).
  spec::Config config;
  /// What exec, start, delete and the rest will use: the config as validated, before
  /// those additions (state directory's config.json).
  std::string validated_json;
  /// fds 3 .. 3+preserved_fds-1 go to the container: $LISTEN_FDS, then --preserve-fds.
  int preserved_fds = 0;
  os::NamespacePlan namespaces;
  bool journald = false;  // --log-driver journald
  CgroupDriverKind driver_kind = CgroupDriverKind::cgroupfs;
  /// ExecStart= of a unit with Delegate=yes, nothing else asked for: the container may
  /// live in a child cgroup of that unit (whether we are in one is looked up later).
  bool may_use_delegated = false;
};

/// Validates `config` (loaded from o.bundle) and decides what create makes. `listen_fds`:
/// the fds systemd passed us (socket activation); `systemd_runs_host`: /run/systemd/system
/// exists. `host` checks -p and --log-driver journald. Errors (EINVAL, ENOTSUP) are the
/// ones create prints.
[[nodiscard]] util::Result<CreatePlan> plan_create(const CreateOptions& o, bool keep_pty, spec::Config config,
                                                   int listen_fds, bool systemd_runs_host, const HostIntegration& host);

}  // namespace ocistart::runtime
