#include "systemd/unit_name.h"

#include <cerrno>
#include <vector>

namespace ocistart::systemd {
namespace {

// systemd's unit name alphabet (unit-name.c VALID_CHARS), and its length limit.
bool valid_unit_chars(std::string_view s) {
  constexpr std::string_view kValid = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\";
  return !s.empty() && s.size() < 256 && s.find_first_not_of(kValid) == std::string_view::npos;
}

std::vector<std::string_view> split3(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t colon = s.find(':', start);
    parts.push_back(s.substr(start, colon - start));
    if (colon == std::string_view::npos)
      return parts;
    start = colon + 1;
  }
}

}  // namespace

bool is_systemd_cgroups_path(std::string_view cgroups_path) noexcept {
  return !cgroups_path.empty() && cgroups_path[0] != '/' && split3(cgroups_path).size() == 3;
}

util::Result<UnitPlacement> unit_placement(std::string_view cgroups_path, std::string_view id) {
  auto bad = [&](std::string_view why) {
    return util::Error{EINVAL, "cgroupsPath `" + std::string(cgroups_path) + "`: " + std::string(why)};
  };
  if (cgroups_path.empty())
    return UnitPlacement{"system.slice", "ocistart-" + std::string(id) + ".scope"};
  std::vector<std::string_view> parts = split3(cgroups_path);
  if (parts.size() != 3 || cgroups_path[0] == '/')
    return bad("the systemd driver expects `slice:prefix:name`");
  std::string_view slice = parts[0], prefix = parts[1], name = parts[2];
  UnitPlacement p;
  if (slice.empty())
    p.slice = "system.slice";
  else if (slice == "-")
    p.slice = "-.slice";
  else if (!slice.ends_with(".slice") || !valid_unit_chars(slice))
    return bad("`" + std::string(slice) + "` is not a slice name");
  else
    p.slice = slice;
  if (name.empty())
    return bad("empty name");
  if (name.ends_with(".slice"))
    p.unit = name;
  else
    p.unit = (prefix.empty() ? std::string(name) : std::string(prefix) + "-" + std::string(name)) + ".scope";
  if (!valid_unit_chars(p.unit))
    return bad("`" + p.unit + "` is not a valid unit name");
  return p;
}

}  // namespace ocistart::systemd
