#include "util/result.h"

#include <cstring>

namespace ocistart::util {

Error errno_error(std::string_view what, int code) {
  std::string m(what);
  m.append(": ").append(std::strerror(code));
  return Error{code, std::move(m)};
}

}  // namespace ocistart::util
