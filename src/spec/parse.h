// config.json -> spec::Config, with simdjson's error-code API.
#pragma once

#include <string>
#include <string_view>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::spec {

/// Parses config.json text into a Config. Unknown members are ignored (the spec says so).
/// Checks JSON shape only: types, required members, closed enumerations that the model
/// stores as enums (namespace type). Semantic checks are validate()'s job.
/// The error message starts with the JSON pointer of the bad member:
///   "/linux/namespaces/2/type: unknown namespace type \"pdi\""
///   "/process/args: expected an array, got number"
///   "/ociVersion: required member missing"
/// A document that is not JSON at all gives "<offset or pointer>: invalid JSON: <why>".
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

/// The checks validate() makes on config.linux.resources, on resources that did not come
/// from a config.json (update's document or flags); pointers are relative to the resources
/// object ("/cpu/idle: must be 0 or 1, got 2"). Pure.
[[nodiscard]] util::Status check_resources(const Resources& resources);

}  // namespace ocistart::spec
