#include <doctest/doctest.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <string>

#include "build_config.h"
#include "linux/seccomp_filter.h"

using namespace ocistart;

#if OCISTART_HAVE_SECCOMP

namespace {

spec::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                          std::optional<uint32_t> errno_ret = std::nullopt, std::vector<spec::SeccompArg> args = {}) {
  spec::SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.errno_ret = errno_ret;
  s.args = std::move(args);
  return s;
}

spec::SeccompArg arg(uint32_t index, uint64_t value, std::string op, uint64_t value_two = 0) {
  spec::SeccompArg a;
  a.index = index;
  a.value = value;
  a.value_two = value_two;
  a.op = std::move(op);
  return a;
}

std::string pfc(const spec::Seccomp& profile) {
  util::Result<os::SeccompFilter> filter = os::build_seccomp_filter(profile);
  REQUIRE_MESSAGE(filter.ok(), (filter.ok() ? "" : filter.error().message));
  util::Result<std::string> text = os::export_seccomp_pfc(*filter);
  REQUIRE(text.ok());
  return *text;
}

// The text of the native (x86_64) part of a PFC dump, up to the next architecture.
std::string native_section(const std::string& text) {
  size_t start = text.find("# filter for arch x86_64");
  REQUIRE(start != std::string::npos);
  size_t end = text.find("# filter for arch", start + 1);
  if (end == std::string::npos)
    end = text.find("# invalid architecture action", start);
  return text.substr(start, end - start);
}

}  // namespace

#if defined(__x86_64__)

TEST_CASE("seccomp: errno rules carry errnoRet, EPERM by default") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_ERRNO", 38));
  p.syscalls.push_back(rule({"rmdir"}, "SCMP_ACT_ERRNO"));
  p.syscalls.push_back(rule({"getpid"}, "SCMP_ACT_TRACE", 5));
  std::string text = native_section(pfc(p));
  CHECK(text.find("syscall \"mkdir\"") != std::string::npos);
  CHECK(text.find("action ERRNO(38);") != std::string::npos);
  CHECK(text.find("syscall \"rmdir\"") != std::string::npos);
  CHECK(text.find("action ERRNO(1);") != std::string::npos);
  CHECK(text.find("action TRACE(5);") != std::string::npos);
  CHECK(text.find("# default action\n  action ALLOW;") != std::string::npos);
}

TEST_CASE("seccomp: default action with defaultErrnoRet and allow rules") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ERRNO";
  p.default_errno_ret = 38;
  p.syscalls.push_back(rule({"read", "write"}, "SCMP_ACT_ALLOW"));
  std::string text = native_section(pfc(p));
  CHECK(text.find("syscall \"read\"") != std::string::npos);
  CHECK(text.find("syscall \"write\"") != std::string::npos);
  CHECK(text.find("action ALLOW;") != std::string::npos);
  CHECK(text.find("# default action\n  action ERRNO(38);") != std::string::npos);
}

TEST_CASE("seccomp: conditions on different arguments form one rule") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"clone"}, "SCMP_ACT_KILL_PROCESS", std::nullopt,
                            {arg(0, 0x7E020000, "SCMP_CMP_MASKED_EQ", 0), arg(1, 5, "SCMP_CMP_GT")}));
  std::string text = native_section(pfc(p));
  CHECK(text.find("if ($a0.lo32 & 0x7e020000 == 0)") != std::string::npos);
  // Nested under the a0 test: both must hold.
  CHECK(text.find("if ($a1.lo32 > 5)") > text.find("if ($a0.lo32 & 0x7e020000 == 0)"));
  CHECK(text.find("action KILL_PROCESS;") != std::string::npos);
}

TEST_CASE("seccomp: conditions on the same argument become separate rules (OR)") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(
      rule({"personality"}, "SCMP_ACT_ERRNO", 22, {arg(0, 8, "SCMP_CMP_EQ"), arg(0, 0xffffffff, "SCMP_CMP_EQ")}));
  std::string text = native_section(pfc(p));
  size_t first = text.find("if ($a0.lo32 == 8)");
  size_t second = text.find("if ($a0.lo32 == 4294967295)");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  // Each comparison has its own action: two separate rules, not one impossible AND.
  size_t count = 0;
  for (size_t pos = text.find("action ERRNO(22);"); pos != std::string::npos;
       pos = text.find("action ERRNO(22);", pos + 1))
    ++count;
  CHECK(count == 2);
}

TEST_CASE("seccomp: unknown syscall names and rules equal to the default are skipped") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"no_such_syscall_ocistart", "mkdir"}, "SCMP_ACT_ERRNO", 38));
  p.syscalls.push_back(rule({"getpid"}, "SCMP_ACT_ALLOW"));
  std::string text = native_section(pfc(p));
  CHECK(text.find("no_such_syscall_ocistart") == std::string::npos);
  CHECK(text.find("syscall \"mkdir\"") != std::string::npos);
  CHECK(text.find("syscall \"getpid\"") == std::string::npos);
}

TEST_CASE("seccomp: architectures are added, the native one is no error") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_ERRNO", 38));
  std::string text = pfc(p);
  CHECK(text.find("# filter for arch x86_64") != std::string::npos);
  CHECK(text.find("# filter for arch x86 (") != std::string::npos);
  CHECK(text.find("# filter for arch x32") != std::string::npos);
  // mkdir is 39 on i386.
  CHECK(text.find("if ($syscall == 39)") != std::string::npos);
}

#endif  // __x86_64__

TEST_CASE("seccomp: flags reach the flags seccomp(2) is called with") {
  // load_seccomp_filter() passes kernel_flags() to seccomp(SECCOMP_SET_MODE_FILTER) as is.
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_LOG"));
  auto flags_of = [](const spec::Seccomp& profile) -> unsigned long {
    util::Result<os::SeccompFilter> filter = os::build_seccomp_filter(profile);
    REQUIRE_MESSAGE(filter.ok(), (filter.ok() ? "" : filter.error().message));
    return filter->kernel_flags();
  };
  CHECK(flags_of(p) == 0);

  p.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  CHECK(flags_of(p) == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
  p.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  CHECK(flags_of(p) == SECCOMP_FILTER_FLAG_LOG);
  p.flags = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  CHECK(flags_of(p) == SECCOMP_FILTER_FLAG_SPEC_ALLOW);

  // WAIT_KILLABLE_RECV only with a notify rule, which adds NEW_LISTENER (and TSYNC_ESRCH to
  // a TSYNC).
  p.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_LOG"};
  CHECK(flags_of(p) == SECCOMP_FILTER_FLAG_LOG);
  p.syscalls.push_back(rule({"mkdirat"}, "SCMP_ACT_NOTIFY"));
  CHECK(flags_of(p) ==
        (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_NEW_LISTENER));
  p.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
  CHECK(flags_of(p) ==
        (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH | SECCOMP_FILTER_FLAG_NEW_LISTENER));
}

TEST_CASE("seccomp: notify is tracked, and refused for the default action and write") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_NOTIFY"));
  util::Result<os::SeccompFilter> filter = os::build_seccomp_filter(p);
  REQUIRE(filter.ok());
  CHECK(filter->uses_notify());
  // libseccomp 2.5 prints the notify action as its raw value.
  std::string text = native_section(*os::export_seccomp_pfc(*filter));
  CHECK((text.find("action NOTIFY;") != std::string::npos || text.find("action 0x7fc00000;") != std::string::npos));

  // runc's words (seccomp-notify.bats matches them).
  p.syscalls = {rule({"getpid", "write"}, "SCMP_ACT_NOTIFY")};
  util::Result<os::SeccompFilter> bad = os::build_seccomp_filter(p);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "SCMP_ACT_NOTIFY cannot be used for the write syscall");
  CHECK(bad.error().code == EINVAL);

  // The parent takes the fd with pidfd_getfd: sendmsg, read and close may be notified.
  p.syscalls = {rule({"sendmsg", "recvmsg", "read", "close"}, "SCMP_ACT_NOTIFY")};
  CHECK(os::build_seccomp_filter(p).ok());

  p.syscalls.clear();
  p.default_action = "SCMP_ACT_NOTIFY";
  bad = os::build_seccomp_filter(p);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "SCMP_ACT_NOTIFY cannot be used as default action");
}

TEST_CASE("seccomp: unknown names are errors that name them") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  SUBCASE("action") {
    p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_BOGUS"));
    util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == "unknown seccomp action `SCMP_ACT_BOGUS`");
    CHECK(f.error().code == EINVAL);
  }
  SUBCASE("default action") {
    p.default_action = "ALLOW";
    util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == "seccomp default action: unknown seccomp action `ALLOW`");
  }
  SUBCASE("operator") {
    p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_ERRNO", 1, {arg(0, 1, "SCMP_CMP_BOGUS")}));
    util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == "seccomp rule for `mkdir`: unknown operator `SCMP_CMP_BOGUS`");
  }
  SUBCASE("argument index") {
    p.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_ERRNO", 1, {arg(6, 1, "SCMP_CMP_EQ")}));
    CHECK_FALSE(os::build_seccomp_filter(p).ok());
  }
  SUBCASE("architecture") {
    p.architectures = {"SCMP_ARCH_VAX"};
    util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == "unknown seccomp architecture `SCMP_ARCH_VAX`");
  }
  SUBCASE("flag") {
    p.flags = {"SECCOMP_FILTER_FLAG_BOGUS"};
    util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().message == "unknown seccomp flag `SECCOMP_FILTER_FLAG_BOGUS`");
  }
}

TEST_CASE("seccomp: the filter owner is movable and releases once") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
  REQUIRE(f.ok());
  os::SeccompFilter a = std::move(*f);
  CHECK(f->get() == nullptr);
  os::SeccompFilter b;
  b = std::move(a);
  CHECK(a.get() == nullptr);
  CHECK(b.get() != nullptr);
}

#else  // !OCISTART_HAVE_SECCOMP

TEST_CASE("seccomp: a build without libseccomp refuses a profile") {
  spec::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  util::Result<os::SeccompFilter> f = os::build_seccomp_filter(p);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().message == "seccomp requested but ocistart was built without libseccomp");
}

#endif
