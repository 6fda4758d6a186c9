// Compiles the sdbus-c++ proxies generated from dbus/*.xml (see dbus/meson.build).
#include "dbus/org_freedesktop_machine1_Manager_proxy.h"
#include "dbus/org_freedesktop_systemd1_Manager_proxy.h"
#include "dbus/org_freedesktop_systemd1_Scope_proxy.h"
#include "dbus/org_freedesktop_systemd1_Service_proxy.h"
#include "dbus/org_freedesktop_systemd1_Unit_proxy.h"
