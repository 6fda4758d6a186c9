// The -ENOSYS stub, and the whole program build_seccomp_filter makes, run through a small
// classic-BPF interpreter: what would the kernel return for this call?
#include <doctest/doctest.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "build_config.h"
#include "linux/seccomp_enosys.h"
#include "linux/seccomp_filter.h"

using namespace ocistart;

namespace {

constexpr uint32_t kFilter = 0x7fff0000U;  // the sentinel "filter": ret ALLOW
constexpr uint32_t kX32 = 0x40000000U;

uint32_t errno_ret(int e) { return SECCOMP_RET_ERRNO | static_cast<uint32_t>(e); }

// Runs `code` over seccomp_data {nr, arch}; nullopt for an instruction it does not know,
// a jump out of the program or a fall off its end (the kernel's checker refuses those).
std::optional<uint32_t> run(const std::vector<sock_filter>& code, uint32_t arch, uint32_t nr,
                            const std::vector<uint64_t>& args = {}) {
  seccomp_data data{};
  data.nr = static_cast<int>(nr);
  data.arch = arch;
  for (size_t i = 0; i < args.size() && i < 6; ++i)
    data.args[i] = args[i];
  unsigned char bytes[sizeof data];
  std::memcpy(bytes, &data, sizeof data);
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& i = code[pc];
    const uint32_t src = BPF_SRC(i.code) == BPF_X ? x : i.k;
    switch (BPF_CLASS(i.code)) {
      case BPF_LD:
        if (BPF_MODE(i.code) == BPF_ABS && BPF_SIZE(i.code) == BPF_W && i.k + 4 <= sizeof data)
          std::memcpy(&a, bytes + i.k, 4);
        else if (BPF_MODE(i.code) == BPF_MEM && i.k < BPF_MEMWORDS)
          a = mem[i.k];
        else if (BPF_MODE(i.code) == BPF_IMM)
          a = i.k;
        else
          return std::nullopt;
        break;
      case BPF_LDX:
        if (BPF_MODE(i.code) != BPF_MEM || i.k >= BPF_MEMWORDS)
          return std::nullopt;
        x = mem[i.k];
        break;
      case BPF_ST:
        if (i.k >= BPF_MEMWORDS)
          return std::nullopt;
        mem[i.k] = a;
        break;
      case BPF_STX:
        if (i.k >= BPF_MEMWORDS)
          return std::nullopt;
        mem[i.k] = x;
        break;
      case BPF_ALU:
        if (BPF_OP(i.code) == BPF_AND)
          a &= src;
        else if (BPF_OP(i.code) == BPF_OR)
          a |= src;
        else
          return std::nullopt;
        break;
      case BPF_MISC:
        if (BPF_MISCOP(i.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
      case BPF_JMP: {
        if (BPF_OP(i.code) == BPF_JA) {
          pc += i.k;
          break;
        }
        bool taken = false;
        switch (BPF_OP(i.code)) {
          case BPF_JEQ:
            taken = a == src;
            break;
          case BPF_JGT:
            taken = a > src;
            break;
          case BPF_JGE:
            taken = a >= src;
            break;
          case BPF_JSET:
            taken = (a & src) != 0;
            break;
          default:
            return std::nullopt;
        }
        pc += taken ? i.jt : i.jf;
        break;
      }
      case BPF_RET:
        return BPF_RVAL(i.code) == BPF_A ? a : i.k;
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

// The stub followed by the sentinel filter.
std::vector<sock_filter> with_sentinel(std::vector<sock_filter> stub) {
  stub.push_back(sock_filter{BPF_RET | BPF_K, 0, 0, kFilter});
  return stub;
}

}  // namespace

TEST_CASE("enosys stub: above the last number ENOSYS, the rest goes to the filter") {
  std::vector<sock_filter> code = with_sentinel(os::enosys_stub({{AUDIT_ARCH_I386, false, 450}}));
  CHECK(run(code, AUDIT_ARCH_I386, 451) == os::kRetEnosys);
  CHECK(run(code, AUDIT_ARCH_I386, 1000) == os::kRetEnosys);
  CHECK(run(code, AUDIT_ARCH_I386, 450) == kFilter);
  CHECK(run(code, AUDIT_ARCH_I386, 0) == kFilter);
  // An architecture the profile does not name is the filter's business.
  CHECK(run(code, AUDIT_ARCH_AARCH64, 1000) == kFilter);
  CHECK(os::kRetEnosys == errno_ret(ENOSYS));
}

TEST_CASE("enosys stub: x86_64 and x32 share an audit arch, told apart by bit 30") {
  SUBCASE("both named") {
    std::vector<sock_filter> code =
        with_sentinel(os::enosys_stub({{AUDIT_ARCH_X86_64, false, 335}, {AUDIT_ARCH_X86_64, true, kX32 | 300}}));
    CHECK(run(code, AUDIT_ARCH_X86_64, 335) == kFilter);
    CHECK(run(code, AUDIT_ARCH_X86_64, 336) == os::kRetEnosys);
    CHECK(run(code, AUDIT_ARCH_X86_64, kX32 | 300) == kFilter);
    CHECK(run(code, AUDIT_ARCH_X86_64, kX32 | 301) == os::kRetEnosys);
  }
  SUBCASE("x86_64 only: x32 calls go to the filter") {
    std::vector<sock_filter> code = with_sentinel(os::enosys_stub({{AUDIT_ARCH_X86_64, false, 335}}));
    CHECK(run(code, AUDIT_ARCH_X86_64, 1000) == os::kRetEnosys);
    CHECK(run(code, AUDIT_ARCH_X86_64, kX32 | 1000) == kFilter);
  }
  SUBCASE("x32 only: x86_64 calls go to the filter") {
    std::vector<sock_filter> code = with_sentinel(os::enosys_stub({{AUDIT_ARCH_X86_64, true, kX32 | 300}}));
    CHECK(run(code, AUDIT_ARCH_X86_64, 1000) == kFilter);
    CHECK(run(code, AUDIT_ARCH_X86_64, kX32 | 1000) == os::kRetEnosys);
  }
}

TEST_CASE("enosys stub: s390 number 0 (the multiplexer) is ENOSYS, several arches, no arch") {
  std::vector<sock_filter> code = with_sentinel(
      os::enosys_stub({{AUDIT_ARCH_S390X, false, 400}, {AUDIT_ARCH_I386, false, 450}, {AUDIT_ARCH_S390X, false, 9}}));
  CHECK(run(code, AUDIT_ARCH_S390X, 0) == os::kRetEnosys);
  CHECK(run(code, AUDIT_ARCH_S390X, 400) == kFilter);  // the first entry of an ABI counts
  CHECK(run(code, AUDIT_ARCH_S390X, 401) == os::kRetEnosys);
  CHECK(run(code, AUDIT_ARCH_I386, 0) == kFilter);
  CHECK(run(code, AUDIT_ARCH_I386, 451) == os::kRetEnosys);
  CHECK(os::enosys_stub({}).empty());
}

#if OCISTART_HAVE_SECCOMP && defined(__x86_64__)

namespace {

spec::SeccompSyscall rule(std::vector<std::string> names, std::string action) {
  spec::SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  return s;
}

std::vector<sock_filter> program_of(const spec::Seccomp& profile) {
  util::Result<os::SeccompFilter> filter = os::build_seccomp_filter(profile);
  REQUIRE_MESSAGE(filter.ok(), (filter.ok() ? "" : filter.error().message));
  return filter->program();
}

constexpr uint32_t kGetpid = 39, kMkdir = 83, kUnshare = 272, kOpenTree = 428;

}  // namespace

TEST_CASE("seccomp filter: a denying default gets the stub (runc's -ENOSYS handling)") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ERRNO";
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  p.syscalls = {rule({"getpid", "open_tree"}, "SCMP_ACT_ALLOW")};
  std::vector<sock_filter> code = program_of(p);
  CHECK(run(code, AUDIT_ARCH_X86_64, kGetpid) == SECCOMP_RET_ALLOW);
  CHECK(run(code, AUDIT_ARCH_X86_64, kUnshare) == errno_ret(EPERM));    // older, not named
  CHECK(run(code, AUDIT_ARCH_X86_64, kOpenTree) == SECCOMP_RET_ALLOW);  // the last one named
  CHECK(run(code, AUDIT_ARCH_X86_64, 1000) == errno_ret(ENOSYS));       // newer than the profile
  CHECK(run(code, AUDIT_ARCH_X86_64, kX32 | 1000) == errno_ret(ENOSYS));
  CHECK(run(code, AUDIT_ARCH_I386, 1000) == errno_ret(ENOSYS));
  CHECK(run(code, AUDIT_ARCH_I386, 20) == SECCOMP_RET_ALLOW);  // getpid on i386

  SUBCASE("defaultErrnoRet is kept below the last number") {
    p.default_errno_ret = ENXIO;
    code = program_of(p);
    CHECK(run(code, AUDIT_ARCH_X86_64, kUnshare) == errno_ret(ENXIO));
    CHECK(run(code, AUDIT_ARCH_X86_64, 1000) == errno_ret(ENOSYS));
  }
  SUBCASE("the native architecture counts even when not listed") {
    p.architectures = {"SCMP_ARCH_X86"};
    code = program_of(p);
    CHECK(run(code, AUDIT_ARCH_X86_64, 1000) == errno_ret(ENOSYS));
  }
  SUBCASE("a kill default too") {
    p.default_action = "SCMP_ACT_KILL_PROCESS";
    code = program_of(p);
    CHECK(run(code, AUDIT_ARCH_X86_64, kUnshare) == SECCOMP_RET_KILL_PROCESS);
    CHECK(run(code, AUDIT_ARCH_X86_64, 1000) == errno_ret(ENOSYS));
  }
}

TEST_CASE("seccomp filter: no stub when the default lets calls through") {
  spec::Seccomp p;
  p.syscalls = {rule({"mkdir"}, "SCMP_ACT_ERRNO")};
  for (const char* action : {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"}) {
    p.default_action = action;
    std::vector<sock_filter> code = program_of(p);
    CHECK(run(code, AUDIT_ARCH_X86_64, kMkdir) == errno_ret(EPERM));
    std::optional<uint32_t> r = run(code, AUDIT_ARCH_X86_64, 1000);
    REQUIRE(r.has_value());
    CHECK(*r != errno_ret(ENOSYS));
  }
}

TEST_CASE("seccomp filter: flags and the listener go to seccomp(2)") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
  REQUIRE(f.ok());
  // WAIT_KILLABLE_RECV only with a listener (the kernel refuses it otherwise).
  CHECK(f->kernel_flags() == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
  CHECK_FALSE(f->uses_notify());
  p.syscalls = {rule({"mkdir"}, "SCMP_ACT_NOTIFY")};
  f = os::build_seccomp_filter(p);
  REQUIRE(f.ok());
  CHECK(f->kernel_flags() == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                              SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER));

  p.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
  p.syscalls = {rule({"mkdir"}, "SCMP_ACT_NOTIFY")};
  f = os::build_seccomp_filter(p);
  REQUIRE(f.ok());
  CHECK(f->uses_notify());
  CHECK(f->kernel_flags() ==
        (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
  CHECK(run(f->program(), AUDIT_ARCH_X86_64, kMkdir) == SECCOMP_RET_USER_NOTIF);
}

#endif
