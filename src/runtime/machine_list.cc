#include "runtime/machine_list.h"

#include <algorithm>
#include <array>
#include <optional>

#include "util/fs.h"

namespace ocistart::runtime {
namespace {

// An os-release value: unquoted, or in '…' (taken as is), or in "…" (backslash escapes).
std::string unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'')
    return std::string(v.substr(1, v.size() - 2));
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    v = v.substr(1, v.size() - 2);
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size())
        ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

// What a cell may show: no control characters (a hostile os-release must not move the
// terminal's cursor), at most 64 bytes.
std::string printable(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  if (s.size() > 64)
    s.resize(64);
  return s;
}

}  // namespace

OsRelease parse_os_release(std::string_view text) {
  OsRelease out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    size_t eq = line.find('=');
    if (line.empty() || line.front() == '#' || eq == std::string_view::npos)
      continue;
    std::string_view key = line.substr(0, eq);
    if (key == "ID")
      out.id = printable(unquote(line.substr(eq + 1)));
    else if (key == "VERSION_ID")
      out.version_id = printable(unquote(line.substr(eq + 1)));
  }
  return out;
}

OsRelease read_os_release(const std::string& rootfs) {
  for (const char* rel : {"etc/os-release", "usr/lib/os-release"}) {
    util::Result<std::optional<std::string>> text = util::read_file_in_root(rootfs, rel, 64 << 10);
    if (text && *text)
      return parse_os_release(**text);
  }
  return {};
}

std::string format_machine_list(const std::vector<MachineRow>& rows, bool legend) {
  // As machinectl: with no machine, only the footer (no header).
  if (rows.empty())
    return legend ? "No machines.\n" : "";
  using Row = std::array<std::string, 6>;
  std::vector<Row> table;
  if (legend)
    table.push_back({"MACHINE", "CLASS", "SERVICE", "OS", "VERSION", "ADDRESSES"});
  auto cell = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  for (const MachineRow& r : rows)
    table.push_back({cell(r.name), "container", "ocistart", cell(r.os.id), cell(r.os.version_id), "-"});
  std::array<size_t, 6> width{};
  for (const Row& r : table)
    for (size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const Row& r : table) {
    for (size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size())
        out += std::string(width[i] - r[i].size() + 1, ' ');
    }
    out += "\n";
  }
  if (legend)
    out += "\n" + std::to_string(rows.size()) + " machines listed.\n";
  return out;
}

}  // namespace ocistart::runtime
