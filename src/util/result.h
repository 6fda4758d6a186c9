// Result<T>: a value or an Error. The one error type of ocistart (see STYLE.md).
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ocistart::util {

/// An errno (0 when the failure did not come from a syscall) and a message whose
/// outermost context comes first: "create `abc`: mount `proc`: Operation not permitted".
/// Plain data, so the forked init can send it to the parent over the sync socket.
struct Error {
  int code = 0;
  std::string message;

  /// Prefix `context: ` to the message (outermost context first).
  [[nodiscard]] Error wrap(std::string_view context) && {
    std::string m;
    m.reserve(context.size() + 2 + message.size());
    m.append(context).append(": ").append(message);
    message = std::move(m);
    return std::move(*this);
  }
  [[nodiscard]] Error wrap(std::string_view context) const& { return Error(*this).wrap(context); }
};

/// An error with `what` as its message, from no syscall.
[[nodiscard]] inline Error make_error(std::string message, int code = 0) { return Error{code, std::move(message)}; }

/// strerror(code) starting in lower case, as Go and runc print it: "no such file or directory".
[[nodiscard]] std::string errno_text(int code);

/// An error for a failed syscall: "`what`: errno_text(code)".
[[nodiscard]] Error errno_error(std::string_view what, int code = errno);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace ocistart::util
