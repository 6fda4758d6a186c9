// Copying a directory's contents between two open directories: runc's "tmpcopyup", which
// fills a fresh tmpfs with what the directory it covers held; and one entry (a file or a
// tree) under rules for copying into or out of a container (copy-to, copy-from).
#pragma once

#include <sys/types.h>

#include <string>

#include "util/result.h"

namespace ocistart::os {

/// Who owns what a copy makes, and what it may make.
struct CopyRules {
  enum class Owner {
    source,   ///< the source entry's owner (runc's CopyDirectory)
    fixed,    ///< `uid`/`gid` (copy-to: the container's root)
    creator,  ///< no chown: whoever copies; set-user-ID and set-group-ID bits dropped
  };
  Owner owner = Owner::source;
  uid_t uid = 0;
  gid_t gid = 0;
  /// Device nodes, fifos and sockets are made with mknodat; false: they fail the copy (EPERM).
  bool special_files = true;
};

/// Copies every entry of the directory `from` into the directory `to` (both fds open
/// O_RDONLY|O_DIRECTORY; neither is closed): directories recursively, regular files with
/// their content, symlinks as links (never followed), device nodes, fifos and sockets with
/// mknodat. Mode, owner and times are kept (runc's CopyDirectory). Nothing is done when both
/// name the same directory. Safe in the init child. Errors name the entry and carry errno
/// (EEXIST when `to` already holds an entry of the same name).
[[nodiscard]] util::Status copy_tree(int from, int to);

/// The same under `rules`.
[[nodiscard]] util::Status copy_tree(int from, int to, const CopyRules& rules);

/// Copies the entry `from_name` of the directory `from_dir` (never followed: a symlink is
/// copied as a link) to the new entry `to_name` of `to_dir`, a directory with its whole
/// tree. Everything is created with O_EXCL/mkdirat/symlinkat and entered with O_NOFOLLOW,
/// so nothing is ever written through a symlink someone else put at a name; a regular file
/// is opened without blocking and checked to be one (a fifo swapped in cannot hang us).
/// EEXIST when `to_name` exists. What was made is left on failure (the caller removes it).
[[nodiscard]] util::Status copy_entry(int from_dir, const std::string& from_name, int to_dir,
                                      const std::string& to_name, const CopyRules& rules);

}  // namespace ocistart::os
