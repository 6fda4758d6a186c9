// Where a document that simdjson's DOM parser rejected goes wrong. The DOM parser says why
// but not where; on the error path only, the document is walked again with simdjson's
// on-demand API, which stops at the bad value with its position, so that the message can
// name the member (JSON pointer) and the line and column, as for the other config errors.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "spec/json_reader.h"
#include "util/text.h"

namespace ocistart::spec::json {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Deeper than simdjson's own limit (1024), which reports DEPTH_ERROR first.
constexpr int kMaxDepth = 1100;

class Walker {
 public:
  // Reads every value below `value`; returns the first error, leaving path_ at its member.
  error_code walk(ondemand::value value, int depth) {
    if (depth > kMaxDepth)
      return simdjson::DEPTH_ERROR;
    ondemand::json_type type;
    if (error_code e = value.type().get(type))
      return e;
    switch (type) {
      case ondemand::json_type::object:
        return walk_object(value, depth);
      case ondemand::json_type::array:
        return walk_array(value, depth);
      case ondemand::json_type::number: {
        ondemand::number n;
        return value.get_number().get(n);
      }
      case ondemand::json_type::string: {
        std::string_view s;
        return value.get_string().get(s);
      }
      case ondemand::json_type::boolean: {
        bool b = false;
        return value.get_bool().get(b);
      }
      case ondemand::json_type::null: {
        bool is_null = false;
        if (error_code e = value.is_null().get(is_null))
          return e;
        return is_null ? SUCCESS : simdjson::N_ATOM_ERROR;
      }
    }
    return SUCCESS;
  }

  std::string pointer() const {
    std::string p;
    for (const std::string& token : path_)
      p.append("/").append(token);
    return p;
  }

 private:
  error_code walk_object(ondemand::value value, int depth) {
    ondemand::object object;
    if (error_code e = value.get_object().get(object))
      return e;
    for (simdjson::simdjson_result<ondemand::field> item : object) {
      ondemand::field field;
      if (error_code e = std::move(item).get(field))
        return e;
      std::string_view key;
      if (error_code e = field.unescaped_key().get(key))
        return e;
      path_.push_back(escape_token(key));
      if (error_code e = walk(field.value(), depth + 1))
        return e;
      path_.pop_back();
    }
    return SUCCESS;
  }

  error_code walk_array(ondemand::value value, int depth) {
    ondemand::array array;
    if (error_code e = value.get_array().get(array))
      return e;
    std::size_t index = 0;
    for (simdjson::simdjson_result<ondemand::value> item : array) {
      ondemand::value element;
      path_.push_back(std::to_string(index++));
      if (error_code e = std::move(item).get(element))
        return e;
      if (error_code e = walk(element, depth + 1))
        return e;
      path_.pop_back();
    }
    return SUCCESS;
  }

  std::vector<std::string> path_;
};

std::string line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::string describe_syntax_error(std::string_view text, simdjson::error_code dom_error) {
  std::string reason = simdjson::error_message(dom_error);
  simdjson::padded_string padded(text);
  ondemand::parser parser;
  ondemand::document doc;
  if (parser.iterate(padded).get(doc) != SUCCESS)
    return "invalid JSON: " + reason;  // stage 1 failed: no position to give

  Walker walker;
  error_code walk_error = SUCCESS;
  ondemand::json_type type;
  if (error_code e = doc.type().get(type)) {
    walk_error = e;
  } else if (type == ondemand::json_type::object || type == ondemand::json_type::array) {
    ondemand::value root;
    walk_error = doc.get_value().get(root);
    if (walk_error == SUCCESS)
      walk_error = walker.walk(root, 0);
  }

  std::string message;
  std::string pointer = walk_error != SUCCESS ? walker.pointer() : std::string();
  if (!pointer.empty())
    message = util::shortened(util::printable(pointer), Reader::kShownPointer) + ": ";
  message += "invalid JSON: " + reason;
  const char* location = nullptr;
  if (doc.current_location().get(location) == SUCCESS && location >= padded.data() &&
      location <= padded.data() + text.size()) {
    message += " (" + line_and_column(text, static_cast<std::size_t>(location - padded.data())) + ")";
  } else if (walk_error != SUCCESS) {
    message += " (at the end of the document)";
  }
  return message;
}

}  // namespace ocistart::spec::json
