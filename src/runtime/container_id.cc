#include "runtime/container_id.h"

#include <cerrno>
#include <string>

#include "util/text.h"

namespace ocistart::runtime {
namespace {

constexpr size_t kMaxIdLength = 1024;
// Ids longer than this are cut in messages: the message should fit a terminal line.
constexpr size_t kShownIdLength = 64;

bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '+' || c == '-';
}

// Printable ASCII as is, any other byte as \xNN (a NUL or a terminal escape in a bad id
// cannot garble the output), then cut to kShownIdLength.
std::string shown_id(std::string_view id) { return util::shortened(util::printable(id, true), kShownIdLength); }

util::Status invalid(std::string_view id, std::string_view why) {
  std::string m = "invalid container id `";
  m.append(shown_id(id)).append("`: ").append(why);
  return util::make_error(std::move(m), EINVAL);
}

}  // namespace

util::Status validate_container_id(std::string_view id) {
  if (id.empty())
    return invalid(id, "empty");
  if (id.size() > kMaxIdLength)
    return invalid(id, "longer than 1024 bytes");
  // Covers ".", ".." and hidden names (which is also what the state store's temp files use).
  if (id.front() == '.')
    return invalid(id, "starts with `.`");
  for (char c : id) {
    if (c == '/')
      return invalid(id, "contains `/`");
    if (c == '\0')
      return invalid(id, "contains a NUL byte");
    if (!allowed(c))
      return invalid(
          id, "contains `" + util::printable(std::string_view(&c, 1), true) + "` (allowed: letters, digits, `_.+-`)");
  }
  return {};
}

}  // namespace ocistart::runtime
