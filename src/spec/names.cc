#include "spec/names.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

namespace ocistart::spec {
namespace {

// Index of `name` in `list` when present.
std::optional<int> index_of(const std::vector<std::string_view>& list, std::string_view name) {
  auto it = std::find(list.begin(), list.end(), name);
  if (it == list.end())
    return std::nullopt;
  return static_cast<int>(it - list.begin());
}

// A decimal number without sign, leading '+' or trailing garbage.
std::optional<int> parse_small_number(std::string_view s) {
  if (s.empty() || s.size() > 6)
    return std::nullopt;
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0)
    return std::nullopt;
  return n;
}

struct NamedSignal {
  std::string_view name;  // without "SIG"
  int number;
};

// The standard signals of Linux (signal(7)), with the aliases IOT, POLL and CLD.
constexpr NamedSignal kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

}  // namespace

const std::vector<std::string_view>& capability_names() {
  // Order is the kernel's numbering (linux/capability.h).
  static const std::vector<std::string_view> names = {
      "CAP_CHOWN",               // 0
      "CAP_DAC_OVERRIDE",        // 1
      "CAP_DAC_READ_SEARCH",     // 2
      "CAP_FOWNER",              // 3
      "CAP_FSETID",              // 4
      "CAP_KILL",                // 5
      "CAP_SETGID",              // 6
      "CAP_SETUID",              // 7
      "CAP_SETPCAP",             // 8
      "CAP_LINUX_IMMUTABLE",     // 9
      "CAP_NET_BIND_SERVICE",    // 10
      "CAP_NET_BROADCAST",       // 11
      "CAP_NET_ADMIN",           // 12
      "CAP_NET_RAW",             // 13
      "CAP_IPC_LOCK",            // 14
      "CAP_IPC_OWNER",           // 15
      "CAP_SYS_MODULE",          // 16
      "CAP_SYS_RAWIO",           // 17
      "CAP_SYS_CHROOT",          // 18
      "CAP_SYS_PTRACE",          // 19
      "CAP_SYS_PACCT",           // 20
      "CAP_SYS_ADMIN",           // 21
      "CAP_SYS_BOOT",            // 22
      "CAP_SYS_NICE",            // 23
      "CAP_SYS_RESOURCE",        // 24
      "CAP_SYS_TIME",            // 25
      "CAP_SYS_TTY_CONFIG",      // 26
      "CAP_MKNOD",               // 27
      "CAP_LEASE",               // 28
      "CAP_AUDIT_WRITE",         // 29
      "CAP_AUDIT_CONTROL",       // 30
      "CAP_SETFCAP",             // 31
      "CAP_MAC_OVERRIDE",        // 32
      "CAP_MAC_ADMIN",           // 33
      "CAP_SYSLOG",              // 34
      "CAP_WAKE_ALARM",          // 35
      "CAP_BLOCK_SUSPEND",       // 36
      "CAP_AUDIT_READ",          // 37
      "CAP_PERFMON",             // 38
      "CAP_BPF",                 // 39
      "CAP_CHECKPOINT_RESTORE",  // 40
  };
  return names;
}

std::optional<int> capability_from_name(std::string_view name) { return index_of(capability_names(), name); }

const std::vector<std::string_view>& rlimit_names() {
  // Order is the resource number of Linux (asm-generic/resource.h).
  static const std::vector<std::string_view> names = {
      "RLIMIT_CPU",         // 0
      "RLIMIT_FSIZE",       // 1
      "RLIMIT_DATA",        // 2
      "RLIMIT_STACK",       // 3
      "RLIMIT_CORE",        // 4
      "RLIMIT_RSS",         // 5
      "RLIMIT_NPROC",       // 6
      "RLIMIT_NOFILE",      // 7
      "RLIMIT_MEMLOCK",     // 8
      "RLIMIT_AS",          // 9
      "RLIMIT_LOCKS",       // 10
      "RLIMIT_SIGPENDING",  // 11
      "RLIMIT_MSGQUEUE",    // 12
      "RLIMIT_NICE",        // 13
      "RLIMIT_RTPRIO",      // 14
      "RLIMIT_RTTIME",      // 15
  };
  static_assert(RLIMIT_NOFILE == 7 && RLIMIT_AS == 9 && RLIMIT_RTTIME == 15);
  return names;
}

std::optional<int> rlimit_from_name(std::string_view name) { return index_of(rlimit_names(), name); }

std::optional<int> signal_from_string(std::string_view name) {
  if (name.empty())
    return std::nullopt;
  const int rtmin = SIGRTMIN;
  const int rtmax = SIGRTMAX;
  if (name[0] >= '0' && name[0] <= '9') {
    std::optional<int> n = parse_small_number(name);
    if (!n || *n > rtmax)
      return std::nullopt;
    return n;
  }
  std::string upper(name);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  std::string_view s = upper;
  if (s.starts_with("SIG"))
    s.remove_prefix(3);
  for (const NamedSignal& sig : kSignals)
    if (s == sig.name)
      return sig.number;
  // RTMIN, RTMIN+n, RTMAX, RTMAX-n.
  int base = 0;
  char sign = 0;
  if (s.starts_with("RTMIN")) {
    base = rtmin;
    sign = '+';
  } else if (s.starts_with("RTMAX")) {
    base = rtmax;
    sign = '-';
  } else {
    return std::nullopt;
  }
  s.remove_prefix(5);
  if (s.empty())
    return base;
  if (s[0] != sign)
    return std::nullopt;
  std::optional<int> offset = parse_small_number(s.substr(1));
  if (!offset)
    return std::nullopt;
  int number = sign == '+' ? base + *offset : base - *offset;
  if (number < rtmin || number > rtmax)
    return std::nullopt;
  return number;
}

const std::vector<std::string_view>& known_mount_options() {
  static const std::vector<std::string_view> names = {
      // mount(8) filesystem-independent flags.
      "defaults",
      "default",
      "rw",
      "ro",
      "suid",
      "nosuid",
      "dev",
      "nodev",
      "exec",
      "noexec",
      "sync",
      "async",
      "dirsync",
      "remount",
      "mand",
      "nomand",
      "atime",
      "noatime",
      "diratime",
      "nodiratime",
      "relatime",
      "norelatime",
      "strictatime",
      "nostrictatime",
      "lazytime",
      "nolazytime",
      "iversion",
      "noiversion",
      "loud",
      "silent",
      "symfollow",
      "nosymfollow",
      // Bind mounts and propagation.
      "bind",
      "rbind",
      "private",
      "rprivate",
      "shared",
      "rshared",
      "slave",
      "rslave",
      "unbindable",
      "runbindable",
      // Recursive attributes (mount_setattr(2), AT_RECURSIVE).
      "rro",
      "rrw",
      "rnosuid",
      "rsuid",
      "rnodev",
      "rdev",
      "rnoexec",
      "rexec",
      "rnoatime",
      "ratime",
      "rrelatime",
      "rnorelatime",
      "rstrictatime",
      "rnostrictatime",
      "rnodiratime",
      "rdiratime",
      "rnosymfollow",
      "rsymfollow",
      // Id-mapped mounts and extensions.
      "idmap",
      "ridmap",
      "tmpcopyup",
  };
  return names;
}

const std::vector<std::string_view>& known_filesystem_options() {
  static const std::vector<std::string_view> names = {
      // devpts, tmpfs.
      "newinstance",
      "noswap",
      "inode32",
      "inode64",
      // cgroup v1 controllers and options, cgroup2 options.
      "none",
      "cpu",
      "cpuacct",
      "cpuset",
      "memory",
      "devices",
      "freezer",
      "net_cls",
      "net_prio",
      "blkio",
      "perf_event",
      "hugetlb",
      "pids",
      "rdma",
      "misc",
      "noprefix",
      "xattr",
      "clone_children",
      "cpuset_v2_mode",
      "nsdelegate",
      "favordynmods",
      "memory_localevents",
      "memory_recursiveprot",
      "memory_hugetlb_accounting",
      "pids_localevents",
      // overlay.
      "userxattr",
      "volatile",
      // Block file systems (ext4, xfs, btrfs).
      "acl",
      "noacl",
      "user_xattr",
      "nouser_xattr",
      "discard",
      "nodiscard",
      "barrier",
      "nobarrier",
      "quota",
      "noquota",
      "usrquota",
      "grpquota",
      "prjquota",
      "uquota",
      "gquota",
      "pquota",
      "nouuid",
      "norecovery",
      "delalloc",
      "nodelalloc",
      "ssd",
      "nossd",
      "compress",
      "degraded",
      // NFS.
      "hard",
      "soft",
      "intr",
      "nointr",
      "lock",
      "nolock",
      "tcp",
      "udp",
      "ac",
      "noac",
      "cto",
      "nocto",
      "fsc",
      "nofsc",
      "sharecache",
      "nosharecache",
      "resvport",
      "noresvport",
      "rdirplus",
      "nordirplus",
      // FUSE, SELinux.
      "allow_other",
      "allow_root",
      "default_permissions",
      "auto_unmount",
      "seclabel",
      // crun's extensions, accepted so that configs written for crun keep working.
      "copy-symlink",
      "src-nofollow",
      "dest-nofollow",
      "notmpcopyup",
  };
  return names;
}

const std::vector<std::string_view>& seccomp_action_names() {
  static const std::vector<std::string_view> names = {
      "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
      "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY",
  };
  return names;
}

const std::vector<std::string_view>& seccomp_operator_names() {
  static const std::vector<std::string_view> names = {
      "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
  };
  return names;
}

const std::vector<std::string_view>& seccomp_arch_names() {
  static const std::vector<std::string_view> names = {
      "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
      "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
      "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
      "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
      "SCMP_ARCH_M68K",        "SCMP_ARCH_SH",     "SCMP_ARCH_SHEB",
  };
  return names;
}

namespace {

// linux.seccomp.flags and their SECCOMP_FILTER_FLAG_* values (<linux/seccomp.h>).
constexpr std::pair<std::string_view, unsigned long> kSeccompFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 1UL << 0},
    {"SECCOMP_FILTER_FLAG_LOG", 1UL << 1},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1UL << 2},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1UL << 5},
};

}  // namespace

const std::vector<std::string_view>& seccomp_flag_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& [name, value] : kSeccompFlags)
      out.push_back(name);
    return out;
  }();
  return names;
}

std::optional<unsigned long> seccomp_flag_value(std::string_view name) {
  for (const auto& [n, value] : kSeccompFlags)
    if (n == name)
      return value;
  return std::nullopt;
}

// The values below are the kernel's ABI; they are spelled out because the installed
// headers may predate some of them (SCHED_ISO was never defined, MPOL_WEIGHTED_INTERLEAVE
// is from Linux 6.9).

std::optional<int> scheduler_policy_from_name(std::string_view name) {
  static const std::vector<std::string_view> names = {
      "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
  };
  return index_of(names, name);  // SCHED_OTHER 0 ... SCHED_DEADLINE 6
}

std::optional<uint64_t> scheduler_flag_from_name(std::string_view name) {
  static const std::vector<std::string_view> names = {
      "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
      "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX",
  };
  std::optional<int> bit = index_of(names, name);  // 0x01 ... 0x40
  if (!bit)
    return std::nullopt;
  return uint64_t{1} << *bit;
}

std::optional<int> io_priority_class_from_name(std::string_view name) {
  static const std::vector<std::string_view> names = {
      "IOPRIO_CLASS_NONE",
      "IOPRIO_CLASS_RT",
      "IOPRIO_CLASS_BE",
      "IOPRIO_CLASS_IDLE",
  };
  std::optional<int> cls = index_of(names, name);
  if (!cls || *cls == 0)  // the spec does not list NONE
    return std::nullopt;
  return cls;
}

std::optional<int> memory_policy_mode_from_name(std::string_view name) {
  static const std::vector<std::string_view> names = {
      "MPOL_DEFAULT",        "MPOL_PREFERRED",           "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
      "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE",
  };
  return index_of(names, name);  // MPOL_DEFAULT 0 ... MPOL_WEIGHTED_INTERLEAVE 6
}

std::optional<int> memory_policy_flag_from_name(std::string_view name) {
  if (name == "MPOL_F_STATIC_NODES")
    return 1 << 15;
  if (name == "MPOL_F_RELATIVE_NODES")
    return 1 << 14;
  if (name == "MPOL_F_NUMA_BALANCING")
    return 1 << 13;
  return std::nullopt;
}

}  // namespace ocistart::spec
