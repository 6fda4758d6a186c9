// Copying a directory's contents between two open directories: runc's "tmpcopyup", which
// fills a fresh tmpfs with what the directory it covers held.
#pragma once

#include "util/result.h"

namespace ocistart::os {

/// Copies every entry of the directory `from` into the directory `to` (both fds open
/// O_RDONLY|O_DIRECTORY; neither is closed): directories recursively, regular files with
/// their content, symlinks as links (never followed), device nodes, fifos and sockets with
/// mknodat. Mode and owner are kept (runc's CopyDirectory). Nothing is done when both
/// name the same directory. Safe in the init child. Errors name the entry and carry errno
/// (EEXIST when `to` already holds an entry of the same name).
[[nodiscard]] util::Status copy_tree(int from, int to);

}  // namespace ocistart::os
