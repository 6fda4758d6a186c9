// The two kinds of file no container can write, made from an open binary: the core of
// the re-execution from a sealed file (sealed_exe.h says why), shared by the runtime and
// the static `ocistart` launcher (src/launcher.cc). Raw system calls (raw_syscall.h), no
// allocation, no C or C++ library: the launcher links nothing else.
#pragma once

#include <fcntl.h>

namespace ocistart::os {

/// Set only for a re-execution from a sealed file, to the path of the binary the user ran
/// (os::original_exe()); the re-executed runtime removes it before anything else.
inline constexpr char kSealedExeMarker[] = "_OCISTART_SEALED_EXE";

/// The name of a sealed memfd copy starts with this, followed by "DEV:INO" of the file it
/// copies.
inline constexpr char kSealedCopyPrefix[] = "ocistart:";

/// The seals a sealed memfd copy carries: no change of any kind, and no new seal.
inline constexpr int kSealedCopySeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

/// A read-only (and nosuid, nodev) bind mount of the file `fd` is open on, attached to no
/// mount namespace (open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_RDONLY)): no
/// namespace holds it, so no mount call can make it writable again. No copy: the page
/// cache is shared. The fd (close-on-exec), or -errno (kernel < 5.12, no CAP_SYS_ADMIN, a
/// seccomp filter).
[[nodiscard]] int read_only_clone(int fd) noexcept;

/// A memfd (close-on-exec, executable) with the content of `fd` (from offset 0), sealed
/// with kSealedCopySeals. Its name, "ocistart:DEV:INO", says which file it copies
/// (os::memfd_file_id()). The fd, or -errno; `*step` names what failed.
[[nodiscard]] int sealed_memfd_copy(int fd, const char** step) noexcept;

}  // namespace ocistart::os
