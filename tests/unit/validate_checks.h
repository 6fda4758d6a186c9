// Shared by the validation tests: run validate() and check where its message points.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "spec/config.h"
#include "spec/validate.h"

namespace validate_checks {

/// validate()'s message for `c`, or "" when it is valid.
inline std::string error_of(const ocistart::spec::Config& c) {
  ocistart::util::Status s = ocistart::spec::validate(c);
  return s ? std::string() : s.error().message;
}

}  // namespace validate_checks

// The message must start with "<pointer>: " and contain `fragment`.
#define CHECK_INVALID(config, pointer, fragment)              \
  do {                                                        \
    std::string message_ = validate_checks::error_of(config); \
    INFO("message: " << message_);                            \
    CHECK(message_.starts_with(std::string(pointer) + ": ")); \
    CHECK(message_.find(fragment) != std::string::npos);      \
  } while (0)

#define CHECK_VALID(config)                                   \
  do {                                                        \
    std::string message_ = validate_checks::error_of(config); \
    CHECK_MESSAGE(message_.empty(), message_);                \
  } while (0)
