// The OCI features document (features.md) of this build.
#pragma once

#include <string>

namespace ocistart::spec {

/// The features JSON, truthful for this build and this host's libseccomp: only what
/// ocistart implements is listed, from the same tables the runtime uses.
[[nodiscard]] std::string features_json();

}  // namespace ocistart::spec
