// The syscall seam: the state-changing calls that rootfs setup and the init make (mounts,
// file creation, namespace joins and unshares, the privilege drops and the seccomp load),
// behind a narrow interface so the order of calls can be tested without root
// (tests/fakes/recording_syscalls.h). Read-only lookups (openat2 without O_CREAT, stat,
// statfs, readlink) do not go through the seam.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

class SeccompFilter;  // linux/seccomp_filter.h

/// struct mount_attr of <linux/mount.h>, spelled out so callers need no kernel header.
struct MountAttr {
  uint64_t attr_set = 0;     // MOUNT_ATTR_* to set
  uint64_t attr_clr = 0;     // MOUNT_ATTR_* to clear (MOUNT_ATTR__ATIME with an atime value)
  uint64_t propagation = 0;  // MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE; 0: unchanged
  uint64_t userns_fd = 0;    // with MOUNT_ATTR_IDMAP
};

/// Every method makes exactly one kernel call (userns_fd is the exception: it is one
/// logical step) and on failure returns an Error whose code is the errno and whose message
/// names the call and its object: "mount `tmpfs` on `/proc/self/fd/7`: Operation not
/// permitted". Callers wrap it with what they were doing ("mount `/dev`"). Paths are taken
/// as given (relative to `dirfd` where there is one); nothing here resolves or checks them.
/// All methods are safe in the forked init (no threads, no locks).
class Syscalls {
 public:
  virtual ~Syscalls() = default;

  /// mount(2). Empty `source`, `fstype` or `data` are passed as NULL.
  [[nodiscard]] virtual util::Status mount(const std::string& source, const std::string& target,
                                           const std::string& fstype, unsigned long flags, const std::string& data) = 0;
  /// umount2(2).
  [[nodiscard]] virtual util::Status umount2(const std::string& target, int flags) = 0;
  /// pivot_root(2).
  [[nodiscard]] virtual util::Status pivot_root(const std::string& new_root, const std::string& put_old) = 0;
  /// chroot(2).
  [[nodiscard]] virtual util::Status chroot(const std::string& path) = 0;
  /// chdir(2).
  [[nodiscard]] virtual util::Status chdir(const std::string& path) = 0;
  /// fchdir(2).
  [[nodiscard]] virtual util::Status fchdir(int fd) = 0;

  /// mkdirat(2); EEXIST is an error like any other (callers decide).
  [[nodiscard]] virtual util::Status mkdirat(int dirfd, const std::string& path, mode_t mode) = 0;
  /// mknodat(2); `mode` includes the file type (S_IFCHR, S_IFBLK, S_IFIFO).
  [[nodiscard]] virtual util::Status mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) = 0;
  /// fchownat(2). Only for nodes ocistart created itself (never a bind-mount target).
  [[nodiscard]] virtual util::Status fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int flags) = 0;
  /// fchmodat(2). Only for nodes ocistart created itself (never a bind-mount target).
  [[nodiscard]] virtual util::Status fchmodat(int dirfd, const std::string& path, mode_t mode, int flags) = 0;
  /// symlinkat(2): a link at `linkpath` (relative to `dirfd`) whose content is `target`.
  [[nodiscard]] virtual util::Status symlinkat(const std::string& target, int dirfd, const std::string& linkpath) = 0;
  /// unlinkat(2).
  [[nodiscard]] virtual util::Status unlinkat(int dirfd, const std::string& path, int flags) = 0;
  /// openat(2) with O_CREAT|O_EXCL|O_NOFOLLOW|O_RDONLY|O_CLOEXEC: a new empty file, e.g. a
  /// bind-mount target. The returned fd is owned by the caller.
  [[nodiscard]] virtual util::Result<util::UniqueFd> create_file(int dirfd, const std::string& path, mode_t mode) = 0;

  /// open_tree(2); OPEN_TREE_CLOEXEC is added.
  [[nodiscard]] virtual util::Result<util::UniqueFd> open_tree(int dirfd, const std::string& path, unsigned flags) = 0;
  /// move_mount(2).
  [[nodiscard]] virtual util::Status move_mount(int from_dirfd, const std::string& from_path, int to_dirfd,
                                                const std::string& to_path, unsigned flags) = 0;
  /// mount_setattr(2).
  [[nodiscard]] virtual util::Status mount_setattr(int dirfd, const std::string& path, unsigned flags,
                                                   const MountAttr& attr) = 0;

  /// sethostname(2).
  [[nodiscard]] virtual util::Status sethostname(std::string_view name) = 0;
  /// setdomainname(2).
  [[nodiscard]] virtual util::Status setdomainname(std::string_view name) = 0;

  /// setns(2) of `fd` with the expected CLONE_NEW* `nstype` ("setns `net`: ...").
  [[nodiscard]] virtual util::Status setns(int fd, int nstype) = 0;
  /// unshare(2) of the CLONE_NEW* `flags` ("unshare `time`: ...").
  [[nodiscard]] virtual util::Status unshare(int flags) = 0;

  /// setgroups(2): exactly `gids` as supplementary groups (empty clears them).
  [[nodiscard]] virtual util::Status setgroups(const std::vector<gid_t>& gids) = 0;
  /// setresgid(2) with `gid` as real, effective and saved gid.
  [[nodiscard]] virtual util::Status setresgid(gid_t gid) = 0;
  /// setresuid(2) with `uid` as real, effective and saved uid.
  [[nodiscard]] virtual util::Status setresuid(uid_t uid) = 0;
  /// capset(2) (libcap's cap_set_proc) of the calling thread: the effective, permitted and
  /// inheritable sets, one bit per capability number (bit 0 = CAP_CHOWN).
  [[nodiscard]] virtual util::Status capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) = 0;
  /// prctl(2) of an option that changes state (PR_SET_KEEPCAPS, PR_SET_DUMPABLE,
  /// PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT); the remaining
  /// arguments are 0.
  /// Reads (PR_CAPBSET_READ, PR_GET_*) do not go through the seam.
  [[nodiscard]] virtual util::Status prctl(int option, unsigned long arg2, unsigned long arg3) = 0;
  /// Loads a compiled seccomp filter into the calling thread (seccomp(2), through
  /// libseccomp). Returns the listener fd when the filter has SCMP_ACT_NOTIFY rules, an
  /// invalid fd otherwise.
  [[nodiscard]] virtual util::Result<util::UniqueFd> load_seccomp(const SeccompFilter& filter) = 0;

  /// A user namespace fd (for MOUNT_ATTR_IDMAP) whose uid_map and gid_map are the given
  /// mappings (containerID -> hostID as in the spec). Forks a helper that unshares
  /// CLONE_NEWUSER and waits, writes its maps, opens its ns/user, then kills and reaps it.
  /// Must run in the user namespace the host IDs refer to, outside any chroot.
  [[nodiscard]] virtual util::Result<util::UniqueFd> userns_fd(const std::vector<spec::IdMapping>& uid_mappings,
                                                               const std::vector<spec::IdMapping>& gid_mappings) = 0;
};

/// The real thing: one forwarding line per call.
class RealSyscalls final : public Syscalls {
 public:
  util::Status mount(const std::string& source, const std::string& target, const std::string& fstype,
                     unsigned long flags, const std::string& data) override;
  util::Status umount2(const std::string& target, int flags) override;
  util::Status pivot_root(const std::string& new_root, const std::string& put_old) override;
  util::Status chroot(const std::string& path) override;
  util::Status chdir(const std::string& path) override;
  util::Status fchdir(int fd) override;
  util::Status mkdirat(int dirfd, const std::string& path, mode_t mode) override;
  util::Status mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) override;
  util::Status fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int flags) override;
  util::Status fchmodat(int dirfd, const std::string& path, mode_t mode, int flags) override;
  util::Status symlinkat(const std::string& target, int dirfd, const std::string& linkpath) override;
  util::Status unlinkat(int dirfd, const std::string& path, int flags) override;
  util::Result<util::UniqueFd> create_file(int dirfd, const std::string& path, mode_t mode) override;
  util::Result<util::UniqueFd> open_tree(int dirfd, const std::string& path, unsigned flags) override;
  util::Status move_mount(int from_dirfd, const std::string& from_path, int to_dirfd, const std::string& to_path,
                          unsigned flags) override;
  util::Status mount_setattr(int dirfd, const std::string& path, unsigned flags, const MountAttr& attr) override;
  util::Status sethostname(std::string_view name) override;
  util::Status setdomainname(std::string_view name) override;
  util::Status setns(int fd, int nstype) override;
  util::Status unshare(int flags) override;
  util::Status setgroups(const std::vector<gid_t>& gids) override;
  util::Status setresgid(gid_t gid) override;
  util::Status setresuid(uid_t uid) override;
  util::Status capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) override;
  util::Status prctl(int option, unsigned long arg2, unsigned long arg3) override;
  util::Result<util::UniqueFd> load_seccomp(const SeccompFilter& filter) override;
  util::Result<util::UniqueFd> userns_fd(const std::vector<spec::IdMapping>& uid_mappings,
                                         const std::vector<spec::IdMapping>& gid_mappings) override;
};

/// "net", "mnt|uts": the /proc/<pid>/ns names of the CLONE_NEW* bits in `flags`, for
/// messages ("?" for none).
[[nodiscard]] std::string namespace_names(uint64_t flags);

/// "PR_SET_KEEPCAPS", "PR_CAP_AMBIENT_RAISE" (PR_CAP_AMBIENT is named by its `arg2`): the
/// name of a prctl option the seam takes, for messages; the number for any other.
[[nodiscard]] std::string prctl_name(int option, unsigned long arg2);

/// "0 1000 65536\n..." as /proc/PID/uid_map wants it (one write, one line per mapping).
[[nodiscard]] std::string format_id_map(const std::vector<spec::IdMapping>& mappings);

}  // namespace ocistart::os
