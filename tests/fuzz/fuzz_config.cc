// libFuzzer target for what ocistart reads from a client: config.json (parse_config, then
// validate() and the writer), update's -r document (parse_resources, check_resources) and
// exec's -p document (parse_process, then validate() on a config holding it). Every input
// goes through all three readers: they share json_reader, and a config's
// linux.resources or process object is also a plausible document for the other two.
//
// Properties checked beyond "no crash, no sanitizer report":
// - what parse_config accepts, to_json writes, and parse_config accepts again;
// - writing is a fixpoint after one round (to_json(parse(to_json(c))) == to_json(c)),
//   so `spec` output and the state store's copy of a config mean what was read;
// - validate() says the same of the config read back as of the original: the writer
//   keeps everything validation looks at;
// - effective_resources() is idempotent (effective_resources.h promises it).
// A broken property aborts, which libFuzzer and the replay driver both report as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spec/config.h"
#include "spec/effective_resources.h"
#include "spec/parse.h"
#include "spec/serialize.h"
#include "spec/validate.h"
#include "util/result.h"

namespace {

using namespace ocistart;

[[noreturn]] void broken(const char* property, const std::string& detail) {
  std::fprintf(stderr, "fuzz_config: %s\n%s\n", property, detail.c_str());
  std::abort();
}

void check_resources_doc(const spec::Resources& resources) {
  (void)spec::check_resources(resources);
  spec::Resources once = spec::effective_resources(resources);
  (void)spec::check_resources(once);
  (void)spec::effective_resources(once);
}

void check_config(std::string_view text) {
  util::Result<spec::Config> config = spec::parse_config(text);
  if (!config)
    return;
  util::Status verdict = spec::validate(*config);
  if (config->linux_ && config->linux_->resources)
    check_resources_doc(*config->linux_->resources);

  std::string written = spec::to_json(*config);
  util::Result<spec::Config> again = spec::parse_config(written);
  if (!again)
    broken("to_json wrote what parse_config refuses", again.error().message + "\n" + written);
  util::Status verdict_again = spec::validate(*again);
  std::string before = verdict ? "valid" : verdict.error().message;
  std::string after = verdict_again ? "valid" : verdict_again.error().message;
  if (before != after)
    broken("validate() differs after to_json and parse_config", before + "\n" + after + "\n" + written);
  std::string rewritten = spec::to_json(*again);
  if (rewritten != written)
    broken("to_json(parse_config(to_json(c))) differs from to_json(c)", written + "\n---\n" + rewritten);
  (void)spec::to_json(*config, 0);
}

void check_update_document(std::string_view text) {
  util::Result<spec::Resources> resources = spec::parse_resources(text);
  if (resources)
    check_resources_doc(*resources);
}

void check_exec_document(std::string_view text) {
  util::Result<spec::Process> process = spec::parse_process(text);
  if (!process)
    return;
  // What exec checks it against: the container's config with this process in it.
  spec::Config config;
  config.oci_version = "1.2.0";
  config.root.emplace().path = "rootfs";
  config.process = std::move(*process);
  (void)spec::validate(config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_config(text);
  check_update_document(text);
  check_exec_document(text);
  return 0;
}
