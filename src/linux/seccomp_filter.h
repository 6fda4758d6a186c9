// linux.seccomp as a libseccomp filter. Building the filter (pure, testable: export it as
// PFC text) is separate from loading it into the kernel.
#pragma once

#include <string>

#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// Owns a libseccomp filter context (scmp_filter_ctx, a void*) and releases it once.
/// Move-only.
class SeccompFilter {
 public:
  SeccompFilter() noexcept = default;
  SeccompFilter(void* ctx, bool uses_notify) noexcept : ctx_(ctx), uses_notify_(uses_notify) {}
  SeccompFilter(SeccompFilter&& o) noexcept;
  SeccompFilter& operator=(SeccompFilter&& o) noexcept;
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;
  ~SeccompFilter();

  /// The scmp_filter_ctx; nullptr when empty.
  [[nodiscard]] void* get() const noexcept { return ctx_; }
  /// True when some rule has SCMP_ACT_NOTIFY: loading it creates a listener fd.
  [[nodiscard]] bool uses_notify() const noexcept { return uses_notify_; }

 private:
  void* ctx_ = nullptr;
  bool uses_notify_ = false;
};

/// Builds the filter: defaultAction (+defaultErrnoRet), architectures (the native one is
/// always there), flags (TSYNC, LOG, SPEC_ALLOW; WAIT_KILLABLE_RECV needs libseccomp 2.6),
/// one rule per syscall name with its action (ERRNO and TRACE return errnoRet, EPERM by
/// default) and argument conditions. Conditions on distinct arguments form one rule (AND);
/// when two conditions name the same argument, each condition becomes its own rule (OR),
/// as runc and crun do. Names this libseccomp cannot resolve and rules whose action is the
/// default action are skipped. Unknown action/operator/arch/flag names are errors (EINVAL),
/// and so is SCMP_ACT_NOTIFY as the default action or for `write` or `sendmsg` (the fd
/// leaves the process with them after loading).
/// NO_NEW_PRIVS is not set by loading the filter (noNewPrivileges decides that).
/// Without libseccomp in the build: "seccomp requested but ocistart was built without
/// libseccomp" (ENOTSUP).
[[nodiscard]] util::Result<SeccompFilter> build_seccomp_filter(const spec::Seccomp& seccomp);

/// The filter as libseccomp's pseudo filter code (seccomp_export_pfc), for tests and
/// debugging.
[[nodiscard]] util::Result<std::string> export_seccomp_pfc(const SeccompFilter& filter);

/// seccomp_load. Needs NO_NEW_PRIVS or CAP_SYS_ADMIN (EACCES otherwise). When the filter
/// uses SCMP_ACT_NOTIFY, returns the listener fd (O_CLOEXEC); otherwise an empty UniqueFd.
/// Safe in the init child.
[[nodiscard]] util::Result<util::UniqueFd> load_seccomp_filter(const SeccompFilter& filter);

/// build_seccomp_filter + load_seccomp_filter.
[[nodiscard]] util::Result<util::UniqueFd> apply_seccomp(const spec::Seccomp& seccomp);

}  // namespace ocistart::os
