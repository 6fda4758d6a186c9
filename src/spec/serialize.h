// spec::Config -> config.json text.
#pragma once

#include <string>

#include "spec/config.h"

namespace ocistart::spec {

/// Writes `config` as JSON with the spec's member names. Members that are absent
/// (nullopt, empty string or container where the spec makes them optional) are omitted,
/// so parse_config(to_json(c)) == c. indent 0 is compact; runc's `spec` uses 2 (tab-like).
[[nodiscard]] std::string to_json(const Config& config, int indent = 2);

}  // namespace ocistart::spec
