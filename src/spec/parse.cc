// config.json -> Config: the document, process, root, mounts and hooks. The "linux"
// object is read in parse_linux.cc, its "resources" in parse_resources.cc; the typed,
// pointer-tracking reads are json_reader.h.
#include "spec/parse.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <string>

#include "spec/json_reader.h"
#include "util/fs.h"
#include "util/text.h"

namespace ocistart::spec {

bool read_object(json::Object& o, IdMapping& out) {
  return o.required("containerID", out.container_id) && o.required("hostID", out.host_id) &&
         o.required("size", out.size);
}

bool read_object(json::Object& o, Root& out) {
  return o.required("path", out.path) && o.optional("readonly", out.readonly);
}

bool read_object(json::Object& o, Mount& out) {
  return o.required("destination", out.destination) && o.optional("type", out.type) &&
         o.optional("source", out.source) && o.optional("options", out.options) &&
         o.optional("uidMappings", out.uid_mappings) && o.optional("gidMappings", out.gid_mappings);
}

bool read_object(json::Object& o, ConsoleSize& out) {
  return o.required("height", out.height) && o.required("width", out.width);
}

bool read_object(json::Object& o, User& out) {
  return o.required("uid", out.uid) && o.required("gid", out.gid) && o.optional("umask", out.umask) &&
         o.optional("additionalGids", out.additional_gids) && o.optional("username", out.username);
}

bool read_object(json::Object& o, Capabilities& out) {
  return o.optional("bounding", out.bounding) && o.optional("effective", out.effective) &&
         o.optional("inheritable", out.inheritable) && o.optional("permitted", out.permitted) &&
         o.optional("ambient", out.ambient);
}

bool read_object(json::Object& o, Rlimit& out) {
  return o.required("type", out.type) && o.required("soft", out.soft) && o.required("hard", out.hard);
}

bool read_object(json::Object& o, Scheduler& out) {
  return o.required("policy", out.policy) && o.optional("nice", out.nice) && o.optional("priority", out.priority) &&
         o.optional("flags", out.flags) && o.optional("runtime", out.runtime) && o.optional("deadline", out.deadline) &&
         o.optional("period", out.period);
}

bool read_object(json::Object& o, IoPriority& out) {
  // config.md calls `priority` required too, but the schema only requires `class` and
  // runc/crun default it to 0; be as lenient as they are.
  return o.required("class", out.io_class) && o.optional("priority", out.priority);
}

bool read_object(json::Object& o, CpuAffinity& out) {
  return o.optional("initial", out.initial) && o.optional("final", out.final_);
}

// config.md requires `user` on Linux, but runc and crun run a process without one as
// uid 0, gid 0, and clients rely on it (runc's own tests write `exec -p` files without it).
bool read_object(json::Object& o, Process& out) {
  return o.optional("terminal", out.terminal) && o.optional("consoleSize", out.console_size) &&
         o.optional("user", out.user) && o.optional("args", out.args) && o.optional("commandLine", out.command_line) &&
         o.optional("env", out.env) && o.required("cwd", out.cwd) && o.optional("capabilities", out.capabilities) &&
         o.optional("rlimits", out.rlimits) && o.optional("noNewPrivileges", out.no_new_privileges) &&
         o.optional("apparmorProfile", out.apparmor_profile) && o.optional("oomScoreAdj", out.oom_score_adj) &&
         o.optional("scheduler", out.scheduler) && o.optional("selinuxLabel", out.selinux_label) &&
         o.optional("ioPriority", out.io_priority) && o.optional("execCPUAffinity", out.exec_cpu_affinity);
}

bool read_object(json::Object& o, Hook& out) {
  return o.required("path", out.path) && o.optional("args", out.args) && o.optional("env", out.env) &&
         o.optional("timeout", out.timeout);
}

bool read_object(json::Object& o, Hooks& out) {
  return o.optional("prestart", out.prestart) && o.optional("createRuntime", out.create_runtime) &&
         o.optional("createContainer", out.create_container) && o.optional("startContainer", out.start_container) &&
         o.optional("poststart", out.poststart) && o.optional("poststop", out.poststop);
}

bool read_object(json::Object& o, Config& out) {
  return o.required("ociVersion", out.oci_version) && o.optional("root", out.root) &&
         o.optional("mounts", out.mounts) && o.optional("process", out.process) &&
         o.optional("hostname", out.hostname) && o.optional("domainname", out.domainname) &&
         o.optional("hooks", out.hooks) && o.optional("annotations", out.annotations) &&
         o.optional("linux", out.linux_);
}

namespace {

// runtime-spec before 1.0.0-rc1 split the bundle into config.json (with a "platform"
// member and "version" instead of "ociVersion") and runtime.json.
std::string pre_1_0_message(const json::Object& top) {
  std::string m = "the bundle uses the pre-1.0 layout (config.json + runtime.json";
  std::string_view version;
  std::optional<json::element> v = top.find("version");
  if (v && v->get(version) == simdjson::SUCCESS)
    m.append(", version ").append(version);
  m += "); ocistart reads OCI runtime-spec 1.x bundles";
  return m;
}

util::Result<Config> parse_document(std::string_view text, bool has_runtime_json) {
  if (text.size() > kMaxDocumentSize)
    return too_large("the document");
  simdjson::dom::parser parser;
  json::element root;
  if (simdjson::error_code err = parser.parse(text.data(), text.size()).get(root))
    return util::make_error(json::describe_syntax_error(text, err));

  json::Reader reader;
  simdjson::dom::object top;
  if (root.get(top) != simdjson::SUCCESS) {
    (void)reader.fail_type("an object", root);
    return util::make_error(reader.error());
  }
  json::Object members(reader, top);
  if (!members.check_unique_keys())
    return util::make_error(reader.error());
  if (members.find("platform")) {
    json::Reader::Scope scope = reader.enter("platform");
    (void)reader.fail(pre_1_0_message(members));
    return util::make_error(reader.error());
  }
  if (has_runtime_json && !members.find("ociVersion")) {
    json::Reader::Scope scope = reader.enter("ociVersion");
    (void)reader.fail("required member missing; " + pre_1_0_message(members));
    return util::make_error(reader.error());
  }

  Config config;
  if (!read_object(members, config))
    return util::make_error(reader.error());
  return config;
}

std::string join_path(const std::string& dir, std::string_view name) {
  std::string path = dir.empty() ? std::string(".") : dir;
  if (path.back() != '/')
    path += '/';
  path.append(name);
  return path;
}

}  // namespace

util::Error too_large(std::string_view what) {
  std::string m(what);
  m += " is larger than " + std::to_string(kMaxDocumentSize >> 20) + " MiB, the most ocistart reads";
  return util::make_error(std::move(m), EFBIG);
}

util::Result<std::string> read_document(const std::string& path) {
  util::Result<std::string> text = path == "-" ? util::read_all(STDIN_FILENO, "read standard input", kMaxDocumentSize)
                                               : util::read_file(path, AT_FDCWD, kMaxDocumentSize);
  if (!text && text.error().code == EFBIG)
    return too_large(path == "-" ? std::string("standard input") : util::quoted(path));
  return text;
}

util::Result<Config> parse_config(std::string_view json) { return parse_document(json, false); }

util::Result<Process> parse_process(std::string_view text) {
  if (text.size() > kMaxDocumentSize)
    return too_large("the document");
  return parse_whole<Process>(text);
}

util::Result<Config> load_bundle_config(const std::string& bundle_dir) {
  std::string path = join_path(bundle_dir, "config.json");
  util::Result<std::string> text = util::read_file(path, AT_FDCWD, kMaxDocumentSize);
  if (!text && text.error().code == EFBIG)
    return too_large("config.json");
  if (!text)
    return std::move(text).error().wrap("config.json");
  bool has_runtime_json = ::access(join_path(bundle_dir, "runtime.json").c_str(), F_OK) == 0;
  util::Result<Config> config = parse_document(*text, has_runtime_json);
  if (!config)
    return std::move(config).error().wrap("config.json");
  return config;
}

}  // namespace ocistart::spec
