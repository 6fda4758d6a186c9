// The OCI state document (runtime-spec runtime.md "State") as a struct: what `state`
// prints, what every hook reads on stdin, and what `create` sends the init with `proceed`
// (the init sets its own pid and status in it for the hooks it runs in the container).
#pragma once

#include <string>
#include <string_view>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::spec {

/// runc's members (state.go, list.go containerState), in runc's order: ociVersion, id,
/// pid, status, bundle, rootfs, created, annotations (only when not empty), owner.
struct State {
  std::string oci_version;
  std::string id;
  int pid = 0;          // 0 once the container is stopped (runc: no omitempty)
  std::string status;   // "creating", "created", "running", "paused", "stopped"
  std::string bundle;   // absolute
  std::string rootfs;   // absolute
  std::string created;  // RFC 3339 with nanoseconds, UTC
  StringMap annotations;
  std::string owner;
};

/// The document, member for member as runc prints it; `indent` as util::JsonWriter (0:
/// compact, what the hooks and the init get).
[[nodiscard]] std::string to_json(const State& state, int indent);

/// The document back (the init decodes what `proceed` carries). Unknown members are
/// ignored; errors (EINVAL) name the member by its JSON pointer.
[[nodiscard]] util::Result<State> parse_state(std::string_view json);

}  // namespace ocistart::spec
