// Small file helpers. Every fd O_CLOEXEC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::util {

/// Whole file at `path` (relative to `dirfd` when not absolute; AT_FDCWD by default),
/// read to EOF (so /proc and cgroup files, whose size is 0, work). Errors keep the errno
/// and name the path: "read `/x/state.json`: No such file or directory". More than
/// `max_size` bytes is EFBIG ("read `x`: larger than N bytes"), found without reading more
/// than max_size + 64 KiB.
[[nodiscard]] Result<std::string> read_file(const std::string& path, int dirfd = -100 /*AT_FDCWD*/,
                                            std::size_t max_size = SIZE_MAX);

/// Whether `path` (followed through symlinks) is a regular file we may execute.
[[nodiscard]] bool executable_file(const std::string& path);

/// Everything `fd` gives until EOF (EINTR retried); a read error is errno_error(`what`);
/// more than `max_size` bytes is EFBIG, as for read_file.
[[nodiscard]] Result<std::string> read_all(int fd, std::string_view what, std::size_t max_size = SIZE_MAX);

/// The regular file `rel` of the directory tree `root` (a rootfs), every symlink and ".."
/// resolved as if `root` were "/" (openat2 RESOLVE_IN_ROOT, no magic links, no crossing
/// into another mount), opened O_NONBLOCK so a FIFO cannot block us: a rootfs cannot make
/// us read a host file. nullopt when it does not exist or is not a regular file; more than
/// `max_size` bytes is EFBIG; other errors name `root`/`rel`.
[[nodiscard]] Result<std::optional<std::string>> read_file_in_root(const std::string& root, const std::string& rel,
                                                                   std::size_t max_size);

/// Writes `data` to `path` replacing it atomically: temp file in the same directory
/// (hidden: ".<name>.tmp.<pid>.<n>.<x>", O_EXCL), write, fsync, rename, fsync of the
/// directory. A reader sees the old or the new content, never a mix. Mode of the new file
/// is exactly `mode` (umask does not apply). On failure the temp file is removed and the
/// error names `path`: "write `/x/state.json`: No space left on device".
[[nodiscard]] Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0600);

/// Writes `data` to an existing file (e.g. a cgroup or /proc file) with one write(2),
/// truncating it; never creates the file (ENOENT). A short write is EIO.
[[nodiscard]] Status write_file(const std::string& path, std::string_view data, int dirfd = -100 /*AT_FDCWD*/);

/// mkdir -p with `mode` (less the umask) for the directories it creates. An existing
/// component that is not a directory is ENOTDIR.
[[nodiscard]] Status mkdir_p(const std::string& path, unsigned mode = 0755);

/// Removes `path` and everything below it without following symlinks: a symlink (also
/// `path` itself) is removed as a link, directories are entered only with
/// openat(O_NOFOLLOW|O_DIRECTORY). Missing is fine. Mount points inside fail with EBUSY.
[[nodiscard]] Status remove_tree(const std::string& path);

/// Splits `path` into the directory (for openat) and the last component, lexically: "/a/b"
/// gives ("/a", "b"), "b" gives (".", "b"), "/b" gives ("/", "b"). Trailing slashes are
/// dropped.
[[nodiscard]] std::pair<std::string, std::string> split_dir_base(const std::string& path);

/// remove_tree for the entry `name` of the directory `dirfd` (the same rules: symlinks
/// removed as links, never followed; missing is fine). `shown` names it in errors.
[[nodiscard]] Status remove_tree_at(int dirfd, const std::string& name, const std::string& shown);

}  // namespace ocistart::util
