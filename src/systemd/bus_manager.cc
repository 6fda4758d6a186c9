// Manager over D-Bus with the sdbus-c++ proxies generated from dbus/*.xml. Single-threaded:
// the connection has no event-loop thread; job waits poll its fd with a deadline.
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <regex>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/org_freedesktop_systemd1_Manager_proxy.h"
#include "dbus/org_freedesktop_systemd1_Scope_proxy.h"
#include "dbus/org_freedesktop_systemd1_Unit_proxy.h"
#include "systemd/bus_values.h"
#include "systemd/manager.h"

namespace ocistart::systemd {
namespace {

using util::Error;
using util::Result;
using util::Status;
using Clock = std::chrono::steady_clock;

}  // namespace

sdbus::Struct<std::string, sdbus::Variant> to_dbus(const UnitProperty& p) {
  sdbus::Variant v = std::visit(
      [](const auto& x) -> sdbus::Variant {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::vector<std::pair<std::string, std::string>>>) {
          std::vector<sdbus::Struct<std::string, std::string>> out;
          for (const auto& [a, b] : x)
            out.emplace_back(a, b);
          return sdbus::Variant(out);
        } else if constexpr (std::is_same_v<T, std::vector<std::pair<std::string, uint64_t>>>) {
          std::vector<sdbus::Struct<std::string, uint64_t>> out;
          for (const auto& [a, b] : x)
            out.emplace_back(a, b);
          return sdbus::Variant(out);
        } else if constexpr (std::is_same_v<T, std::vector<ExecCommand>>) {
          std::vector<sdbus::Struct<std::string, std::vector<std::string>, std::vector<std::string>>> out;
          for (const ExecCommand& c : x)
            out.emplace_back(c.path, c.argv, c.flags);
          return sdbus::Variant(out);
        } else {
          return sdbus::Variant(x);
        }
      },
      p.value);
  return {p.name, std::move(v)};
}

Error from_dbus(const sdbus::Error& e, std::string_view call) {
  const std::string& name = e.getName();
  int code = EIO;
  if (name == "org.freedesktop.DBus.Error.Timeout" || name == "org.freedesktop.DBus.Error.NoReply" ||
      name == "System.Error.ETIMEDOUT")
    code = ETIMEDOUT;
  else if (name == "org.freedesktop.systemd1.UnitExists")
    code = EEXIST;
  else if (name == "org.freedesktop.systemd1.NoSuchUnit" || name == "org.freedesktop.systemd1.LoadFailed")
    code = ENOENT;
  else if (name == "org.freedesktop.DBus.Error.PropertyReadOnly" ||
           name == "org.freedesktop.DBus.Error.UnknownProperty")
    code = ENOTSUP;
  else if (name == "org.freedesktop.DBus.Error.NotSupported")  // e.g. FreezeUnit on cgroup v1
    code = EOPNOTSUPP;
  std::string what = "systemd `" + std::string(call) + "`: ";
  if (code == ETIMEDOUT)
    return Error{code, what + "no answer within the deadline (" + name + ")"};
  return Error{code, what + name + ": " + e.getMessage()};
}

namespace {

class ManagerProxy final : public sdbus::ProxyInterfaces<org::freedesktop::systemd1::Manager_proxy> {
 public:
  explicit ManagerProxy(sdbus::IConnection& bus) : ProxyInterfaces(bus, kService, kManagerPath) {
    registerProxy();  // installs the JobRemoved match: before any job is started
  }
  ~ManagerProxy() { unregisterProxy(); }

  std::map<std::string, std::string> removed;  // job path -> result

 private:
  void onJobRemoved(const uint32_t&, const sdbus::ObjectPath& job, const std::string&,
                    const std::string& result) override {
    removed[job] = result;
  }
};

class UnitProxy final
    : public sdbus::ProxyInterfaces<org::freedesktop::systemd1::Unit_proxy, org::freedesktop::systemd1::Scope_proxy> {
 public:
  UnitProxy(sdbus::IConnection& bus, const std::string& path) : ProxyInterfaces(bus, kService, path) {
    registerProxy();
  }
  ~UnitProxy() { unregisterProxy(); }
};

class BusManager final : public Manager {
 public:
  BusManager(std::unique_ptr<sdbus::IConnection> bus, std::chrono::milliseconds deadline)
      : bus_(std::move(bus)), manager_(*bus_), deadline_(deadline) {}

  Status start_transient_unit(const std::string& name, const UnitProperties& properties) override {
    std::vector<sdbus::Struct<std::string, sdbus::Variant>> props;
    props.reserve(properties.size());
    for (const auto& p : properties)
      props.push_back(to_dbus(p));
    std::vector<sdbus::Struct<std::string, std::vector<sdbus::Struct<std::string, sdbus::Variant>>>> aux;
    return call("StartTransientUnit",
                [&] { return wait_job(manager_.StartTransientUnit(name, "fail", props, aux), name); });
  }

  Status stop_unit(const std::string& name) override {
    Status s = call("StopUnit", [&] { return wait_job(manager_.StopUnit(name, "replace"), name); });
    if (!s && s.error().code == ENOENT)
      return {};
    return s;
  }

  Status reset_failed_unit(const std::string& name) override {
    Status s = call("ResetFailedUnit", [&] {
      manager_.ResetFailedUnit(name);
      return Status{};
    });
    if (!s && s.error().code == ENOENT)
      return {};
    return s;
  }

  Status set_unit_properties(const std::string& name, bool runtime, const UnitProperties& properties) override {
    std::vector<sdbus::Struct<std::string, sdbus::Variant>> props;
    for (const auto& p : properties)
      props.push_back(to_dbus(p));
    return call("SetUnitProperties", [&] {
      manager_.SetUnitProperties(name, runtime, props);
      return Status{};
    });
  }

  Status kill_unit(const std::string& name, int signal) override {
    return call("KillUnit", [&] {
      manager_.KillUnit(name, "all", signal);
      return Status{};
    });
  }

  Status freeze_unit(const std::string& name) override {
    return call("FreezeUnit", [&] {
      manager_.FreezeUnit(name);
      return Status{};
    });
  }

  Status thaw_unit(const std::string& name) override {
    return call("ThawUnit", [&] {
      manager_.ThawUnit(name);
      return Status{};
    });
  }

  Result<std::string> active_state(const std::string& name) override {
    std::string state;
    Status s = call("GetUnit", [&] {
      UnitProxy unit(*bus_, manager_.GetUnit(name));
      ++calls_;
      state = unit.ActiveState();
      return Status{};
    });
    if (!s)
      return s.error().code == ENOENT ? Result<std::string>(std::string()) : Result<std::string>(std::move(s).error());
    return state;
  }

  Result<std::string> control_group(const std::string& name) override {
    std::string cgroup;
    Status s = call("GetUnit", [&] {
      UnitProxy unit(*bus_, manager_.GetUnit(name));
      ++calls_;
      cgroup = unit.ControlGroup();
      return Status{};
    });
    if (!s)
      return std::move(s).error();
    return cgroup;
  }

  unsigned calls() const noexcept override { return calls_; }

 private:
  // Runs one D-Bus call (and whatever follows it in `f`), turning sdbus-c++'s exceptions
  // into Errors: they must not cross this file.
  template <class F>
  Status call(std::string_view what, F&& f) {
    ++calls_;
    try {
      return f();
    } catch (const sdbus::Error& e) {
      return from_dbus(e, what);
    } catch (const std::exception& e) {
      return Error{EIO, "systemd `" + std::string(what) + "`: " + e.what()};
    }
  }

  // Waits until `job` is removed, dispatching signals; bounded by the deadline.
  Status wait_job(const sdbus::ObjectPath& job, const std::string& unit) {
    const auto until = Clock::now() + deadline_;
    for (;;) {
      while (bus_->processPendingRequest()) {}
      if (auto it = manager_.removed.find(job); it != manager_.removed.end()) {
        std::string result = it->second;
        manager_.removed.erase(it);
        if (int code = job_result_errno(result))
          return Error{code, "job for unit `" + unit + "` finished with result `" + result + "`"};
        return {};
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0)
        return Error{ETIME,
                     "job for unit `" + unit + "` did not finish within " + std::to_string(deadline_.count()) + " ms"};
      sdbus::IConnection::PollData pd = bus_->getEventLoopPollData();
      pollfd pfd{pd.fd, pd.events, 0};
      int timeout = static_cast<int>(left.count());
      if (auto rel = pd.getRelativeTimeout())
        timeout = std::min<int>(timeout, static_cast<int>((rel->count() + 999) / 1000));
      if (::poll(&pfd, 1, timeout) < 0 && errno != EINTR)
        return util::errno_error("poll the bus");
    }
  }

  std::unique_ptr<sdbus::IConnection> bus_;
  ManagerProxy manager_;
  std::chrono::milliseconds deadline_;
  unsigned calls_ = 0;
};

}  // namespace

Result<std::unique_ptr<Manager>> connect_manager(std::chrono::milliseconds deadline, Bus which) {
  try {
    // The user bus is the session bus of sd-bus's words (sd_bus_open_user).
    std::unique_ptr<sdbus::IConnection> bus =
        which == Bus::user ? sdbus::createSessionBusConnection() : sdbus::createSystemBusConnection();
    bus->setMethodCallTimeout(std::chrono::duration_cast<std::chrono::microseconds>(deadline));
    return std::unique_ptr<Manager>(std::make_unique<BusManager>(std::move(bus), deadline));
  } catch (const sdbus::Error& e) {
    return from_dbus(e, which == Bus::user ? "connect to the user bus (systemd --user)" : "connect to the system bus");
  }
}

std::optional<std::string> unsupported_property(const Error& error) {
  if (error.code != ENOTSUP)
    return std::nullopt;
  static const std::regex kProperty(R"(Cannot set property ([A-Za-z0-9_]+)|[Uu]nknown property:? ([A-Za-z0-9_]+))");
  std::smatch m;
  if (!std::regex_search(error.message, m, kProperty))
    return std::nullopt;
  return m[1].matched ? m[1].str() : m[2].str();
}

int job_result_errno(std::string_view result) noexcept {
  // As systemd's bus-wait-for-jobs maps them.
  if (result == "done" || result == "skipped")
    return 0;
  if (result == "canceled")
    return ECANCELED;
  if (result == "timeout")
    return ETIME;
  if (result == "dependency")
    return EIO;
  if (result == "invalid")
    return ENOEXEC;
  if (result == "assert")
    return EPROTO;
  if (result == "unsupported")
    return EOPNOTSUPP;
  if (result == "once")
    return ESTALE;
  return EIO;  // "failed" and anything newer
}

}  // namespace ocistart::systemd
