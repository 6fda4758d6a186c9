// Helpers shared by the command files in cli/: argument registration and error exits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "util/result.h"

namespace ocistart::cli {

/// Adds the required positional `<container-id>` bound to `id`.
CLI::Option* add_id_argument(CLI::App& sub, std::string& id);

/// Adds a repeatable string option (`-e A -e B`); one value per occurrence, no comma split.
CLI::Option* add_repeatable(CLI::App& sub, const std::string& names, std::vector<std::string>& into,
                            const std::string& description);

/// Makes a non-empty value of `option` absolute (against the cwd) as it is parsed, as runc
/// does for --bundle, --pid-file and --root.
CLI::Option* make_absolute(CLI::Option* option);

/// Logs `error` prefixed with `context` (e.g. "state `abc`") and returns exit status 1.
int fail(std::string_view context, util::Error error);

/// Rows laid out as Go's text/tabwriter does with runc's list settings (minimum cell
/// width 12, padding 3, spaces): each cell but a row's last is padded to its column's
/// width; every row ends with a newline.
[[nodiscard]] std::string format_table(const std::vector<std::vector<std::string>>& rows);

/// 0 when `id` is a valid container id; else logs why (with `command`) and returns 1.
[[nodiscard]] int checked_id(std::string_view command, const std::string& id);

/// "cmd `id`": the context errors of a command on a valid container id are wrapped with.
[[nodiscard]] std::string command_context(std::string_view command, std::string_view id);

}  // namespace ocistart::cli
