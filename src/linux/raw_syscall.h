// System calls without the C library: what the static launcher (src/launcher.cc) uses, so
// it links no libc at all (a static glibc's start-up alone costs ~0.3 ms on the
// development VM, mostly CPUID exits in its CPU feature detection). Elsewhere (another
// architecture) they are libc's syscall(). Each returns the result or -errno.
#pragma once

#if !defined(__x86_64__)
#include <unistd.h>

#include <cerrno>
#endif

namespace ocistart::os {

#if defined(__x86_64__)
inline long raw_syscall(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) noexcept {
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  register long r9 asm("r9") = f;
  long ret;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}
#else
inline long raw_syscall(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) noexcept {
  long r = ::syscall(n, a, b, c, d, e, f);
  return r < 0 ? -errno : r;
}
#endif

/// `p` as the long a system call takes.
template <typename T>
inline long arg(T* p) noexcept {
  return reinterpret_cast<long>(p);
}

}  // namespace ocistart::os
