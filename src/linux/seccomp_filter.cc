#include "linux/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <cerrno>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "build_config.h"
#include "linux/seccomp_enosys.h"
#include "spec/names.h"
#include "spec/validate.h"
#include "util/fs.h"
#include "util/scope_guard.h"

#if OCISTART_HAVE_SECCOMP
#include <seccomp.h>
#endif

namespace ocistart::os {

SeccompFilter::SeccompFilter(SeccompFilter&& o) noexcept
    : ctx_(std::exchange(o.ctx_, nullptr)),
      program_(std::move(o.program_)),
      kernel_flags_(std::exchange(o.kernel_flags_, 0)) {}

SeccompFilter& SeccompFilter::operator=(SeccompFilter&& o) noexcept {
  if (this != &o) {
    SeccompFilter old(std::move(*this));
    ctx_ = std::exchange(o.ctx_, nullptr);
    program_ = std::move(o.program_);
    kernel_flags_ = std::exchange(o.kernel_flags_, 0);
  }
  return *this;
}

bool SeccompFilter::uses_notify() const noexcept { return (kernel_flags_ & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0; }

#if OCISTART_HAVE_SECCOMP

SeccompFilter::~SeccompFilter() {
  if (ctx_ != nullptr)
    seccomp_release(ctx_);
}

namespace {

constexpr uint32_t kDefaultErrno = EPERM;
// Linux system calls take at most six arguments.
constexpr uint32_t kMaxArgs = 6;

util::Error seccomp_error(std::string what, int rc) { return util::errno_error(what, -rc); }

util::Result<uint32_t> action_value(std::string_view name, std::optional<uint32_t> errno_ret) {
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD")
    return uint32_t{SCMP_ACT_KILL_THREAD};
  if (name == "SCMP_ACT_KILL_PROCESS")
    return uint32_t{SCMP_ACT_KILL_PROCESS};
  if (name == "SCMP_ACT_TRAP")
    return uint32_t{SCMP_ACT_TRAP};
  if (name == "SCMP_ACT_ERRNO")
    return uint32_t{SCMP_ACT_ERRNO(errno_ret.value_or(kDefaultErrno))};
  if (name == "SCMP_ACT_TRACE")
    return uint32_t{SCMP_ACT_TRACE(errno_ret.value_or(kDefaultErrno))};
  if (name == "SCMP_ACT_ALLOW")
    return uint32_t{SCMP_ACT_ALLOW};
  if (name == "SCMP_ACT_LOG")
    return uint32_t{SCMP_ACT_LOG};
  if (name == "SCMP_ACT_NOTIFY")
    return uint32_t{SCMP_ACT_NOTIFY};
  return util::make_error("unknown seccomp action `" + std::string(name) + "`", EINVAL);
}

std::optional<scmp_compare> operator_value(std::string_view name) {
  static constexpr std::pair<std::string_view, scmp_compare> kOperators[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (const auto& [n, op] : kOperators)
    if (n == name)
      return op;
  return std::nullopt;
}

// "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 when unknown to this libseccomp.
uint32_t arch_token(std::string_view name) {
  static constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name.substr(0, kPrefix.size()) != kPrefix)
    return 0;
  std::string lower(name.substr(kPrefix.size()));
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(lower.c_str());
}

// linux.seccomp.flags go to seccomp(2) as they are: we load the program ourselves.
util::Result<unsigned long> kernel_flag(std::string_view flag) {
  if (std::optional<unsigned long> value = spec::seccomp_flag_value(flag))
    return *value;
  return util::make_error("unknown seccomp flag `" + std::string(flag) + "`", EINVAL);
}

util::Result<scmp_arg_cmp> condition(const spec::SeccompArg& arg, const std::string& syscall) {
  if (arg.index >= kMaxArgs)
    return util::make_error(
        "seccomp rule for `" + syscall + "`: argument index " + std::to_string(arg.index) + " is out of range (0-5)",
        EINVAL);
  std::optional<scmp_compare> op = operator_value(arg.op);
  if (!op)
    return util::make_error("seccomp rule for `" + syscall + "`: unknown operator `" + arg.op + "`", EINVAL);
  // SCMP_CMP_MASKED_EQ reads datum_a as the mask and datum_b as the value, which is what
  // the spec's value / valueTwo mean.
  return scmp_arg_cmp{arg.index, *op, arg.value, arg.value_two};
}

util::Status add_rule(scmp_filter_ctx ctx, const std::string& name, int nr, uint32_t action,
                      const std::vector<scmp_arg_cmp>& conditions) {
  int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conditions.size()),
                                  conditions.empty() ? nullptr : conditions.data());
  if (rc < 0)
    return seccomp_error("seccomp rule for `" + name + "`", rc);
  return {};
}

util::Status add_syscall(scmp_filter_ctx ctx, const spec::SeccompSyscall& syscall, uint32_t default_action,
                         bool& uses_notify) {
  util::Result<uint32_t> action = action_value(syscall.action, syscall.errno_ret);
  if (!action)
    return std::move(action).error();
  // Same action as the default: the rule would change nothing, and libseccomp refuses it.
  if (*action == default_action)
    return {};
  std::vector<scmp_arg_cmp> conditions;
  bool repeated_index = false;
  for (const spec::SeccompArg& arg : syscall.args) {
    util::Result<scmp_arg_cmp> cond = condition(arg, syscall.names.empty() ? std::string("?") : syscall.names.front());
    if (!cond)
      return std::move(cond).error();
    for (const scmp_arg_cmp& c : conditions)
      repeated_index = repeated_index || c.arg == cond->arg;
    conditions.push_back(*cond);
  }
  for (const std::string& name : syscall.names) {
    if (*action == SCMP_ACT_NOTIFY) {
      // The listener fd leaves the process through a write (spec::seccomp_notify_refusal).
      if (std::optional<std::string> refused = spec::seccomp_notify_refusal(name))
        return util::make_error(*refused, EINVAL);
      uses_notify = true;
    }
    int nr = seccomp_syscall_resolve_name(name.c_str());
    // A name this libseccomp does not know is a syscall of a newer kernel: skip it, as
    // runc does, rather than refuse a profile written for a newer system.
    if (nr == __NR_SCMP_ERROR)
      continue;
    if (!repeated_index) {
      if (util::Status s = add_rule(ctx, name, nr, *action, conditions); !s)
        return s;
      continue;
    }
    // libseccomp ANDs the conditions of one rule and cannot AND two conditions on the same
    // argument; such a list is taken as alternatives, one rule per condition.
    for (const scmp_arg_cmp& c : conditions)
      if (util::Status s = add_rule(ctx, name, nr, *action, {c}); !s)
        return s;
  }
  return {};
}

// What libseccomp's `exporter` writes for `ctx`, read back from a memfd.
util::Result<std::string> export_text(scmp_filter_ctx ctx, int (*exporter)(const scmp_filter_ctx, int),
                                      const char* what) {
  util::UniqueFd fd(::memfd_create("ocistart-seccomp", MFD_CLOEXEC));
  if (!fd)
    return util::errno_error("memfd_create");
  if (int rc = exporter(ctx, fd.get()); rc < 0)
    return seccomp_error(what, rc);
  if (::lseek(fd.get(), 0, SEEK_SET) < 0)
    return util::errno_error(what);
  return util::read_all(fd.get(), what);
}

// The BPF program libseccomp generates (host byte order, 8 bytes an instruction).
util::Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx) {
  util::Result<std::string> bytes = export_text(ctx, seccomp_export_bpf, "seccomp_export_bpf");
  if (!bytes)
    return std::move(bytes).error();
  if (bytes->empty() || bytes->size() % sizeof(sock_filter) != 0)
    return util::make_error("seccomp_export_bpf: " + std::to_string(bytes->size()) + " bytes are not a BPF program",
                            EPROTO);
  std::vector<sock_filter> program(bytes->size() / sizeof(sock_filter));
  std::memcpy(program.data(), bytes->data(), bytes->size());
  return program;
}

// runc's rule: the stub only matters when the default action refuses a call.
bool needs_enosys_stub(uint32_t default_action) {
  if (default_action == SCMP_ACT_ALLOW || default_action == SCMP_ACT_LOG)
    return false;
  if ((default_action & 0xffff0000U) == SCMP_ACT_TRACE(0))
    return false;  // the tracer decides
  return default_action != SCMP_ACT_ERRNO(ENOSYS);
}

// The largest number the profile names (whatever the rule's action) on each of its
// architectures, the native one included: it is in every filter.
std::vector<AbiLastSyscall> last_syscalls(const spec::Seccomp& seccomp) {
  std::vector<uint32_t> tokens{seccomp_arch_native()};
  for (const std::string& arch : seccomp.architectures)
    tokens.push_back(arch_token(arch));
  std::vector<AbiLastSyscall> out;
  for (uint32_t token : tokens) {
    std::optional<uint32_t> last;
    for (const spec::SeccompSyscall& rule : seccomp.syscalls)
      for (const std::string& name : rule.names) {
        // Negative: unknown here, or a pseudo number libseccomp maps (socketcall's).
        int nr = seccomp_syscall_resolve_name_arch(token, name.c_str());
        if (nr >= 0 && (!last || static_cast<uint32_t>(nr) > *last))
          last = static_cast<uint32_t>(nr);
      }
    if (!last)
      continue;
    // libseccomp's token is the kernel's AUDIT_ARCH_* value, but for x32 (an x86_64 ABI).
    const bool x32 = token == SCMP_ARCH_X32;
    out.push_back(AbiLastSyscall{x32 ? SCMP_ARCH_X86_64 : token, x32, *last});
  }
  return out;
}

}  // namespace

util::Result<SeccompFilter> build_seccomp_filter(const spec::Seccomp& seccomp) {
  util::Result<uint32_t> default_action = action_value(seccomp.default_action, seccomp.default_errno_ret);
  if (!default_action)
    return std::move(default_action).error().wrap("seccomp default action");
  // Every call not named would wait for the agent, the hand-off's write too.
  if (*default_action == SCMP_ACT_NOTIFY)
    return util::make_error("SCMP_ACT_NOTIFY cannot be used as default action", EINVAL);

  scmp_filter_ctx ctx = seccomp_init(*default_action);
  if (ctx == nullptr)
    return util::make_error("seccomp_init: cannot create the filter", ENOMEM);
  // Released on every error path; handed to the SeccompFilter once complete.
  util::ScopeGuard release([ctx] { seccomp_release(ctx); });

  for (const std::string& arch : seccomp.architectures) {
    uint32_t token = arch_token(arch);
    if (token == 0)
      return util::make_error("unknown seccomp architecture `" + arch + "`", EINVAL);
    // The native architecture is in every new filter already (EEXIST).
    if (int rc = seccomp_arch_add(ctx, token); rc < 0 && rc != -EEXIST)
      return seccomp_error("seccomp architecture `" + arch + "`", rc);
  }
  unsigned long flags = 0;
  for (const std::string& flag : seccomp.flags) {
    util::Result<unsigned long> f = kernel_flag(flag);
    if (!f)
      return std::move(f).error();
    flags |= *f;
  }
  // Long profiles evaluate faster as a binary tree. Not for short ones: libseccomp <= 2.5.4
  // builds a broken tree for a filter without rules (runc's threshold).
  if (seccomp.syscalls.size() > 32)
    (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

  bool uses_notify = false;
  for (const spec::SeccompSyscall& syscall : seccomp.syscalls)
    if (util::Status s = add_syscall(ctx, syscall, *default_action, uses_notify); !s)
      return std::move(s).error();
  // WAIT_KILLABLE_RECV is about notified calls: the kernel refuses it without a listener.
  if (!uses_notify)
    flags &= ~static_cast<unsigned long>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
  if (uses_notify) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // The kernel takes TSYNC with a listener only when a thread that cannot sync is
    // reported as ESRCH rather than by its id (the return value is the listener fd).
    if (flags & SECCOMP_FILTER_FLAG_TSYNC)
      flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }

  util::Result<std::vector<sock_filter>> program = export_program(ctx);
  if (!program)
    return std::move(program).error();
  if (needs_enosys_stub(*default_action)) {
    std::vector<sock_filter> stub = enosys_stub(last_syscalls(seccomp));
    program->insert(program->begin(), stub.begin(), stub.end());
  }
  if (program->size() > BPF_MAXINSNS)
    return util::make_error("seccomp filter: " + std::to_string(program->size()) +
                                " instructions, more than the kernel's " + std::to_string(BPF_MAXINSNS),
                            E2BIG);
  release.dismiss();
  return SeccompFilter(ctx, std::move(*program), flags);
}

util::Result<std::string> export_seccomp_pfc(const SeccompFilter& filter) {
  if (filter.get() == nullptr)
    return util::make_error("export seccomp filter: no filter", EINVAL);
  return export_text(filter.get(), seccomp_export_pfc, "seccomp_export_pfc");
}

util::Result<util::UniqueFd> load_seccomp_filter(const SeccompFilter& filter) {
  if (filter.program().empty())
    return util::make_error("load seccomp filter: no filter", EINVAL);
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(filter.program().size());
  prog.filter = const_cast<sock_filter*>(filter.program().data());
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter.kernel_flags(), &prog);
  if (rc < 0) {
    util::Error error = util::errno_error("load seccomp filter");
    if (error.code == EACCES)
      error.message += " (needs noNewPrivileges or CAP_SYS_ADMIN)";
    return error;
  }
  // With NEW_LISTENER the kernel returns the listener fd, O_CLOEXEC.
  return filter.uses_notify() ? util::UniqueFd(static_cast<int>(rc)) : util::UniqueFd();
}

#else  // !OCISTART_HAVE_SECCOMP

SeccompFilter::~SeccompFilter() = default;

namespace {

util::Error no_seccomp() {
  return util::make_error("seccomp requested but ocistart was built without libseccomp", ENOTSUP);
}

}  // namespace

util::Result<SeccompFilter> build_seccomp_filter(const spec::Seccomp&) { return no_seccomp(); }
util::Result<std::string> export_seccomp_pfc(const SeccompFilter&) { return no_seccomp(); }
util::Result<util::UniqueFd> load_seccomp_filter(const SeccompFilter&) { return no_seccomp(); }

#endif

util::Result<util::UniqueFd> apply_seccomp(const spec::Seccomp& seccomp) {
  util::Result<SeccompFilter> filter = build_seccomp_filter(seccomp);
  if (!filter)
    return std::move(filter).error();
  return load_seccomp_filter(*filter);
}

}  // namespace ocistart::os
