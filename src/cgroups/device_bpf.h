// cgroup v2 device access: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE built from
// the OCI device rules, and the bpf(2) calls that load and attach it to a cgroup.
//
// Semantics (as crun, and runc for the common cases): the container starts from deny-all,
// and for a request the LAST rule in the list that matches it decides. A rule matches when
// its type is `a` (everything: major, minor and access are then ignored, as v1's "a"), or
// when the type is equal, the requested access is a subset of the rule's access, and the
// major/minor are equal or absent (*). Unlike v1, a deny rule can punch a hole into an
// earlier wildcard allow ("c *:* rwm" then deny "c 1:3 rwm" denies 1:3).
#pragma once

#include <linux/bpf.h>

#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::cgroups {

/// The program for `rules`, as raw instructions. Pure. The context the kernel passes
/// (struct bpf_cgroup_dev_ctx) is read as: type = access_type & 0xffff, access =
/// access_type >> 16, then major and minor; the program returns 1 (allow) or 0 (deny).
/// Errors: an unknown type or access letter, a major/minor above INT32_MAX.
[[nodiscard]] util::Result<std::vector<bpf_insn>> build_device_program(
    const std::vector<spec::DeviceCgroupRule>& rules);

/// Loads `program` and attaches it to the cgroup `cgroup_dirfd` (an O_RDONLY|O_DIRECTORY
/// fd of the cgroup directory: the kernel refuses O_PATH fds), with BPF_F_ALLOW_MULTI, then
/// detaches the device programs that were attached before (an update replaces them; while
/// both are attached both must allow, so the switch never widens access). Needs CAP_BPF or
/// CAP_SYS_ADMIN. Errors name the bpf command; a verifier rejection carries its log.
[[nodiscard]] util::Status attach_device_program(int cgroup_dirfd, const std::vector<bpf_insn>& program);

}  // namespace ocistart::cgroups
