// Tiny text helpers: naming things in messages, splitting kernel files into words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocistart::util {

/// `s` in backticks, the way error messages name an object: quoted("/proc") == "`/proc`".
[[nodiscard]] inline std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append("`").append(s).append("`");
  return out;
}

/// `text` without the spaces and tabs at either end.
[[nodiscard]] inline std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

/// The words of `text`: runs of characters between blanks (space, tab, newline); no empty
/// words. For cgroup files such as cgroup.controllers or "key value" lines.
[[nodiscard]] inline std::vector<std::string_view> split_words(std::string_view text) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && blank(text[i]))
      ++i;
    size_t start = i;
    while (i < text.size() && !blank(text[i]))
      ++i;
    if (i > start)
      out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace ocistart::util
