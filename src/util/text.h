// Tiny text helpers for messages.
#pragma once

#include <string>
#include <string_view>

namespace ocistart::util {

/// `s` in backticks, the way error messages name an object: quoted("/proc") == "`/proc`".
[[nodiscard]] inline std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append("`").append(s).append("`");
  return out;
}

}  // namespace ocistart::util
