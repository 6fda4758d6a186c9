// A systemd::Manager that records every call and answers from a script, for the systemd
// driver's unit tests (no bus, no root).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "systemd/manager.h"

namespace ocistart::testing {

class FakeSystemdManager final : public systemd::Manager {
 public:
  struct Call {
    std::string method;  // "StartTransientUnit", "StopUnit", ...
    std::string unit;
    systemd::UnitProperties properties;  // StartTransientUnit, SetUnitProperties
    int signal = 0;                      // KillUnit
    bool runtime = false;                // SetUnitProperties
  };

  /// Shared with the test after the driver took ownership of the manager.
  struct Script {
    std::vector<Call> calls;
    /// Answers for the next StartTransientUnit / SetUnitProperties / FreezeUnit / StopUnit calls, in
    /// order; success when empty.
    std::deque<util::Status> start_results;
    std::deque<util::Status> set_results;
    std::deque<util::Status> freeze_results;
    std::deque<util::Status> stop_results;
    std::string control_group_prefix = "/system.slice/";
    unsigned connects = 0;
  };

  explicit FakeSystemdManager(std::shared_ptr<Script> script) : script_(std::move(script)) {}

  util::Status start_transient_unit(const std::string& name, const systemd::UnitProperties& properties) override {
    record({"StartTransientUnit", name, properties});
    return next(script_->start_results);
  }
  util::Status stop_unit(const std::string& name) override {
    record({"StopUnit", name, {}});
    return next(script_->stop_results);
  }
  util::Status reset_failed_unit(const std::string& name) override {
    record({"ResetFailedUnit", name, {}});
    return {};
  }
  util::Status set_unit_properties(const std::string& name, bool runtime,
                                   const systemd::UnitProperties& properties) override {
    Call c{"SetUnitProperties", name, properties};
    c.runtime = runtime;
    record(std::move(c));
    return next(script_->set_results);
  }
  util::Status kill_unit(const std::string& name, int signal) override {
    Call c{"KillUnit", name, {}};
    c.signal = signal;
    record(std::move(c));
    return {};
  }
  util::Status freeze_unit(const std::string& name) override {
    record({"FreezeUnit", name, {}});
    return next(script_->freeze_results);
  }
  util::Status thaw_unit(const std::string& name) override {
    record({"ThawUnit", name, {}});
    return next(script_->freeze_results);
  }
  util::Result<std::string> active_state(const std::string& name) override {
    record({"GetUnit", name, {}});
    return std::string("active");
  }
  util::Result<std::string> control_group(const std::string& name) override {
    record({"GetUnit", name, {}});
    return script_->control_group_prefix + name;
  }
  unsigned calls() const noexcept override { return static_cast<unsigned>(script_->calls.size()); }

  /// A factory for SystemdDriverOptions::manager that hands out managers on `script`.
  static auto factory(std::shared_ptr<Script> script) {
    return [script]() -> util::Result<std::unique_ptr<systemd::Manager>> {
      ++script->connects;
      return std::unique_ptr<systemd::Manager>(std::make_unique<FakeSystemdManager>(script));
    };
  }

 private:
  void record(Call c) { script_->calls.push_back(std::move(c)); }
  static util::Status next(std::deque<util::Status>& results) {
    if (results.empty())
      return {};
    util::Status s = std::move(results.front());
    results.pop_front();
    return s;
  }

  std::shared_ptr<Script> script_;
};

}  // namespace ocistart::testing
