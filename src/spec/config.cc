#include "spec/config.h"

#include <array>
#include <string_view>
#include <utility>

namespace ocistart::spec {
namespace {

constexpr std::array<std::pair<NamespaceType, const char*>, 8> kNamespaceNames{{
    {NamespaceType::pid, "pid"},
    {NamespaceType::network, "network"},
    {NamespaceType::mount, "mount"},
    {NamespaceType::ipc, "ipc"},
    {NamespaceType::uts, "uts"},
    {NamespaceType::user, "user"},
    {NamespaceType::cgroup, "cgroup"},
    {NamespaceType::time, "time"},
}};

}  // namespace

const char* to_string(NamespaceType type) noexcept {
  for (const auto& [t, name] : kNamespaceNames)
    if (t == type)
      return name;
  return "?";
}

std::optional<NamespaceType> namespace_type_from_string(std::string_view name) noexcept {
  for (const auto& [t, n] : kNamespaceNames)
    if (name == n)
      return t;
  return std::nullopt;
}

}  // namespace ocistart::spec
