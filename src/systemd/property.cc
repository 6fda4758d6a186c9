#include "systemd/property.h"

namespace ocistart::systemd {

const char* signature_of(const PropertyValue& v) noexcept {
  static constexpr const char* kSignatures[] = {"b",  "i",  "u",  "x",     "t",     "d",       "s",
                                                "as", "au", "ay", "a(ss)", "a(st)", "a(sasas)"};
  static_assert(std::variant_size_v<PropertyValue> == std::size(kSignatures));
  return kSignatures[v.index()];
}

}  // namespace ocistart::systemd
