// OCI hooks: run one list of hooks with the container state on stdin.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "util/result.h"

namespace ocistart::os {

/// Runs `hooks` in order, each with `state_json` on stdin, its own args and env (empty env
/// means empty, as the spec says), and its timeout (SIGKILL on expiry). A hook that exits
/// without reading stdin is fine (EPIPE/SIGPIPE tolerated). The first hook that fails
/// stops the list: "<kind>: error running hook #<n> `path`: exited with status 3" (or
/// "timed out after 5s", "killed by signal 31 (bad system call)": runc's words, which
/// clients match). `kind` is the spec's name: "prestart", "createRuntime", ...
/// Usable from the parent and from the init child (fork + exec, no threads).
[[nodiscard]] util::Status run_hooks(const std::vector<spec::Hook>& hooks, std::string_view state_json,
                                     std::string_view kind);

/// poststart and poststop: every hook runs even when one before it failed ("the runtime
/// MUST log a warning, but the remaining hooks and lifecycle continue"). Returns one Error
/// per failed hook, "<kind> hook #<n> `path`: ..." (not the "error running" of run_hooks:
/// a warning); the caller logs them as warnings.
[[nodiscard]] std::vector<util::Error> run_all_hooks(const std::vector<spec::Hook>& hooks, std::string_view state_json,
                                                     std::string_view kind);

}  // namespace ocistart::os
