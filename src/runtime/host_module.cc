// Finding and loading the systemd module (host_module.h).
#include "runtime/host_module.h"

#include <dlfcn.h>

#include <cerrno>
#include <string_view>
#include <system_error>
#include <thread>

namespace ocistart::runtime {

std::string module_path(const std::optional<os::FileId>& self, const std::optional<os::FileId>& build_binary,
                        std::string_view build_dir, std::string_view installed) {
  if (self && build_binary && *self == *build_binary)
    return std::string(build_dir) + "/" + kModuleFile;
  return std::string(installed);
}

namespace {

util::Result<const HostIntegration*> load(const std::string& path) {
  auto fail = [&path](const std::string& why, int code) {
    return util::make_error("the systemd module `" + path + "`: " + why, code);
  };
  // RTLD_NOW: a missing symbol fails here, not in the middle of a create. RTLD_LOCAL: its
  // symbols stay its own. Never closed: its objects (drivers) live until exit.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    std::string_view why = error != nullptr ? error : "dlopen failed";
    if (why.starts_with(path + ": "))  // dlerror names the file too: once is enough
      why.remove_prefix(path.size() + 2);
    return fail(std::string(why), ENOENT);
  }
  using Entry = const HostIntegration* (*)(const char*);
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, "ocistart_systemd_host"));
  if (entry == nullptr)
    return fail("no ocistart_systemd_host in it", ENOEXEC);
  const HostIntegration* host = entry(kModuleVersion);
  if (host == nullptr)
    return fail(std::string("not of ocistart ") + kModuleVersion, ENOEXEC);
  return host;
}

// The thread of preload_systemd_module(): joined by the first other caller of
// systemd_module(), or at exit.
struct Preload {
  std::thread thread;
  Preload() = default;
  Preload(const Preload&) = delete;
  Preload& operator=(const Preload&) = delete;
  ~Preload() {
    if (thread.joinable())
      thread.join();
  }
};

Preload& preload() {
  static Preload p;
  return p;
}

// The module, loaded on the first call (a static's initialization); what the preload
// thread runs, and the only thing it touches.
const util::Result<const HostIntegration*>& loaded_module() {
  static const util::Result<const HostIntegration*> loaded =
      load(module_path(os::original_binary(), os::file_id(OCISTART_BUILD_SRC_DIR "/ocistart-runtime"),
                       OCISTART_BUILD_SRC_DIR, OCISTART_SYSTEMD_MODULE));
  return loaded;
}

}  // namespace

util::Result<const HostIntegration*> systemd_module() {
  await_systemd_module();
  return loaded_module();
}

void await_systemd_module() {
  if (Preload& p = preload(); p.thread.joinable())
    p.thread.join();
}

void preload_systemd_module() {
  Preload& p = preload();
  if (p.thread.joinable())
    return;
  try {
    p.thread = std::thread([] { (void)loaded_module(); });
  } catch (const std::system_error&) {
    // No thread: the module loads on its first use, as without a preload.
  }
}

}  // namespace ocistart::runtime
