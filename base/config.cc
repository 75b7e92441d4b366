#include "base/config.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace ariadne {
namespace {

std::string_view SourceName(OptionSource s) {
  switch (s) {
    case OptionSource::kDefault:
      return "default";
    case OptionSource::kFile:
      return "file";
    case OptionSource::kEnv:
      return "env";
    case OptionSource::kFlag:
      return "flag";
  }
  return "?";
}

std::string_view TypeName(OptionType t) {
  switch (t) {
    case OptionType::kString:
      return "string";
    case OptionType::kInt:
      return "int";
    case OptionType::kBool:
      return "bool";
    case OptionType::kDouble:
      return "number";
    case OptionType::kDuration:
      return "duration";
    case OptionType::kBytes:
      return "size";
  }
  return "?";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

StatusOr<bool> ParseBool(std::string_view text) {
  std::string t = Lower(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return Status::InvalidArgument("not a boolean: '" + std::string(text) + "'");
}

StatusOr<int64_t> ParseDurationNanos(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty duration");
  if (text == "0") return int64_t{0};
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t i = 0;
    while (i < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) {
      ++i;
    }
    if (i == 0) return Status::InvalidArgument("bad duration: '" + std::string(text) + "'");
    double number = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + i, number);
    if (ec != std::errc() || p != rest.data() + i) {
      return Status::InvalidArgument("bad duration: '" + std::string(text) + "'");
    }
    rest.remove_prefix(i);
    size_t j = 0;
    while (j < rest.size() && std::isalpha(static_cast<unsigned char>(rest[j]))) ++j;
    std::string_view unit = rest.substr(0, j);
    rest.remove_prefix(j);
    double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "µs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else if (unit == "d")
      scale = 86400e9;
    else
      return Status::InvalidArgument("bad duration unit in '" + std::string(text) + "'");
    total += number * scale;
  }
  if (total > 9.2e18) return Status::OutOfRange("duration too large: " + std::string(text));
  return static_cast<int64_t>(std::llround(total));
}

StatusOr<uint64_t> ParseBytes(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  if (i == 0) return Status::InvalidArgument("bad size: '" + std::string(text) + "'");
  double number = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || p != text.data() + i) {
    return Status::InvalidArgument("bad size: '" + std::string(text) + "'");
  }
  std::string unit = Lower(text.substr(i));
  double scale;
  if (unit.empty() || unit == "b")
    scale = 1;
  else if (unit == "kb")
    scale = 1e3;
  else if (unit == "mb")
    scale = 1e6;
  else if (unit == "gb")
    scale = 1e9;
  else if (unit == "tb")
    scale = 1e12;
  else if (unit == "kib" || unit == "k")
    scale = 1024.0;
  else if (unit == "mib" || unit == "m")
    scale = 1024.0 * 1024;
  else if (unit == "gib" || unit == "g")
    scale = 1024.0 * 1024 * 1024;
  else if (unit == "tib" || unit == "t")
    scale = 1024.0 * 1024 * 1024 * 1024;
  else
    return Status::InvalidArgument("bad size unit in '" + std::string(text) + "'");
  double total = number * scale;
  if (total > 1.8e19) return Status::OutOfRange("size too large: " + std::string(text));
  return static_cast<uint64_t>(std::llround(total));
}

Config::Config(std::vector<OptionSpec> specs) : specs_(std::move(specs)) {
  for (const OptionSpec& spec : specs_) {
    Value v{&spec, "", OptionSource::kDefault};
    Status s = Assign(&v, spec.default_value, OptionSource::kDefault, "default");
    if (!s.ok()) {
      std::fprintf(stderr, "bad default for %s: %s\n", spec.key.c_str(), s.ToString().c_str());
      std::abort();
    }
    values_.emplace(spec.key, std::move(v));
  }
}

std::string Config::FlagName(std::string_view key) {
  std::string out = "--";
  for (char c : key) out.push_back(c == '_' || c == '.' ? '-' : c);
  return out;
}

std::string Config::EnvName(std::string_view key) {
  std::string out = "ARIADNE_";
  for (char c : key) {
    out.push_back(c == '.' || c == '-'
                      ? '_'
                      : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

Status Config::Assign(Value* v, std::string_view text, OptionSource source,
                      std::string_view origin) {
  const OptionSpec& spec = *v->spec;
  auto fail = [&](const Status& s) {
    return Status::InvalidArgument("option " + spec.key + " from " + std::string(origin) + ": " +
                                   std::string(s.message()));
  };
  switch (spec.type) {
    case OptionType::kString:
      if (!spec.choices.empty()) {
        bool found = false;
        for (const auto& c : spec.choices) found |= (c == text);
        if (!found) {
          std::string allowed;
          for (const auto& c : spec.choices) allowed += (allowed.empty() ? "" : "|") + c;
          return fail(
              Status::InvalidArgument("'" + std::string(text) + "' is not one of " + allowed));
        }
      }
      break;
    case OptionType::kInt: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size()) {
        return fail(Status::InvalidArgument("not an integer: '" + std::string(text) + "'"));
      }
      v->int_value = n;
      break;
    }
    case OptionType::kBool: {
      StatusOr<bool> b = ParseBool(text);
      if (!b.ok()) return fail(b.status());
      v->int_value = *b ? 1 : 0;
      break;
    }
    case OptionType::kDouble: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(d)) {
        return fail(Status::InvalidArgument("not a number: '" + std::string(text) + "'"));
      }
      v->double_value = d;
      break;
    }
    case OptionType::kDuration: {
      StatusOr<int64_t> d = ParseDurationNanos(text);
      if (!d.ok()) return fail(d.status());
      v->int_value = *d;
      break;
    }
    case OptionType::kBytes: {
      StatusOr<uint64_t> b = ParseBytes(text);
      if (!b.ok()) return fail(b.status());
      v->int_value = static_cast<int64_t>(*b);
      break;
    }
  }
  v->text = std::string(text);
  v->source = source;
  return Status::Ok();
}

Status Config::LoadYamlText(std::string_view yaml_text, std::string_view origin) {
  // yaml-cpp reports errors with exceptions; none may escape this function.
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (root.IsNull()) return Status::Ok();
    if (!root.IsMap()) return Status::InvalidArgument(std::string(origin) + ": expected a mapping");
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      auto it = values_.find(key);
      if (it == values_.end()) {
        return Status::InvalidArgument(std::string(origin) + ": unknown option '" + key + "'");
      }
      if (!kv.second.IsScalar()) {
        return Status::InvalidArgument(std::string(origin) + ": option '" + key +
                                       "' must be a single value");
      }
      ARIADNE_RETURN_IF_ERROR(Assign(&it->second, kv.second.Scalar(), OptionSource::kFile, origin));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(origin) + ": " + e.what());
  }
  return Status::Ok();
}

Status Config::Load(const std::vector<std::string>& args, const char* const* env,
                    std::vector<std::string>* positional) {
  // Pass 1: split flags from positional arguments and find --config.
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_file;
  std::string config_origin;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (positional) positional->push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    std::string key = name;
    for (char& c : key) c = c == '-' ? '_' : c;
    if (key == "config") {
      if (!has_value) {
        if (i + 1 >= args.size()) return Status::InvalidArgument("--config needs a file name");
        value = args[++i];
      }
      config_file = value;
      config_origin = "flag --config";
      continue;
    }
    auto it = values_.find(key);
    if (it == values_.end()) return Status::InvalidArgument("unknown flag --" + name);
    if (!has_value) {
      if (it->second.spec->type == OptionType::kBool) {
        value = "true";
      } else {
        if (i + 1 >= args.size()) return Status::InvalidArgument("--" + name + " needs a value");
        value = args[++i];
      }
    }
    flags.emplace_back(key, value);
  }
  // Environment, collected before the file so ARIADNE_CONFIG can name it.
  std::vector<std::pair<std::string, std::string>> env_values;
  for (const char* const* e = env; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || entry.compare(0, 8, "ARIADNE_") != 0) continue;
    std::string_view name = entry.substr(0, eq);
    std::string_view value = entry.substr(eq + 1);
    if (name == "ARIADNE_CONFIG") {
      if (config_file.empty()) {
        config_file = std::string(value);
        config_origin = "ARIADNE_CONFIG";
      }
      continue;
    }
    for (const OptionSpec& spec : specs_) {
      if (EnvName(spec.key) == name) env_values.emplace_back(spec.key, std::string(value));
    }
  }
  if (!config_file.empty()) {
    std::ifstream in(config_file);
    if (!in)
      return Status::InvalidArgument("cannot read config file '" + config_file + "' (" +
                                     config_origin + ")");
    std::stringstream buf;
    buf << in.rdbuf();
    ARIADNE_RETURN_IF_ERROR(LoadYamlText(buf.str(), config_file));
  }
  for (const auto& [key, value] : env_values) {
    ARIADNE_RETURN_IF_ERROR(
        Assign(&values_.find(key)->second, value, OptionSource::kEnv, EnvName(key)));
  }
  for (const auto& [key, value] : flags) {
    ARIADNE_RETURN_IF_ERROR(
        Assign(&values_.find(key)->second, value, OptionSource::kFlag, FlagName(key)));
  }
  return Status::Ok();
}

Status Config::Set(std::string_view key, std::string_view value) {
  auto it = values_.find(key);
  if (it == values_.end()) return Status::InvalidArgument("unknown option " + std::string(key));
  return Assign(&it->second, value, OptionSource::kFlag, "Set");
}

const Config::Value& Config::Find(std::string_view key, OptionType type) const {
  auto it = values_.find(key);
  if (it == values_.end() || it->second.spec->type != type) {
    std::fprintf(stderr, "config: no option %.*s of type %.*s\n", static_cast<int>(key.size()),
                 key.data(), static_cast<int>(TypeName(type).size()), TypeName(type).data());
    std::abort();
  }
  return it->second;
}

const std::string& Config::GetString(std::string_view key) const {
  return Find(key, OptionType::kString).text;
}
int64_t Config::GetInt(std::string_view key) const { return Find(key, OptionType::kInt).int_value; }
bool Config::GetBool(std::string_view key) const {
  return Find(key, OptionType::kBool).int_value != 0;
}
double Config::GetDouble(std::string_view key) const {
  return Find(key, OptionType::kDouble).double_value;
}
int64_t Config::GetDurationNanos(std::string_view key) const {
  return Find(key, OptionType::kDuration).int_value;
}
uint64_t Config::GetBytes(std::string_view key) const {
  return static_cast<uint64_t>(Find(key, OptionType::kBytes).int_value);
}
OptionSource Config::GetSource(std::string_view key) const {
  auto it = values_.find(key);
  ARIADNE_CHECK(it != values_.end());
  return it->second.source;
}

std::string Config::Print() const {
  std::string out = "# Effective configuration: flags > environment > file > defaults\n";
  for (const OptionSpec& spec : specs_) {
    const Value& v = values_.find(spec.key)->second;
    out += spec.key + ": ";
    if (spec.type == OptionType::kString) {
      // Quote strings so YAML reads them back verbatim.
      out += "\"";
      for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += "\"";
    } else {
      out += v.text;
    }
    out += "  # " + std::string(SourceName(v.source)) + "\n";
  }
  return out;
}

std::string Config::Help() const {
  std::string out;
  for (const OptionSpec& spec : specs_) {
    std::string flag = FlagName(spec.key);
    if (spec.type != OptionType::kBool) flag += " " + std::string(TypeName(spec.type));
    out += "  " + flag;
    out += flag.size() < 34 ? std::string(34 - flag.size(), ' ') : "\n" + std::string(36, ' ');
    out += spec.help;
    if (!spec.choices.empty()) {
      std::string allowed;
      for (const auto& c : spec.choices) allowed += (allowed.empty() ? "" : "|") + c;
      out += " (" + allowed + ")";
    }
    out += "\n" + std::string(36, ' ') +
           "[default: " + (spec.default_value.empty() ? "\"\"" : spec.default_value) + "; env " +
           EnvName(spec.key) + "]\n";
  }
  return out;
}

}  // namespace ariadne
