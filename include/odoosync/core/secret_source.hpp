// SecretSource: where a secret is kept and how it is read again when it changes, so a key rotated by an
// operator, a vault agent or a cloud secret manager is picked up without a restart. Three kinds, the
// ways such tools hand secrets to processes: an environment variable, a file (re-read when it changes),
// and an external command (run again when its value is older than max_age, or when the secret was
// refused). Descriptions name the variable, the path or the program; never the value, and never the
// command's output.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/core/secret.hpp>

namespace odoosync {
inline namespace v0 {

class SecretSource {
 public:
  virtual ~SecretSource() = default;
  // The value now: cached while the source says it cannot have changed (the file's size and modification
  // time are the same, the command's value is younger than max_age; a variable is read each time).
  virtual result<Secret> current() = 0;
  // Reads it again now, whatever the cache says (the secret was just refused: it may have been rotated).
  virtual result<Secret> refresh() = 0;
  // "environment variable ODOO_API_KEY", "file /run/secrets/odoo", "command /usr/bin/vault (every 300 s)".
  virtual std::string description() const = 0;
};

std::shared_ptr<SecretSource> secret_from_env(std::string variable);
std::shared_ptr<SecretSource> secret_from_file(std::string path);
// argv[0] is run without a shell (a path, or a name looked up in PATH), stdin from /dev/null, its stderr
// discarded; its stdout, less trailing line breaks, is the secret. A run that exits non-zero, prints
// nothing, prints more than 64 KiB or outlasts `timeout` is an error naming the program and why.
std::shared_ptr<SecretSource> secret_from_command(std::vector<std::string> argv,
                                                  std::chrono::seconds max_age = std::chrono::seconds{300},
                                                  std::chrono::seconds timeout = std::chrono::seconds{10});
// "env:NAME", "file:PATH" or "cmd:PROGRAM ARG..." (arguments split at spaces; no quoting). A validation
// error names what is wrong with the spec.
result<std::shared_ptr<SecretSource>> parse_secret_source(std::string_view spec);

}  // namespace v0
}  // namespace odoosync
