// ScopeGuard: run a callable at scope exit unless dismissed (sdbus-c++'s SCOPE_EXIT idea).
#pragma once

#include <utility>

namespace ocistart::util {

template <class F>
class [[nodiscard]] ScopeGuard {
 public:
  explicit ScopeGuard(F f) noexcept : f_(std::move(f)) {}
  ScopeGuard(ScopeGuard&& o) noexcept : f_(std::move(o.f_)), armed_(std::exchange(o.armed_, false)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ScopeGuard& operator=(ScopeGuard&&) = delete;
  ~ScopeGuard() {
    if (armed_)
      f_();
  }
  /// The callable will not run.
  void dismiss() noexcept { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

}  // namespace ocistart::util
