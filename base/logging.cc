#include "base/logging.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "base/json_string.h"

namespace ariadne {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_sink_mu;
std::function<void(std::string_view)>& Sink() {
  static auto* sink = new std::function<void(std::string_view)>();
  return *sink;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "?";
}

void AppendTimestamp(std::string* out) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  out->append(buf);
}

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    // Non-ASCII too: quoted values go through AppendJsonString, which replaces invalid UTF-8.
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

void SetLogLevel(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel GetLogLevel() { return g_level.load(std::memory_order_relaxed); }
void SetLogFormat(LogFormat format) { g_format.store(format, std::memory_order_relaxed); }
void SetLogSink(std::function<void(std::string_view)> sink) {
  std::lock_guard<std::mutex> lock(g_sink_mu);
  Sink() = std::move(sink);
}

LogRecord::LogRecord(LogLevel level, std::string_view message)
    : level_(level), format_(g_format.load(std::memory_order_relaxed)) {
  line_.reserve(160);
  if (format_ == LogFormat::kJson) {
    line_.append("{\"ts\":\"");
    AppendTimestamp(&line_);
    line_.append("\",\"level\":\"");
    line_.append(LevelName(level));
    line_.append("\",\"msg\":");
    AppendJsonString(&line_, message);
  } else {
    AppendTimestamp(&line_);
    line_.push_back(' ');
    std::string_view name = LevelName(level);
    for (char c : name) line_.push_back(static_cast<char>(c - 32));  // upper case
    line_.append(6 - name.size(), ' ');
    line_.append(message);
  }
}

void LogRecord::AppendKey(std::string_view key) {
  if (format_ == LogFormat::kJson) {
    line_.push_back(',');
    AppendJsonString(&line_, key);
    line_.push_back(':');
  } else {
    line_.push_back(' ');
    line_.append(key);
    line_.push_back('=');
  }
}

void LogRecord::AppendRaw(std::string_view key, std::string_view raw_value) {
  AppendKey(key);
  line_.append(raw_value);
}

LogRecord& LogRecord::Field(std::string_view key, std::string_view value) {
  AppendKey(key);
  if (format_ == LogFormat::kJson || NeedsQuotes(value)) {
    AppendJsonString(&line_, value);
  } else {
    line_.append(value);
  }
  return *this;
}

LogRecord& LogRecord::Field(std::string_view key, bool value) {
  AppendRaw(key, value ? "true" : "false");
  return *this;
}

LogRecord& LogRecord::Field(std::string_view key, double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  AppendRaw(key, buf);
  return *this;
}

LogRecord& LogRecord::FieldInt(std::string_view key, int64_t value) {
  AppendRaw(key, std::to_string(value));
  return *this;
}

LogRecord& LogRecord::FieldUint(std::string_view key, uint64_t value) {
  AppendRaw(key, std::to_string(value));
  return *this;
}

LogRecord::~LogRecord() {
  if (format_ == LogFormat::kJson) line_.push_back('}');
  std::lock_guard<std::mutex> lock(g_sink_mu);
  if (Sink()) {
    Sink()(line_);
  } else {
    line_.push_back('\n');
    std::fwrite(line_.data(), 1, line_.size(), stderr);
  }
}

}  // namespace ariadne
