// Container ids: checked before any file system access.
#pragma once

#include <string_view>

#include "util/result.h"

namespace ocistart::runtime {

/// An id is 1..1024 bytes of [A-Za-z0-9_.+-] and does not start with a dot (so no "..",
/// no "/", never a hidden file in the root dir). Error: "invalid container id `x`: <why>"
/// with EINVAL.
[[nodiscard]] util::Status validate_container_id(std::string_view id);

}  // namespace ocistart::runtime
