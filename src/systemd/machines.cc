#include "systemd/machines.h"

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/org_freedesktop_machine1_Manager_proxy.h"

namespace ocistart::systemd {
namespace {

class MachineProxy final : public sdbus::ProxyInterfaces<org::freedesktop::machine1::Manager_proxy> {
 public:
  explicit MachineProxy(sdbus::IConnection& bus)
      : ProxyInterfaces(bus, "org.freedesktop.machine1", "/org/freedesktop/machine1") {
    registerProxy();
  }
  ~MachineProxy() { unregisterProxy(); }
};

// One call on a fresh system bus connection; sdbus-c++ errors become an Error.
template <typename Call>
util::Status with_machined(std::string_view method, std::chrono::milliseconds deadline, Call call) {
  try {
    std::unique_ptr<sdbus::IConnection> bus = sdbus::createSystemBusConnection();
    bus->setMethodCallTimeout(std::chrono::duration_cast<std::chrono::microseconds>(deadline));
    MachineProxy machined(*bus);
    call(machined);
    return {};
  } catch (const sdbus::Error& e) {
    int code = e.getName() == "org.freedesktop.machine1.NoSuchMachine" ? ENOENT : EIO;
    return util::make_error("systemd-machined `" + std::string(method) + "`: " + e.getName() + ": " + e.getMessage(),
                            code);
  }
}

}  // namespace

util::Status register_machine(const std::string& name, int leader, const std::string& root_directory,
                              std::chrono::milliseconds deadline) {
  util::Status s = with_machined("RegisterMachine", deadline, [&](MachineProxy& m) {
    (void)m.RegisterMachine(name, std::vector<uint8_t>{}, "ocistart", "container", static_cast<uint32_t>(leader),
                            root_directory);
  });
  if (!s)
    return std::move(s).error().wrap("register machine `" + name + "`");
  return s;
}

util::Status unregister_machine(const std::string& name, std::chrono::milliseconds deadline) {
  util::Status s = with_machined("UnregisterMachine", deadline, [&](MachineProxy& m) { m.UnregisterMachine(name); });
  if (!s && s.error().code == ENOENT)
    return {};
  if (!s)
    return std::move(s).error().wrap("unregister machine `" + name + "`");
  return s;
}

}  // namespace ocistart::systemd
