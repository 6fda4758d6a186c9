// The host integration of a build without systemd (meson -Dsystemd=disabled).
#include "build_config.h"
#if !OCISTART_HAVE_SYSTEMD
#include <cerrno>

#include "runtime/host_integration.h"

namespace ocistart::runtime {
namespace {

class NoHost final : public HostIntegration {
 public:
  util::Status check_properties(const std::vector<std::string>&) const override { return {}; }
  util::Status check_journald() const override {
    return util::make_error("--log-driver journald: built without systemd support", ENOTSUP);
  }
  std::optional<std::string> delegated_cgroup() const override { return std::nullopt; }
  util::Status leave_delegated_root(const std::string&) const override { return {}; }
  util::Result<std::unique_ptr<cgroups::Driver>> new_systemd_driver(const NewUnit&) const override {
    return util::make_error("the systemd cgroup driver is not built in (meson -Dsystemd=disabled)", ENOTSUP);
  }
  util::Result<std::unique_ptr<cgroups::Driver>> existing_systemd_driver(const std::string& id, const std::string&,
                                                                         const std::string&,
                                                                         const std::string&) const override {
    return util::make_error("container `" + id + "` uses the systemd cgroup driver, which is not built in", ENOTSUP);
  }
  util::Status register_machine(const std::string&, int, const std::string&) const override {
    return util::make_error("--register-machine: built without systemd support", ENOTSUP);
  }
  util::Status unregister_machine(const std::string&) const override { return {}; }
  JournalStreamOpener journal_stream_opener(const std::string&) const override { return {}; }
  util::Result<systemd::JournalReadResult> read_journal(
      const systemd::JournalQuery&, const std::function<util::Status(const systemd::JournalEntry&)>&) const override {
    return util::make_error("ocistart was built without systemd: the journal cannot be read", ENOTSUP);
  }
  util::Result<std::optional<systemd::ServiceOutcome>> run_transient_service(
      const systemd::TransientServiceRequest&, const std::function<void()>&) const override {
    return util::make_error("run --service: built without systemd support", ENOTSUP);
  }
};

}  // namespace

const HostIntegration& host_integration() {
  static const NoHost host;
  return host;
}

void preload_host_integration() {}
void await_host_integration() {}

}  // namespace ocistart::runtime
#endif
