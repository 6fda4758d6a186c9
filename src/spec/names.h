// Name tables shared by validation, the runtime and the features document.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ocistart::spec {

/// Capability names as the spec spells them ("CAP_CHOWN"), index = capability number,
/// up to CAP_CHECKPOINT_RESTORE (40).
[[nodiscard]] const std::vector<std::string_view>& capability_names();
/// The number of capability `name` ("CAP_SYS_ADMIN" -> 21); exact spelling, nullopt when
/// unknown.
[[nodiscard]] std::optional<int> capability_from_name(std::string_view name);

/// "RLIMIT_NOFILE" -> RLIMIT_NOFILE.
[[nodiscard]] std::optional<int> rlimit_from_name(std::string_view name);
/// Every RLIMIT_* name of Linux, index = resource number (RLIMIT_CPU first).
[[nodiscard]] const std::vector<std::string_view>& rlimit_names();

/// "KILL", "SIGKILL", "9", "SIGRTMIN+3" -> signal number; nullopt when unknown.
/// Case-insensitive and the "SIG" prefix is optional, as with runc's `kill`. A number is
/// taken as is when it is 0 (the existence probe of kill(2)) up to SIGRTMAX; runc takes
/// any integer, but kill(2) would refuse the others with EINVAL anyway. "RTMIN", "RTMAX",
/// "RTMIN+n" and "RTMAX-n" use the C library's SIGRTMIN / SIGRTMAX and must stay in
/// [SIGRTMIN, SIGRTMAX].
[[nodiscard]] std::optional<int> signal_from_string(std::string_view name);

/// Mount options ocistart understands (flags, propagation, recursive attributes, "idmap").
[[nodiscard]] const std::vector<std::string_view>& known_mount_options();
/// Filesystem-specific option words without a value ("newinstance", "userxattr", cgroup v1
/// controller names, ...) that are passed to mount(2) as data. Options with a `=` are data
/// too; they are not listed here.
[[nodiscard]] const std::vector<std::string_view>& known_filesystem_options();

/// Seccomp action / operator / arch / flag names of the spec.
[[nodiscard]] const std::vector<std::string_view>& seccomp_action_names();
[[nodiscard]] const std::vector<std::string_view>& seccomp_operator_names();
[[nodiscard]] const std::vector<std::string_view>& seccomp_arch_names();
[[nodiscard]] const std::vector<std::string_view>& seccomp_flag_names();
/// "SECCOMP_FILTER_FLAG_LOG" -> SECCOMP_FILTER_FLAG_LOG, the flag seccomp(2) takes;
/// nullopt for a name not in seccomp_flag_names().
[[nodiscard]] std::optional<unsigned long> seccomp_flag_value(std::string_view name);

/// process.scheduler.policy -> SCHED_* value ("SCHED_ISO" is 4: reserved by the kernel,
/// listed by the spec). nullopt when unknown.
[[nodiscard]] std::optional<int> scheduler_policy_from_name(std::string_view name);
/// process.scheduler.flags entry -> SCHED_FLAG_* bit of sched_attr.sched_flags.
[[nodiscard]] std::optional<uint64_t> scheduler_flag_from_name(std::string_view name);
/// process.ioPriority.class -> IOPRIO_CLASS_* value.
[[nodiscard]] std::optional<int> io_priority_class_from_name(std::string_view name);
/// linux.memoryPolicy.mode -> MPOL_* value of set_mempolicy(2).
[[nodiscard]] std::optional<int> memory_policy_mode_from_name(std::string_view name);
/// linux.memoryPolicy.flags entry -> MPOL_F_* bit, or'ed into the mode.
[[nodiscard]] std::optional<int> memory_policy_flag_from_name(std::string_view name);

}  // namespace ocistart::spec
