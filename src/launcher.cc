// `ocistart`, the program users and engines run: a small static launcher that executes the
// runtime, `ocistart-runtime`, from the directory it is in itself (the directory of its
// real path: a symlink to it finds the runtime beside the file it names).
//
// Why a launcher: the commands that fork into a container (create, run, exec, shell) must
// run from a file no container can write (CVE-2019-5736, linux/sealed_exe.h). Before it,
// the runtime started, then re-executed itself from a sealed file, paying its start-up
// twice: the kernel's execve and the dynamic loading of libstdc++ and the rest, about 2 ms
// (bench/README.md "The launcher"). This program does no more than that re-execution, so
// those commands start the runtime once, already sealed. Every other command is a plain
// execve of the runtime. On x86-64 it links no C library either (raw_syscall.h): it starts
// at _start below, so that a command pays about 0.1 ms for it, not a static glibc's 0.4.
//
// It trusts nothing but the kernel: its own path from /proc/self/exe, no environment
// variable, no search path. Where it cannot seal (no mount API, no memfd), it executes the
// runtime as it is, which then seals itself or fails with its own error message. It writes
// nothing but the error of an execve that failed.
#include <fcntl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <climits>
#include <cstddef>

#include "cli/enters_container.h"
#include "linux/grace_helper.h"
#include "linux/raw_syscall.h"
#include "linux/sealed_fd.h"

namespace {

using ocistart::os::arg;
using ocistart::os::raw_syscall;

constexpr char kRuntimeName[] = "ocistart-runtime";

size_t length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0')
    ++n;
  return n;
}

// Appends `s` at `out` (no terminator); returns the end.
char* put(char* out, const char* s) {
  while (*s != '\0')
    *out++ = *s++;
  return out;
}

// What the runtime would say for the errors an execve or open of it can meet.
const char* reason(long err) {
  switch (err) {
    case ENOENT:
      return "no such file or directory";
    case EACCES:
      return "permission denied";
    case EPERM:
      return "operation not permitted";
    case ENOEXEC:
      return "exec format error";
    case ENOMEM:
      return "cannot allocate memory";
    case E2BIG:
      return "argument list too long";
    case ENOTDIR:
      return "not a directory";
    case ELOOP:
      return "too many levels of symbolic links";
    case ENAMETOOLONG:
      return "file name too long";
    case ETXTBSY:
      return "text file busy";
    default:
      return "error";
  }
}

// "ocistart: WHAT `PATH`: REASON" on stderr, and exit status 1 (what the runtime returns
// for a command that failed).
[[noreturn]] void fail(const char* what, const char* path, long err) {
  char line[PATH_MAX + 256];
  char* end = put(line, "ocistart: ");
  end = put(end, what);
  end = put(end, " `");
  if (length(path) < PATH_MAX)
    end = put(end, path);
  end = put(end, "`: ");
  end = put(end, reason(err));
  *end++ = '\n';
  raw_syscall(SYS_write, 2, arg(line), end - line);
  raw_syscall(SYS_exit_group, 1);
  __builtin_unreachable();
}

// The runtime's path: the directory of our own binary, then kRuntimeName. `self` gets our
// own path (what the runtime's original_exe() reports for the unit of `run --service`).
void runtime_path(char (&self)[PATH_MAX], char (&runtime)[PATH_MAX + sizeof kRuntimeName]) {
  long n = raw_syscall(SYS_readlink, arg("/proc/self/exe"), arg(self), sizeof self - 1);
  if (n <= 0)
    fail("find the runtime beside", "/proc/self/exe", n < 0 ? -n : ENOENT);
  self[n] = '\0';
  size_t dir = 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i)
    if (self[i] == '/')
      dir = i;
  for (size_t i = 0; i < dir; ++i)
    runtime[i] = self[i];
  runtime[dir] = '/';
  *put(runtime + dir + 1, kRuntimeName) = '\0';
}

// The runtime, sealed (a read-only detached mount of it, else a sealed memfd copy); a
// negative value when neither can be made.
long sealed_runtime(const char* runtime) {
  long file = raw_syscall(SYS_openat, AT_FDCWD, arg(runtime), O_RDONLY | O_CLOEXEC);
  if (file < 0)
    fail("open the runtime", runtime, -file);
  long sealed = ocistart::os::read_only_clone(static_cast<int>(file));
  if (sealed < 0) {
    const char* step = nullptr;
    sealed = ocistart::os::sealed_memfd_copy(static_cast<int>(file), &step);
  }
  raw_syscall(SYS_close, file);
  return sealed;
}

// Whether `entry` ("NAME=VALUE") sets the variable `name`.
bool sets(const char* entry, const char* name) {
  while (*name != '\0' && *entry == *name)
    ++entry, ++name;
  return *name == '\0' && *entry == '=';
}

// "NAME=DECIMAL" at `out`.
void put_variable(char* out, const char* name, long value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  out = put(out, name);
  *out++ = '=';
  while (n > 0)
    *out++ = digits[--n];
  *out = '\0';
}

[[noreturn]] void launch(int argc, char** argv, char** envp) {
  char self[PATH_MAX];
  char runtime[PATH_MAX + sizeof kRuntimeName];
  runtime_path(self, runtime);
  // The runtime's environment: ours, without a helper's pid we did not set, plus ours and
  // the marker below (room for both).
  size_t n = 0;
  while (envp[n] != nullptr)
    ++n;
  auto** env = static_cast<char**>(__builtin_alloca((n + 3) * sizeof(char*)));
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i)
    if (!sets(envp[i], ocistart::os::kGraceHelperVar))
      env[kept++] = envp[i];
  // systemd will move the container's init into its unit, a move that waits for an RCU
  // grace period: a helper starts it now and keeps it passed (linux/grace_helper.h); the
  // runtime stops it once the move is done.
  char helper[sizeof ocistart::os::kGraceHelperVar + 24];
  if (ocistart::cli::has_systemd_move_an_init(argc, argv))
    if (long pid = ocistart::os::fork_grace_helper(); pid > 0) {
      put_variable(helper, ocistart::os::kGraceHelperVar, pid);
      env[kept++] = helper;
    }
  env[kept] = nullptr;
  if (ocistart::cli::may_enter_a_container(argc, argv)) {
    if (long sealed = sealed_runtime(runtime); sealed >= 0) {
      // The marker with our own path (sealed_fd.h).
      char marker[sizeof ocistart::os::kSealedExeMarker + PATH_MAX + 1];
      char* end = put(marker, ocistart::os::kSealedExeMarker);
      *end++ = '=';
      *put(end, self) = '\0';
      env[kept] = marker;
      env[kept + 1] = nullptr;
      raw_syscall(SYS_execveat, sealed, arg(""), arg(argv), arg(env), AT_EMPTY_PATH);
      env[kept] = nullptr;
    }
    // Not sealed (or the execveat failed): the runtime seals itself or says why not.
  }
  long err = raw_syscall(SYS_execve, arg(runtime), arg(argv), arg(env));
  fail("execute the runtime", runtime, -err);
}

}  // namespace

#if defined(__x86_64__)
// The process's entry: the stack holds argc, the argv pointers, a null, the environment
// pointers, a null. No C library runs before or after.
extern "C" [[noreturn]] void launcher_start(long* stack) {
  int argc = static_cast<int>(stack[0]);
  char** argv = reinterpret_cast<char**>(stack + 1);
  launch(argc, argv, argv + argc + 1);
}
asm(".text\n"
    ".global _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call launcher_start\n"
    "  hlt\n");

// What the compiler may call for a copy or a clear, with no C library to provide them.
extern "C" void* memset(void* to, int c, size_t n) {
  auto* p = static_cast<unsigned char*>(to);
  for (size_t i = 0; i < n; ++i)
    p[i] = static_cast<unsigned char>(c);
  return to;
}
extern "C" void* memcpy(void* to, const void* from, size_t n) {
  auto* d = static_cast<unsigned char*>(to);
  const auto* s = static_cast<const unsigned char*>(from);
  for (size_t i = 0; i < n; ++i)
    d[i] = s[i];
  return to;
}
extern "C" size_t strlen(const char* s) { return length(s); }
extern "C" int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}
#else
extern char** environ;
int main(int argc, char** argv) { launch(argc, argv, environ); }
#endif
