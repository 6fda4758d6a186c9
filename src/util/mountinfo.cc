#include "util/mountinfo.h"

#include <algorithm>
#include <charconv>

#include "util/text.h"

namespace ocistart::util {

namespace {

int to_int(std::string_view s) {
  int value = 0;
  (void)std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

bool octal(char c) { return c >= '0' && c <= '7'; }

}  // namespace

std::string unescape_mountinfo(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && octal(field[i + 1]) && octal(field[i + 2]) && octal(field[i + 3])) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

Mountinfo parse_mountinfo(std::string_view text) {
  Mountinfo out;
  size_t line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (line.empty())
      continue;
    std::vector<std::string_view> f;
    for (std::string_view field : split(line, ' '))
      if (!field.empty())
        f.push_back(field);
    // The separator comes after the six fixed fields and the optional ones.
    const size_t dash =
        f.size() < 6 ? f.size() : static_cast<size_t>(std::find(f.begin() + 6, f.end(), "-") - f.begin());
    if (dash + 3 >= f.size()) {
      out.malformed.push_back({line_no, line});
      continue;
    }
    MountInfo mi;
    mi.id = to_int(f[0]);
    mi.parent = to_int(f[1]);
    mi.root = unescape_mountinfo(f[3]);
    mi.mount_point = unescape_mountinfo(f[4]);
    mi.options = std::string(f[5]);
    for (size_t i = 6; i < dash; ++i) {
      if (!mi.optional.empty())
        mi.optional.push_back(' ');
      mi.optional.append(f[i]);
    }
    mi.fs_type = std::string(f[dash + 1]);
    mi.source = unescape_mountinfo(f[dash + 2]);
    mi.super_options = std::string(f[dash + 3]);
    out.mounts.push_back(std::move(mi));
  }
  return out;
}

}  // namespace ocistart::util
