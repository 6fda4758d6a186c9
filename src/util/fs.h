// Small file helpers. Every fd O_CLOEXEC.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"
#include "util/unique_fd.h"

namespace ocistart::util {

/// Whole file at `path` (relative to `dirfd` when not absolute; AT_FDCWD by default).
[[nodiscard]] Result<std::string> read_file(const std::string& path, int dirfd = -100 /*AT_FDCWD*/);

/// Writes `data` to `path` replacing it atomically: temp file in the same directory,
/// write, fsync, rename, fsync of the directory. Mode of the new file is `mode`.
[[nodiscard]] Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0600);

/// Writes `data` to an existing file (e.g. a cgroup or /proc file) with one write(2).
[[nodiscard]] Status write_file(const std::string& path, std::string_view data, int dirfd = -100 /*AT_FDCWD*/);

/// mkdir -p with `mode` for the directories it creates.
[[nodiscard]] Status mkdir_p(const std::string& path, unsigned mode = 0755);

/// Removes `path` and everything below it without following symlinks. Missing is fine.
[[nodiscard]] Status remove_tree(const std::string& path);

}  // namespace ocistart::util
