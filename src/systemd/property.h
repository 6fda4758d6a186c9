// Unit properties as plain values: what the systemd driver builds and the bus layer sends.
// No sdbus-c++ types here, so code outside src/systemd/ can build properties.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ocistart::systemd {

/// One command of a service's ExecStartEx=, ExecStopPostEx=...: (s as as) on the bus.
struct ExecCommand {
  std::string path;                // absolute
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> flags;  // "ignore-failure" (a unit file's `-`), "no-env-expand" (`:`)...
  bool operator==(const ExecCommand&) const = default;
};

/// One D-Bus value of the types unit properties use:
/// b, i, u, x, t, d, s, as, au, ay, a(ss) (DeviceAllow, TimersCalendar), a(st) (IO*Max,
/// IODeviceWeight, TimersMonotonic), a(sasas) (Exec*Ex).
using PropertyValue =
    std::variant<bool, int32_t, uint32_t, int64_t, uint64_t, double, std::string, std::vector<std::string>,
                 std::vector<uint32_t>, std::vector<uint8_t>, std::vector<std::pair<std::string, std::string>>,
                 std::vector<std::pair<std::string, uint64_t>>, std::vector<ExecCommand>>;

struct UnitProperty {
  std::string name;
  PropertyValue value;
  bool operator==(const UnitProperty&) const = default;
};

using UnitProperties = std::vector<UnitProperty>;

/// The D-Bus signature of `v` ("t", "a(ss)", ...).
[[nodiscard]] const char* signature_of(const PropertyValue& v) noexcept;

}  // namespace ocistart::systemd
