// Lexical path helpers (no file system access).
#pragma once

#include <string>
#include <string_view>

namespace ocistart::util {

/// `path` cleaned lexically and made relative: empty and "." elements dropped, ".."
/// removing the element before it (never climbing above the start), no leading or trailing
/// slash. "/a/./b/../c/" -> "a/c"; "/../.." -> "".
[[nodiscard]] std::string clean_relative_path(std::string_view path);

}  // namespace ocistart::util
