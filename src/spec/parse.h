// config.json -> spec::Config, with simdjson's error-code API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::spec {

/// The most bytes a config.json, an `exec --process` file or an `update -r` document may
/// have: 8 MiB. Real configs weigh 2-3 KB (runc's and crun's `spec`) to 10-30 KB (docker's
/// and podman's, with a seccomp profile inline); the largest legitimate part is the
/// process's args and env, which execve(2) takes up to 6 MiB of (3/4 of the kernel's 8 MiB
/// stack limit), so every process the kernel could start fits. The limit bounds the
/// memory a document costs (about 4 times its size while parsed) and what state.json
/// copies from it (the annotations).
inline constexpr std::size_t kMaxDocumentSize = std::size_t{8} << 20;

/// A document of more than kMaxDocumentSize bytes: "<what> is larger than 8 MiB, the most
/// ocistart reads" (EFBIG).
[[nodiscard]] util::Error too_large(std::string_view what);

/// The text of a config-like document at `path` ("-": standard input), at most
/// kMaxDocumentSize bytes (else too_large(), without reading much more than that).
/// Errors name the path and keep the errno.
[[nodiscard]] util::Result<std::string> read_document(const std::string& path);

/// Parses config.json text into a Config. Unknown members are ignored (the spec says so).
/// Checks JSON shape only: types, required members, closed enumerations that the model
/// stores as enums (namespace type). Semantic checks are validate()'s job.
/// The error message starts with the JSON pointer of the bad member:
///   "/linux/namespaces/2/type: unknown namespace type \"pdi\""
///   "/process/args: expected an array, got number"
///   "/ociVersion: required member missing"
/// A document that is not JSON at all gives "<offset or pointer>: invalid JSON: <why>".
/// Refused as well, every one with the pointer of the object or member:
///   "/linux/resources: duplicate key \"cpu\""     (a key twice in one object; keys that
///                                                  differ only in case, see json::Object)
///   "/hostname: the string contains a NUL byte (\u0000)"
///   a document larger than kMaxDocumentSize.
[[nodiscard]] util::Result<Config> parse_config(std::string_view json);

/// Reads `<bundle>/config.json` and parses it. Errors are prefixed "config.json: ".
/// A bundle in the pre-1.0 layout (config.json with "platform" and a runtime.json beside
/// it) gets an error that says so and that ocistart reads runtime-spec 1.x. A missing
/// config.json keeps its errno (ENOENT).
[[nodiscard]] util::Result<Config> load_bundle_config(const std::string& bundle_dir);

/// Parses a standalone linux.resources object (what `update -r` reads). Checks JSON shape
/// only, as parse_config(); pointers are relative to that object:
///   "/memory/limit: expected an integer, got string"
[[nodiscard]] util::Result<Resources> parse_resources(std::string_view json);

/// Parses a standalone process object (what `exec --process` reads), as parse_config()
/// reads config.process; pointers are relative to that object: "/cwd: required member
/// missing".
[[nodiscard]] util::Result<Process> parse_process(std::string_view json);

/// The checks validate() makes on config.linux.resources, on resources that did not come
/// from a config.json (update's document or flags); pointers are relative to the resources
/// object ("/cpu/idle: must be 0 or 1, got 2"). Pure.
[[nodiscard]] util::Status check_resources(const Resources& resources);

}  // namespace ocistart::spec
