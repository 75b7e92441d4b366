// Structured logging: a message plus key=value fields, at a level.
//
//   ARIADNE_LOG(kInfo, "listening").Field("addr", host).Field("port", port);
//
// The record is written when the statement ends, as one line: human-readable on a terminal
// ("2026-11-22T10:00:00.123Z INFO  listening addr=127.0.0.1 port=4317") or one JSON object per
// line when asked (--log-format json). Records below the current level cost one comparison.
// Thread-safe: lines from different threads never interleave. Tested by logging_test.cc.
#ifndef ARIADNE_BASE_LOGGING_H_
#define ARIADNE_BASE_LOGGING_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace ariadne {

enum class LogLevel : uint8_t { kDebug = 0, kInfo, kWarn, kError, kOff };
enum class LogFormat : uint8_t { kText, kJson };

// Parses "debug", "info", "warn", "error", "off". Returns false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

// Process-wide settings. The sink receives whole lines without the trailing newline; the default
// writes to stderr. Set them at start-up, before threads log.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void SetLogFormat(LogFormat format);
void SetLogSink(std::function<void(std::string_view line)> sink);  // nullptr restores stderr

class LogRecord {
 public:
  LogRecord(LogLevel level, std::string_view message);
  ~LogRecord();
  LogRecord(const LogRecord&) = delete;
  LogRecord& operator=(const LogRecord&) = delete;

  LogRecord& Field(std::string_view key, std::string_view value);
  LogRecord& Field(std::string_view key, const char* value) {
    return Field(key, std::string_view(value));
  }
  LogRecord& Field(std::string_view key, const std::string& value) {
    return Field(key, std::string_view(value));
  }
  LogRecord& Field(std::string_view key, bool value);
  LogRecord& Field(std::string_view key, double value);
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I>>>
  LogRecord& Field(std::string_view key, I value) {
    if constexpr (std::is_signed_v<I>) {
      return FieldInt(key, static_cast<int64_t>(value));
    } else {
      return FieldUint(key, static_cast<uint64_t>(value));
    }
  }

 private:
  LogRecord& FieldInt(std::string_view key, int64_t value);
  LogRecord& FieldUint(std::string_view key, uint64_t value);
  void AppendKey(std::string_view key);
  void AppendRaw(std::string_view key, std::string_view raw_value);

  LogLevel level_;
  LogFormat format_;
  std::string line_;
};

}  // namespace ariadne

#define ARIADNE_LOG(level, message)                            \
  if (::ariadne::LogLevel::level < ::ariadne::GetLogLevel()) { \
  } else                                                       \
    ::ariadne::LogRecord(::ariadne::LogLevel::level, message)

#endif  // ARIADNE_BASE_LOGGING_H_
