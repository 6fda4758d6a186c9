#include "util/result.h"

#include <cctype>
#include <cstring>

namespace ocistart::util {

std::string errno_text(int code) {
  std::string text = std::strerror(code);
  // "No such file or directory" -> "no such file or directory": the words Go (so runc)
  // prints, which clients match (docker maps them to exit statuses 126 and 127). An
  // acronym at the start ("RFS specific error") stays as it is.
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

Error errno_error(std::string_view what, int code) {
  std::string m(what);
  m.append(": ").append(errno_text(code));
  return Error{code, std::move(m)};
}

}  // namespace ocistart::util
