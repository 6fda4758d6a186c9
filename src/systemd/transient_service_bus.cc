// The bus half of transient_service.h, as systemd-run's start_transient_service() and
// start_transient_trigger() do it: the JobRemoved match before StartTransientUnit, the
// start job waited for, then (--wait) the unit's PropertiesChanged followed until it is
// inactive or failed with no job, and its result read. Single-threaded: the connection has
// no event-loop thread; waits poll its fd.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>

#include <sdbus-c++/sdbus-c++.h>

#include "systemd/bus_values.h"
#include "systemd/manager.h"
#include "systemd/transient_service.h"

namespace ocistart::systemd {
namespace {

using util::Error;
using util::Result;
using util::Status;
using Clock = std::chrono::steady_clock;
using Properties = std::vector<sdbus::Struct<std::string, sdbus::Variant>>;
using AuxUnits = std::vector<sdbus::Struct<std::string, Properties>>;

constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnit = "org.freedesktop.systemd1.Unit";
constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";

Properties to_dbus(const UnitProperties& properties) {
  Properties out;
  out.reserve(properties.size());
  for (const UnitProperty& p : properties)
    out.push_back(systemd::to_dbus(p));
  return out;
}

// One connection to systemd: the manager's proxy with its JobRemoved match.
class Session {
 public:
  explicit Session(std::chrono::milliseconds deadline)
      : bus_(sdbus::createSystemBusConnection()), manager_(sdbus::createProxy(*bus_, kService, kManagerPath)) {
    bus_->setMethodCallTimeout(std::chrono::duration_cast<std::chrono::microseconds>(deadline));
    manager_->uponSignal("JobRemoved")
        .onInterface(kManager)
        .call([this](uint32_t, const sdbus::ObjectPath& job, const std::string&, const std::string& result) {
          removed_[job] = result;
        });
    manager_->finishRegistration();
  }

  sdbus::IProxy& manager() { return *manager_; }

  // Dispatches what arrived, then waits up to `timeout` for more (less when sd-bus has a
  // timer of its own).
  Status pump(std::chrono::milliseconds timeout) {
    while (bus_->processPendingRequest()) {}
    sdbus::IConnection::PollData pd = bus_->getEventLoopPollData();
    pollfd pfd{pd.fd, pd.events, 0};
    int ms = static_cast<int>(timeout.count());
    if (auto rel = pd.getRelativeTimeout())
      ms = std::min<int>(ms, static_cast<int>((rel->count() + 999) / 1000));
    if (::poll(&pfd, 1, std::max(ms, 0)) < 0 && errno != EINTR)
      return util::errno_error("poll the bus");
    while (bus_->processPendingRequest()) {}
    return {};
  }

  // Waits for `job` to be removed within `deadline`: its result.
  Result<std::string> wait_job(const sdbus::ObjectPath& job, std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    for (;;) {
      if (auto it = removed_.find(job); it != removed_.end())
        return it->second;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0)
        return Error{ETIME, "the start job did not finish within " + std::to_string(deadline.count()) + " ms"};
      if (Status s = pump(left); !s)
        return std::move(s).error();
    }
  }

  std::unique_ptr<sdbus::IProxy> unit_proxy(const std::string& name) {
    sdbus::ObjectPath path;
    manager_->callMethod("GetUnit").onInterface(kManager).withArguments(name).storeResultsTo(path);
    return sdbus::createProxy(*bus_, kService, path);
  }

 private:
  std::unique_ptr<sdbus::IConnection> bus_;
  std::unique_ptr<sdbus::IProxy> manager_;
  std::map<std::string, std::string> removed_;  // job path -> result
};

template <class T>
T property(sdbus::IProxy& unit, const char* interface, const char* name) {
  return unit.getProperty(name).onInterface(interface).get<T>();
}

// Follows the unit until it is inactive or failed with no job queued (a restart queues
// one), then reads how it ended, as systemd-run --wait.
Result<ServiceOutcome> wait_finished(Session& session, const std::string& name) {
  std::unique_ptr<sdbus::IProxy> unit = session.unit_proxy(name);
  bool changed = false;
  unit->uponSignal("PropertiesChanged")
      .onInterface("org.freedesktop.DBus.Properties")
      .call([&changed](const std::string&, const std::map<std::string, sdbus::Variant>&,
                       const std::vector<std::string>&) { changed = true; });
  unit->finishRegistration();
  // Unit signals go to subscribed clients only; the 1 s poll is the fallback.
  session.manager().callMethod("Subscribe").onInterface(kManager);
  for (;;) {
    std::string state = property<std::string>(*unit, kUnit, "ActiveState");
    auto job = property<sdbus::Struct<uint32_t, sdbus::ObjectPath>>(*unit, kUnit, "Job");
    if ((state == "inactive" || state == "failed") && std::get<0>(job) == 0)
      break;
    changed = false;
    const auto until = Clock::now() + std::chrono::seconds(1);
    while (!changed && Clock::now() < until)
      if (Status s = session.pump(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now())); !s)
        return std::move(s).error();
  }
  ServiceOutcome o;
  o.result = property<std::string>(*unit, kServiceInterface, "Result");
  o.exit_code = property<int32_t>(*unit, kServiceInterface, "ExecMainCode");
  o.exit_status = property<int32_t>(*unit, kServiceInterface, "ExecMainStatus");
  uint64_t left = property<uint64_t>(*unit, kUnit, "InactiveExitTimestampMonotonic");
  uint64_t entered = property<uint64_t>(*unit, kUnit, "InactiveEnterTimestampMonotonic");
  if (left != 0 && entered > left)
    o.runtime_usec = entered - left;
  uint64_t cpu = property<uint64_t>(*unit, kServiceInterface, "CPUUsageNSec");
  if (cpu != UINT64_MAX)
    o.cpu_usec = (cpu + 999) / 1000;
  return o;
}

Result<std::optional<ServiceOutcome>> run(const TransientServiceRequest& r, const TransientUnits& units,
                                          const std::function<void()>& started, std::chrono::milliseconds deadline) {
  Session session(deadline);
  const std::string& name = r.timer.empty() ? r.service : r.timer;
  AuxUnits aux;
  if (!r.timer.empty())
    aux.emplace_back(r.service, to_dbus(units.service));
  sdbus::ObjectPath job;
  session.manager()
      .callMethod("StartTransientUnit")
      .onInterface(kManager)
      .withArguments(name, std::string("fail"), to_dbus(r.timer.empty() ? units.service : units.timer), aux)
      .storeResultsTo(job);
  if (!r.no_block) {
    Result<std::string> result = session.wait_job(job, deadline);
    if (!result)
      return std::move(result).error().wrap("unit `" + name + "`");
    if (int code = job_result_errno(*result))
      return Error{code, "job for `" + name + "` failed (" + *result + "): see `systemctl status " + name +
                             "` and `journalctl -u " + r.service + "`"};
  }
  if (started)
    started();
  if (!r.wait)
    return std::optional<ServiceOutcome>();
  Result<ServiceOutcome> outcome = wait_finished(session, r.service);
  if (!outcome)
    return std::move(outcome).error();
  return std::optional<ServiceOutcome>(std::move(*outcome));
}

}  // namespace

Result<std::optional<ServiceOutcome>> run_transient_service(const TransientServiceRequest& request,
                                                            const std::function<void()>& started,
                                                            std::chrono::milliseconds deadline) {
  // Every property is checked before anything is asked of systemd.
  Result<TransientUnits> units = transient_units(request);
  if (!units)
    return std::move(units).error();
  try {
    return run(request, *units, started, deadline);
  } catch (const sdbus::Error& e) {
    return from_dbus(e, "StartTransientUnit")
        .wrap("unit `" + (request.timer.empty() ? request.service : request.timer) + "`");
  } catch (const std::exception& e) {
    return Error{EIO, std::string("systemd: ") + e.what()};
  }
}

}  // namespace ocistart::systemd
