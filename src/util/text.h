// Tiny text helpers: naming things in messages, splitting kernel files into words.
#pragma once

#include <cstddef>
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

/// `s` as a message shows text it did not write (ids, JSON keys, paths): every byte below
/// 0x20 and 0x7f as "\xNN", so that a NUL, a newline or a terminal escape cannot cut or
/// garble the one-line message. Other bytes (UTF-8) are kept, unless `ascii_only` (for
/// what may only be ASCII, such as a container id: every byte above 0x7e escaped too).
[[nodiscard]] inline std::string printable(std::string_view s, bool ascii_only = false) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f && (!ascii_only || u < 0x7f)) {
      out += c;
    } else {
      out.append("\\x").append(1, kHex[u >> 4]).append(1, kHex[u & 15]);
    }
  }
  return out;
}

/// The one place where messages cut what is too long to show: `s` itself when it has at
/// most `max` bytes, else its start and its end around "..." in `max` bytes all told (the
/// end of a JSON pointer or a path names the member or file). Never cuts inside a UTF-8
/// sequence. shortened(1 KB id, 64) == "aaa...aaa" (64 bytes).
[[nodiscard]] inline std::string shortened(std::string_view s, std::size_t max) {
  constexpr std::string_view kEllipsis = "...";
  if (s.size() <= max)
    return std::string(s);
  if (max <= kEllipsis.size())
    return std::string(kEllipsis.substr(0, max));
  auto continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; };
  std::size_t keep = max - kEllipsis.size();
  std::size_t head = keep - keep / 2;
  std::size_t tail_start = s.size() - keep / 2;
  while (head > 0 && continuation(s[head]))
    --head;
  while (tail_start < s.size() && continuation(s[tail_start]))
    ++tail_start;
  std::string out(s.substr(0, head));
  out.append(kEllipsis).append(s.substr(tail_start));
  return out;
}

/// The longest word (a run without spaces) an error line shows whole: far above any path
/// or id a person types, far below a 1 KB id or a 4 KB path.
inline constexpr std::size_t kShownWord = 160;

/// `message` with each word (a run without spaces) longer than `max` bytes shortened():
/// what error output does to a message before printing it, so that a 1 KB container id or
/// a 2 KB path inside it does not fill the terminal.
[[nodiscard]] inline std::string shortened_words(std::string_view message, std::size_t max = kShownWord) {
  std::string out;
  out.reserve(message.size() < 4 * max ? message.size() : 4 * max);
  std::size_t i = 0;
  while (i < message.size()) {
    std::size_t end = message.find(' ', i);
    if (end == std::string_view::npos)
      end = message.size();
    out.append(shortened(message.substr(i, end - i), max));
    if (end < message.size())
      out += ' ';
    i = end + 1;
  }
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

/// The pieces of `text` between each `sep`, empty ones included: split("a,,b", ',') ==
/// {"a", "", "b"}; split("", ',') == {""}. For kernel files with fixed separators.
[[nodiscard]] inline std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace ocistart::util
