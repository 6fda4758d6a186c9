// The -ENOSYS stub that goes in front of a seccomp filter (runc does the same).
//
// A profile lists the syscalls it knows; with a denying default action, a syscall newer
// than the profile would get that action (EPERM, a kill), and programs that probe for a new
// syscall and fall back on ENOSYS (glibc's clone3, statx, close_range...) break. So a
// syscall whose number is above every number the profile names, for its architecture,
// gets ENOSYS, as on a kernel that lacks it; everything else goes on to the filter.
// Pure: plain BPF, no libseccomp.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace ocistart::os {

/// The largest syscall number a profile names for one ABI, as seccomp_data shows it:
/// `audit_arch` is the AUDIT_ARCH_* value of seccomp_data.arch. x32 shares
/// AUDIT_ARCH_X86_64 with x86_64; its numbers carry bit 30 (`x32` true, `last` with the
/// bit), which is how the stub tells the two apart.
struct AbiLastSyscall {
  uint32_t audit_arch = 0;
  bool x32 = false;
  uint32_t last = 0;
};

/// SECCOMP_RET_ERRNO | ENOSYS: what the stub returns.
inline constexpr uint32_t kRetEnosys = 0x00050000U | 38U;

/// BPF code to prepend to a filter: for an ABI in `abis`, a syscall number above its
/// `last` returns kRetEnosys (and on s390/s390x so does number 0, the multiplexer unknown
/// numbers end up on); any other call, and any other architecture, jumps to the first
/// instruction after the stub. An ABI listed twice keeps its first entry. Conditional
/// jumps skip at most a few instructions and far jumps are BPF_JA (32-bit offsets), so
/// the stub is valid whatever its length. Empty `abis`: an empty stub.
[[nodiscard]] std::vector<sock_filter> enosys_stub(const std::vector<AbiLastSyscall>& abis);

}  // namespace ocistart::os
