#include "spec/state.h"

#include <cerrno>

#include "spec/json_reader.h"
#include "util/json_writer.h"

namespace ocistart::spec {

std::string to_json(const State& s, int indent) {
  util::JsonWriter w(indent);
  w.begin_object();
  w.member("ociVersion", s.oci_version);
  w.member("id", s.id);
  w.member("pid", s.pid);
  w.member("status", s.status);
  w.member("bundle", s.bundle);
  w.member("rootfs", s.rootfs);
  w.member("created", s.created);
  if (!s.annotations.empty()) {
    w.key("annotations").begin_object();
    for (const auto& [k, v] : s.annotations)
      w.member(k, v);
    w.end_object();
  }
  w.member("owner", s.owner);
  w.end_object();
  return std::move(w).str();
}

bool read_object(json::Object& o, State& out) {
  return o.optional("ociVersion", out.oci_version) && o.required("id", out.id) && o.optional("pid", out.pid) &&
         o.required("status", out.status) && o.optional("bundle", out.bundle) && o.optional("rootfs", out.rootfs) &&
         o.optional("created", out.created) && o.optional("annotations", out.annotations) &&
         o.optional("owner", out.owner);
}

util::Result<State> parse_state(std::string_view json) {
  util::Result<State> state = parse_whole<State>(json);
  if (!state)
    return util::make_error("OCI state: " + std::move(state).error().message, EINVAL);
  return state;
}

}  // namespace ocistart::spec
