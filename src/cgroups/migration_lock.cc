#include "cgroups/migration_lock.h"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "linux/grace_helper.h"

namespace ocistart::cgroups {
namespace {

constexpr size_t kHelperStack = 64 * 1024;
// Our own helper's pid, and the launcher's.
int own_helper = 0;
int launcher_helper = 0;
// Shared with our own helper (same memory): nonzero asks it to stop; a futex word.
int stop_word = 0;

// Our pid, for the helper's check of its parent.
long helper_parent = 0;

int run_helper(void* arg) { os::keep_grace_period(reinterpret_cast<intptr_t>(arg), &stop_word, helper_parent); }

// Whether `pid` is a child of ours that has not exited; one that has is reaped and `pid`
// cleared (its number may be reused from then on).
bool running_child(int& pid) {
  if (pid <= 0)
    return false;
  const int waited = ::waitpid(pid, nullptr, __WALL | WNOHANG);
  if (waited != 0)
    pid = 0;
  return waited == 0;
}

}  // namespace

void adopt_launcher_helper() noexcept {
  const char* value = std::getenv(os::kGraceHelperVar);
  if (value == nullptr)
    return;
  const std::string_view digits = value;
  unsigned pid = 0;
  if (auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
      ec != std::errc() || end != digits.data() + digits.size() || pid > 1'000'000'000)
    pid = 0;
  (void)::unsetenv(os::kGraceHelperVar);
  // Only a running child of ours is the launcher's helper (the variable may be stale, from
  // a caller's environment): anything else is left alone.
  launcher_helper = static_cast<int>(pid);
  (void)running_child(launcher_helper);
}

void start_migration_grace_period() noexcept {
  if (launcher_helper > 0 || own_helper > 0)
    return;
  const long fd = os::open_own_cgroup_procs();
  if (fd < 0)
    return;
  helper_parent = ::getpid();
  void* stack = ::mmap(nullptr, kHelperStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack != MAP_FAILED) {
    // No exit signal, so no wait(2) of ours but reap_migration_helper()'s sees it; its own
    // copy of the fd table (no CLONE_FILES) keeps the file open after we close ours.
    int pid = ::clone(run_helper, static_cast<char*>(stack) + kHelperStack, CLONE_VM,
                      reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
    if (pid > 0)
      own_helper = pid;
    else
      ::munmap(stack, kHelperStack);
  }
  ::close(static_cast<int>(fd));
}

void end_migration_grace_period() noexcept {
  if (own_helper > 0) {
    __atomic_store_n(&stop_word, 1, __ATOMIC_RELEASE);
    (void)::syscall(SYS_futex, &stop_word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
  // Still our child, so its pid cannot have been reused.
  if (running_child(launcher_helper))
    (void)::kill(launcher_helper, SIGKILL);
}

void reap_migration_helper() noexcept {
  end_migration_grace_period();
  for (int* pid : {&own_helper, &launcher_helper})
    if (*pid > 0 && ::waitpid(*pid, nullptr, __WALL) == *pid)
      *pid = 0;
}

}  // namespace ocistart::cgroups
