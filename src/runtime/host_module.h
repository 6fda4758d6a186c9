// The boundary between the binary and the systemd module (docs/layers.md "The systemd
// module"): the module holds host_systemd.cc and all the code that needs libsystemd or
// sdbus-c++, and exports one function, ocistart_systemd_host(), which returns its
// HostIntegration; the binary's HostIntegration (host_loader.cc) loads it with dlopen on
// the first call that needs systemd, then calls it through the HostIntegration vtable.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "build_config.h"
#include "linux/sealed_exe.h"
#include "runtime/host_integration.h"
#include "util/result.h"

namespace ocistart::runtime {

/// The module's file name, next to the binary in the build tree, in LIBDIR/ocistart/
/// when installed.
inline constexpr const char* kModuleFile = "ocistart-systemd.so";
/// What the binary passes to ocistart_systemd_host(): a module of another version answers
/// nullptr (its HostIntegration, Driver and Result may not be ours).
inline constexpr const char* kModuleVersion = OCISTART_VERSION;

/// The module file the binary `self` loads: `build_dir`/kModuleFile when `self` is the
/// build tree's binary `build_binary` (the same file, or a sealed copy of it), else
/// `installed`. Never a path from the environment: a root ocistart must not load code
/// from a place its caller picked. Pure.
[[nodiscard]] std::string module_path(const std::optional<os::FileId>& self,
                                      const std::optional<os::FileId>& build_binary, std::string_view build_dir,
                                      std::string_view installed);

/// The module's HostIntegration, loaded on the first call (the same answer after). An
/// error names the file: "the systemd module `PATH`: ...".
[[nodiscard]] util::Result<const HostIntegration*> systemd_module();

/// Starts loading the module in a thread (preload_host_integration()). The next
/// systemd_module() call joins it first; one still running at exit is joined then. Only
/// the thread that started it joins it (the loader thread touches nothing but the load).
/// A process must not be cloned while it runs (it may hold a lock of the C library the
/// clone would inherit held): every create reaches systemd_module() before it clones its
/// init, and calls await_systemd_module() first anyway.
void preload_systemd_module();
/// Joins that thread, if there is one.
void await_systemd_module();

}  // namespace ocistart::runtime

/// The module's one export (the version script src/runtime/systemd_module.map): its
/// HostIntegration, which lives as long as the process; nullptr when `version` is not
/// kModuleVersion.
extern "C" const ocistart::runtime::HostIntegration* ocistart_systemd_host(const char* version);
