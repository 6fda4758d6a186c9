#include "linux/seccomp_filter.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "build_config.h"
#include "util/scope_guard.h"

#if OCISTART_HAVE_SECCOMP
#include <seccomp.h>
#endif

namespace ocistart::os {

SeccompFilter::SeccompFilter(SeccompFilter&& o) noexcept
    : ctx_(std::exchange(o.ctx_, nullptr)), uses_notify_(o.uses_notify_) {}

SeccompFilter& SeccompFilter::operator=(SeccompFilter&& o) noexcept {
  if (this != &o) {
    SeccompFilter old(std::move(*this));
    ctx_ = std::exchange(o.ctx_, nullptr);
    uses_notify_ = o.uses_notify_;
  }
  return *this;
}

#if OCISTART_HAVE_SECCOMP

SeccompFilter::~SeccompFilter() {
  if (ctx_ != nullptr) seccomp_release(ctx_);
}

namespace {

constexpr uint32_t kDefaultErrno = EPERM;
// Linux system calls take at most six arguments.
constexpr uint32_t kMaxArgs = 6;

util::Error seccomp_error(std::string what, int rc) { return util::errno_error(what, -rc); }

util::Result<uint32_t> action_value(std::string_view name, std::optional<uint32_t> errno_ret) {
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD")
    return uint32_t{SCMP_ACT_KILL_THREAD};
  if (name == "SCMP_ACT_KILL_PROCESS") return uint32_t{SCMP_ACT_KILL_PROCESS};
  if (name == "SCMP_ACT_TRAP") return uint32_t{SCMP_ACT_TRAP};
  if (name == "SCMP_ACT_ERRNO") return uint32_t{SCMP_ACT_ERRNO(errno_ret.value_or(kDefaultErrno))};
  if (name == "SCMP_ACT_TRACE") return uint32_t{SCMP_ACT_TRACE(errno_ret.value_or(kDefaultErrno))};
  if (name == "SCMP_ACT_ALLOW") return uint32_t{SCMP_ACT_ALLOW};
  if (name == "SCMP_ACT_LOG") return uint32_t{SCMP_ACT_LOG};
  if (name == "SCMP_ACT_NOTIFY") return uint32_t{SCMP_ACT_NOTIFY};
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
    if (n == name) return op;
  return std::nullopt;
}

// "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 when unknown to this libseccomp.
uint32_t arch_token(std::string_view name) {
  static constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return 0;
  std::string lower(name.substr(kPrefix.size()));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(lower.c_str());
}

util::Status set_flag(scmp_filter_ctx ctx, std::string_view flag) {
  scmp_filter_attr attr{};
  if (flag == "SECCOMP_FILTER_FLAG_TSYNC")
    attr = SCMP_FLTATR_CTL_TSYNC;
  else if (flag == "SECCOMP_FILTER_FLAG_LOG")
    attr = SCMP_FLTATR_CTL_LOG;
  else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
    attr = SCMP_FLTATR_CTL_SSB;
  else if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") {
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
    attr = SCMP_FLTATR_CTL_WAITKILL;
#else
    return util::make_error(
        "seccomp flag `" + std::string(flag) + "` needs libseccomp 2.6 or later", ENOTSUP);
#endif
  } else {
    return util::make_error("unknown seccomp flag `" + std::string(flag) + "`", EINVAL);
  }
  if (int rc = seccomp_attr_set(ctx, attr, 1); rc < 0)
    return seccomp_error("seccomp flag `" + std::string(flag) + "`", rc);
  return {};
}

util::Result<scmp_arg_cmp> condition(const spec::SeccompArg& arg, const std::string& syscall) {
  if (arg.index >= kMaxArgs)
    return util::make_error("seccomp rule for `" + syscall + "`: argument index " +
                                std::to_string(arg.index) + " is out of range (0-5)",
                            EINVAL);
  std::optional<scmp_compare> op = operator_value(arg.op);
  if (!op)
    return util::make_error("seccomp rule for `" + syscall + "`: unknown operator `" + arg.op + "`",
                            EINVAL);
  // SCMP_CMP_MASKED_EQ reads datum_a as the mask and datum_b as the value, which is what
  // the spec's value / valueTwo mean.
  return scmp_arg_cmp{arg.index, *op, arg.value, arg.value_two};
}

util::Status add_rule(scmp_filter_ctx ctx, const std::string& name, int nr, uint32_t action,
                      const std::vector<scmp_arg_cmp>& conditions) {
  int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conditions.size()),
                                  conditions.empty() ? nullptr : conditions.data());
  if (rc < 0) return seccomp_error("seccomp rule for `" + name + "`", rc);
  return {};
}

util::Status add_syscall(scmp_filter_ctx ctx, const spec::SeccompSyscall& syscall,
                         uint32_t default_action, bool& uses_notify) {
  util::Result<uint32_t> action = action_value(syscall.action, syscall.errno_ret);
  if (!action) return std::move(action).error();
  // Same action as the default: the rule would change nothing, and libseccomp refuses it.
  if (*action == default_action) return {};
  std::vector<scmp_arg_cmp> conditions;
  bool repeated_index = false;
  for (const spec::SeccompArg& arg : syscall.args) {
    util::Result<scmp_arg_cmp> cond =
        condition(arg, syscall.names.empty() ? std::string("?") : syscall.names.front());
    if (!cond) return std::move(cond).error();
    for (const scmp_arg_cmp& c : conditions) repeated_index = repeated_index || c.arg == cond->arg;
    conditions.push_back(*cond);
  }
  for (const std::string& name : syscall.names) {
    if (*action == SCMP_ACT_NOTIFY) {
      // After the filter is loaded the listener fd still has to leave the process: with
      // write (the sync socket to the parent, runc refuses it too) or sendmsg (the fd
      // itself, to the parent or to listenerPath). Either call sent to the agent would wait
      // for an agent that has not got the fd yet: a deadlock.
      if (name == "write" || name == "sendmsg")
        return util::make_error("seccomp: SCMP_ACT_NOTIFY cannot be used for `" + name + "`",
                                EINVAL);
      uses_notify = true;
    }
    int nr = seccomp_syscall_resolve_name(name.c_str());
    // A name this libseccomp does not know is a syscall of a newer kernel: skip it, as
    // runc does, rather than refuse a profile written for a newer system.
    if (nr == __NR_SCMP_ERROR) continue;
    if (!repeated_index) {
      if (util::Status s = add_rule(ctx, name, nr, *action, conditions); !s) return s;
      continue;
    }
    // libseccomp ANDs the conditions of one rule and cannot AND two conditions on the same
    // argument; such a list is taken as alternatives, one rule per condition.
    for (const scmp_arg_cmp& c : conditions)
      if (util::Status s = add_rule(ctx, name, nr, *action, {c}); !s) return s;
  }
  return {};
}

}  // namespace

util::Result<SeccompFilter> build_seccomp_filter(const spec::Seccomp& seccomp) {
  util::Result<uint32_t> default_action =
      action_value(seccomp.default_action, seccomp.default_errno_ret);
  if (!default_action) return std::move(default_action).error().wrap("seccomp default action");
  // The init writes to its parent after loading; see add_syscall.
  if (*default_action == SCMP_ACT_NOTIFY)
    return util::make_error("seccomp: SCMP_ACT_NOTIFY cannot be the default action", EINVAL);

  scmp_filter_ctx ctx = seccomp_init(*default_action);
  if (ctx == nullptr) return util::make_error("seccomp_init: cannot create the filter", ENOMEM);
  // Released on every error path; handed to the SeccompFilter once complete.
  util::ScopeGuard release([ctx] { seccomp_release(ctx); });

  for (const std::string& arch : seccomp.architectures) {
    uint32_t token = arch_token(arch);
    if (token == 0) return util::make_error("unknown seccomp architecture `" + arch + "`", EINVAL);
    // The native architecture is in every new filter already (EEXIST).
    if (int rc = seccomp_arch_add(ctx, token); rc < 0 && rc != -EEXIST)
      return seccomp_error("seccomp architecture `" + arch + "`", rc);
  }
  for (const std::string& flag : seccomp.flags)
    if (util::Status s = set_flag(ctx, flag); !s) return std::move(s).error();
  // libseccomp sets NO_NEW_PRIVS when loading unless told not to; noNewPrivileges is the
  // config's decision, taken separately.
  if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); rc < 0)
    return seccomp_error("seccomp attribute NNP", rc);
  // Report the kernel's errno from seccomp_load, not libseccomp's generic ECANCELED.
  (void)seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
  // Long profiles evaluate faster as a binary tree. Not for short ones: libseccomp <= 2.5.4
  // builds a broken tree for a filter without rules (runc's threshold).
  if (seccomp.syscalls.size() > 32) (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

  bool uses_notify = false;
  for (const spec::SeccompSyscall& syscall : seccomp.syscalls)
    if (util::Status s = add_syscall(ctx, syscall, *default_action, uses_notify); !s)
      return std::move(s).error();
  release.dismiss();
  return SeccompFilter(ctx, uses_notify);
}

util::Result<std::string> export_seccomp_pfc(const SeccompFilter& filter) {
  if (filter.get() == nullptr) return util::make_error("export seccomp filter: no filter", EINVAL);
  util::UniqueFd fd(::memfd_create("ocistart-seccomp-pfc", MFD_CLOEXEC));
  if (!fd) return util::errno_error("memfd_create");
  if (int rc = seccomp_export_pfc(filter.get(), fd.get()); rc < 0)
    return seccomp_error("seccomp_export_pfc", rc);
  std::string text;
  char buf[4096];
  for (off_t offset = 0;;) {
    ssize_t n = ::pread(fd.get(), buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return util::errno_error("read seccomp pfc");
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

util::Result<util::UniqueFd> load_seccomp_filter(const SeccompFilter& filter) {
  if (filter.get() == nullptr) return util::make_error("load seccomp filter: no filter", EINVAL);
  if (int rc = seccomp_load(filter.get()); rc < 0) {
    util::Error error = seccomp_error("load seccomp filter", rc);
    if (rc == -EACCES) error.message += " (needs noNewPrivileges or CAP_SYS_ADMIN)";
    return error;
  }
  if (!filter.uses_notify()) return util::UniqueFd();
  // libseccomp keeps the listener fd in its process-wide state and never closes it; the
  // init is about to exec, so the caller takes ownership of that very fd.
  int fd = seccomp_notify_fd(filter.get());
  if (fd < 0) return seccomp_error("seccomp listener fd", fd);
  return util::UniqueFd(fd);
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
  if (!filter) return std::move(filter).error();
  return load_seccomp_filter(*filter);
}

}  // namespace ocistart::os
