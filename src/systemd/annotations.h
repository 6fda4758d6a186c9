// `org.systemd.property.<Name>` annotations: extra unit properties in GVariant text.
#pragma once

#include <string_view>

#include "spec/config.h"
#include "systemd/property.h"
#include "util/result.h"

namespace ocistart::systemd {

/// One value in GVariant text format, the subset unit properties need: true/false;
/// numbers with an optional type keyword (`uint64 5`, `int32 -1`, `uint32 7`, `int64 3`,
/// `double 1.5`; a bare integer is int32 and a bare decimal a double, as GVariant reads
/// them); strings in '...' or "..." with backslash escapes; arrays `['a', 'b']`,
/// `[uint32 1, 2]`, and typed empty arrays `@as []`, `@au []`; `@t 5` style type prefixes.
/// EINVAL with what is wrong and where.
[[nodiscard]] util::Result<PropertyValue> parse_gvariant(std::string_view text);

/// The properties named by `org.systemd.property.*` annotations, in key order. A name
/// ending in `Sec` (not `USec`) becomes `...USec` with its value, in seconds, turned into
/// microseconds (uint64), as runc and crun do. Errors name the annotation:
/// "annotation `org.systemd.property.TasksMax`: ...".
[[nodiscard]] util::Result<UnitProperties> properties_from_annotations(const spec::StringMap& annotations);

}  // namespace ocistart::systemd
