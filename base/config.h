// Config: typed options resolved from four sources, in this precedence:
//   command-line flags  >  environment (ARIADNE_*)  >  YAML file (--config FILE)  >  defaults.
//
// One table of OptionSpec (for the server: server/config/server_options.cc) defines every option
// once: its key, type, default and help text. The key names everything else: key "data_dir" is
// the flag --data-dir, the variable ARIADNE_DATA_DIR and the YAML key data_dir. Values are parsed
// and validated at Load(); an error names the source and the option. Getters then cannot fail
// (asking for an unknown key or the wrong type is a programming error and aborts).
//
// Value syntax: bool true|false|1|0|yes|no (a bare --flag means true); durations "500ms", "72h",
// "30d", "1h30m" (Go-style plus d); sizes "64MiB", "512KB", "1GiB" or plain bytes.
// Not thread-safe while loading; const afterwards. Tested by config_test.cc.
#ifndef ARIADNE_BASE_CONFIG_H_
#define ARIADNE_BASE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ariadne {

enum class OptionType : uint8_t { kString, kInt, kBool, kDouble, kDuration, kBytes };

struct OptionSpec {
  std::string key;  // snake_case
  OptionType type;
  std::string default_value;  // in the same syntax as every other source
  std::string help;
  std::vector<std::string> choices = {};  // for strings: allowed values, empty means any
};

enum class OptionSource : uint8_t { kDefault, kFile, kEnv, kFlag };

// Parsers shared with other code that reads the same syntax.
[[nodiscard]] StatusOr<int64_t> ParseDurationNanos(std::string_view text);
[[nodiscard]] StatusOr<uint64_t> ParseBytes(std::string_view text);
[[nodiscard]] StatusOr<bool> ParseBool(std::string_view text);

class Config {
 public:
  explicit Config(std::vector<OptionSpec> specs);

  // args: the flags (after the subcommand). env: the process environment, as NAME=VALUE
  // strings (pass `environ`). Arguments that are not flags are returned in *positional.
  [[nodiscard]] Status Load(const std::vector<std::string>& args, const char* const* env,
                            std::vector<std::string>* positional);
  // Only the YAML layer (for tests and tools).
  [[nodiscard]] Status LoadYamlText(std::string_view yaml_text, std::string_view origin);

  const std::string& GetString(std::string_view key) const;
  int64_t GetInt(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  double GetDouble(std::string_view key) const;
  int64_t GetDurationNanos(std::string_view key) const;
  uint64_t GetBytes(std::string_view key) const;
  OptionSource GetSource(std::string_view key) const;

  // Sets a value as if it came from a flag (for tests and programmatic use).
  [[nodiscard]] Status Set(std::string_view key, std::string_view value);

  // "key: value  # source" per option, valid YAML, for `ariadne config --print`.
  std::string Print() const;
  // The flag reference: flag, variable, default, help, for --help.
  std::string Help() const;

  static std::string FlagName(std::string_view key);  // data_dir -> --data-dir
  static std::string EnvName(std::string_view key);   // data_dir -> ARIADNE_DATA_DIR

 private:
  struct Value {
    const OptionSpec* spec;
    std::string text;
    OptionSource source = OptionSource::kDefault;
    int64_t int_value = 0;
    double double_value = 0;
  };
  [[nodiscard]] Status Assign(Value* v, std::string_view text, OptionSource source,
                              std::string_view origin);
  const Value& Find(std::string_view key, OptionType type) const;

  std::vector<OptionSpec> specs_;
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace ariadne

#endif  // ARIADNE_BASE_CONFIG_H_
