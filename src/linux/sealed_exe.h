// CVE-2019-5736: the processes that enter a container (the init, exec's joiner and
// process) are forks of the runtime, so /proc/<pid>/exe of each, and /proc/self/exe of
// anything they execve (a `#!/proc/self/exe` script of the image), is the runtime's
// binary. A container process that holds it (O_PATH) can reopen it for writing once
// nothing executes it any more, and replace the host's runtime. The commands that fork
// into a container therefore first re-execute themselves from a file no one can write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::os {

/// For the commands that fork into a container (create, run, exec), called before they
/// do anything else: returns at once when this process already runs from a sealed file
/// (an open and two checks); else re-executes it, pid, arguments (from
/// /proc/self/cmdline), environment and fds unchanged, from
///  - a read-only bind mount of its binary that is attached to no mount namespace
///    (open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_RDONLY)): no copy, the page
///    cache is shared, and with no namespace holding the mount nobody can make it
///    writable again (EINVAL even for the host's root); a write through it is EROFS;
///  - or, where the mount API is unavailable (kernel < 5.12, no CAP_SYS_ADMIN, a seccomp
///    filter), a sealed memfd copy (sealed_copy()): writes fail with EPERM;
/// and does not return. An Error means neither could be made, or the re-executed process
/// still is not sealed: the command must not go on. A marker variable in the environment
/// tells the re-executed process it was re-executed (so it never loops); it is removed
/// here, so nothing the command starts inherits it.
[[nodiscard]] util::Status run_from_sealed_exe();

/// The path of the binary this process was started from, which systemd can execute
/// (`run --service` names it in the unit's ExecStart=): /proc/self/exe before
/// run_from_sealed_exe() re-executed us (the marker carries it), /proc/self/exe itself
/// otherwise. An Error when neither names a file.
[[nodiscard]] util::Result<std::string> original_exe();

/// Whether `fd` is a file no container can write through: a memfd with the seals
/// sealed_copy() sets, or the root of a read-only mount attached to no namespace.
[[nodiscard]] bool is_sealed(int fd);

/// A memfd (close-on-exec, executable) with the content of `fd` (read from offset 0),
/// sealed against any change: F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE. Its
/// name, "ocistart:DEV:INO", says which file it copies (original_binary()).
[[nodiscard]] util::Result<util::UniqueFd> sealed_copy(int fd);

/// A file as the kernel knows it: st_dev and st_ino.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileId&) const = default;
};

/// The file `path` names (stat), or nullopt.
[[nodiscard]] std::optional<FileId> file_id(const char* path);

/// The binary this process was started from, whether or not it runs from a sealed file:
/// /proc/self/exe is that file itself, or its read-only bind mount (the same inode); for a
/// sealed memfd copy, the file named by the copy's name (memfd_file_id()). nullopt when
/// neither tells. Only the kernel's view is read (no environment, no argv): a process
/// started otherwise cannot be made to believe it is another binary.
[[nodiscard]] std::optional<FileId> original_binary();

/// The FileId in the target of /proc/self/exe of a sealed_copy(): "/memfd:ocistart:DEV:INO
/// (deleted)". nullopt for anything else. Pure.
[[nodiscard]] std::optional<FileId> memfd_file_id(std::string_view exe_link);

}  // namespace ocistart::os
