// linux.seccomp as a libseccomp filter. Building the filter (pure, testable: export it as
// PFC text) is separate from loading it into the kernel.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// A built filter: the libseccomp context it was made from (a scmp_filter_ctx, released
/// once) and what load_seccomp_filter() hands the kernel: the BPF program, -ENOSYS stub
/// included (seccomp_enosys.h), and the SECCOMP_FILTER_FLAG_* flags. Move-only.
class SeccompFilter {
 public:
  SeccompFilter() noexcept = default;
  SeccompFilter(void* ctx, std::vector<sock_filter> program, unsigned long kernel_flags) noexcept
      : ctx_(ctx), program_(std::move(program)), kernel_flags_(kernel_flags) {}
  SeccompFilter(SeccompFilter&& o) noexcept;
  SeccompFilter& operator=(SeccompFilter&& o) noexcept;
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;
  ~SeccompFilter();

  /// The scmp_filter_ctx; nullptr when empty.
  [[nodiscard]] void* get() const noexcept { return ctx_; }
  /// The program seccomp(2) gets.
  [[nodiscard]] const std::vector<sock_filter>& program() const noexcept { return program_; }
  /// SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER).
  [[nodiscard]] unsigned long kernel_flags() const noexcept { return kernel_flags_; }
  /// True when some rule has SCMP_ACT_NOTIFY: loading it creates a listener fd.
  [[nodiscard]] bool uses_notify() const noexcept;

 private:
  void* ctx_ = nullptr;
  std::vector<sock_filter> program_;
  unsigned long kernel_flags_ = 0;
};

/// Builds the filter: defaultAction (+defaultErrnoRet), architectures (the native one is
/// always there), flags (TSYNC, LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV: passed to seccomp(2)
/// as they are, WAIT_KILLABLE_RECV only with a NOTIFY rule), one rule per syscall name with its action (ERRNO and TRACE return
/// errnoRet, EPERM by default) and argument conditions. Conditions on distinct arguments
/// form one rule (AND); when two conditions name the same argument, each condition becomes
/// its own rule (OR), as runc and crun do. Names this libseccomp cannot resolve and rules
/// whose action is the default action are skipped. Unless the default action lets calls
/// through (ALLOW, LOG, TRACE) or already is ERRNO(ENOSYS), the -ENOSYS stub goes in front
/// (seccomp_enosys.h), from the largest number the profile names for each of its
/// architectures. Unknown action/operator/arch/flag names are errors (EINVAL), and so is
/// SCMP_ACT_NOTIFY as the default action or where spec::seccomp_notify_refusal() says so.
/// A program longer than the kernel's 4096 instructions is E2BIG.
/// NO_NEW_PRIVS is not set by loading the filter (noNewPrivileges decides that).
/// Without libseccomp in the build: "seccomp requested but ocistart was built without
/// libseccomp" (ENOTSUP).
[[nodiscard]] util::Result<SeccompFilter> build_seccomp_filter(const spec::Seccomp& seccomp);

/// The filter as libseccomp's pseudo filter code (seccomp_export_pfc), for tests and
/// debugging.
[[nodiscard]] util::Result<std::string> export_seccomp_pfc(const SeccompFilter& filter);

/// seccomp(SECCOMP_SET_MODE_FILTER) with the filter's program and flags: one system call,
/// nothing else. Needs NO_NEW_PRIVS or CAP_SYS_ADMIN (EACCES otherwise). When the filter
/// uses SCMP_ACT_NOTIFY, returns the listener fd (O_CLOEXEC); otherwise an empty UniqueFd.
/// Safe in the init child.
[[nodiscard]] util::Result<util::UniqueFd> load_seccomp_filter(const SeccompFilter& filter);

/// build_seccomp_filter + load_seccomp_filter.
[[nodiscard]] util::Result<util::UniqueFd> apply_seccomp(const spec::Seccomp& seccomp);

}  // namespace ocistart::os
