// Pieces shared by validate.cc, validate_linux.cc and validate_resources.cc. Not a public
// interface: include only from those files.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::spec::detail {

/// `base` + "/" + `key`, with `~` and `/` in `key` escaped as RFC 6901 asks.
[[nodiscard]] std::string ptr(std::string_view base, std::string_view key);
/// `base` + "/" + `index`.
[[nodiscard]] std::string ptr(std::string_view base, size_t index);

/// The validation error for the member at `pointer`: "<pointer>: <reason>".
[[nodiscard]] util::Error invalid(std::string_view pointer, std::string_view reason);

/// `s` as a JSON string literal, for quoting values in messages.
[[nodiscard]] std::string quote(std::string_view s);

/// Starts with '/'.
[[nodiscard]] inline bool is_absolute(std::string_view path) { return !path.empty() && path[0] == '/'; }

[[nodiscard]] inline bool one_of(const std::vector<std::string_view>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

/// "must be an absolute path, got \"x\"" at `pointer` unless `path` is absolute.
[[nodiscard]] util::Status check_absolute(std::string_view pointer, std::string_view path);

/// A list like "0-3,7": comma-separated numbers or ascending ranges, no spaces. Empty
/// is not a list (callers treat empty as unset). Returns the number of entries (CPUs or
/// nodes) it names, or -1 when `s` is malformed.
[[nodiscard]] long count_cpu_list(std::string_view s);

/// Each mapping has size > 0 and neither range wraps past 2^32.
[[nodiscard]] util::Status check_id_mappings(std::string_view pointer, const std::vector<IdMapping>& mappings);

/// Each entry is KEY=VALUE with a non-empty KEY and no NUL byte.
[[nodiscard]] util::Status check_env(std::string_view pointer, const std::vector<std::string>& env);

/// The namespace entry of `type` in config.linux.namespaces, or nullptr.
[[nodiscard]] const Namespace* find_namespace(const Config& config, NamespaceType type);

/// config.linux (everything but resources and seccomp, which it delegates).
[[nodiscard]] util::Status validate_linux(const Config& config);
/// config.linux.resources at `pointer`.
[[nodiscard]] util::Status validate_resources(std::string_view pointer, const Resources& resources);
/// config.linux.seccomp at `pointer`.
[[nodiscard]] util::Status validate_seccomp(std::string_view pointer, const Seccomp& seccomp);

}  // namespace ocistart::spec::detail
