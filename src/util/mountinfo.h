// The one parser of /proc/PID/mountinfo (proc(5)): pure, for the rootfs code (what is
// mounted where) and the cgroup drivers (where each hierarchy is).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ocistart::util {

/// One line of /proc/PID/mountinfo:
/// id parent major:minor root mount-point options [optional...] - type source super-options
struct MountInfo {
  int id = 0, parent = 0;
  std::string root;         // root of the mount within its file system, unescaped
  std::string mount_point;  // unescaped ("\040" -> ' ')
  std::string options;      // per-mount options: "rw,nosuid,relatime"
  std::string optional;     // "shared:1 master:2", may be empty
  std::string fs_type;
  std::string source;         // unescaped
  std::string super_options;  // per-superblock options: "rw,cpu"
};

/// A line that is not in the format above.
struct MalformedMountinfoLine {
  std::size_t line_no = 0;  // 1-based
  std::string_view text;    // points into the parsed text
};

struct Mountinfo {
  std::vector<MountInfo> mounts;  // in file order
  std::vector<MalformedMountinfoLine> malformed;
};

/// Parses mountinfo text. Empty lines are ignored; a line without the " - " separator
/// after the six fixed fields, or without type, source and super options after it, is
/// reported in `malformed` and left out of `mounts`: each caller decides what that means.
[[nodiscard]] Mountinfo parse_mountinfo(std::string_view text);

/// mountinfo's escaping undone: the kernel writes ' ', '\t', '\n' and '\\' in paths as
/// "\ooo" (octal); any other backslash is kept. unescape_mountinfo("a\\040b") == "a b".
[[nodiscard]] std::string unescape_mountinfo(std::string_view field);

}  // namespace ocistart::util
