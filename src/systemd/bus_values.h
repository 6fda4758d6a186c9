// Shared by the files that talk to systemd over sdbus-c++ (bus_manager.cc,
// transient_service_bus.cc): where systemd's manager is on the bus, our plain property
// values as D-Bus values, and D-Bus errors as Errors. Only src/systemd/ includes this (it
// names sdbus-c++ types).
#pragma once

#include <string>
#include <string_view>

#include <sdbus-c++/sdbus-c++.h>

#include "systemd/property.h"
#include "util/result.h"

namespace ocistart::systemd {

/// systemd's manager on the bus, named once (systemd's bus-locator.h does the same).
inline constexpr const char* kService = "org.freedesktop.systemd1";
inline constexpr const char* kManagerPath = "/org/freedesktop/systemd1";

/// One (sv) entry of a(sv), from our plain value.
[[nodiscard]] sdbus::Struct<std::string, sdbus::Variant> to_dbus(const UnitProperty& p);

/// A D-Bus error as an Error with an errno the callers can act on (the errno values of
/// manager.h), naming `call`.
[[nodiscard]] util::Error from_dbus(const sdbus::Error& e, std::string_view call);

}  // namespace ocistart::systemd
