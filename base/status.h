// Status and StatusOr<T>: how every expected error travels in Ariadne.
//
// Error policy (docs/architecture.md#error-policy): anything caused by network input, disk or the
// clock is an expected error and is returned as a Status; a broken invariant aborts through
// ARIADNE_CHECK. Both types are [[nodiscard]], so dropping an error needs an explicit, searchable
// IgnoreError() call. An OK Status holds no allocation; an error holds a code and a message.
//
// Thread-safety: values, like std::string. Tested by status_test.cc.
#ifndef ARIADNE_BASE_STATUS_H_
#define ARIADNE_BASE_STATUS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ariadne {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // Malformed input from a client: never retry as is.
  kNotFound,         // The thing asked for does not exist.
  kAlreadyExists,
  kOutOfRange,
  kResourceExhausted,  // A limit was hit (size, memory, rate): retry later or send less.
  kUnavailable,        // Temporarily refusing (disk full, shutting down): retry later.
  kDeadlineExceeded,
  kFailedPrecondition,
  kUnimplemented,
  kDataLoss,  // Stored data is corrupt.
  kIoError,   // The operating system refused a file operation.
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string_view message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string_view m) { return {StatusCode::kInvalidArgument, m}; }
  static Status NotFound(std::string_view m) { return {StatusCode::kNotFound, m}; }
  static Status AlreadyExists(std::string_view m) { return {StatusCode::kAlreadyExists, m}; }
  static Status OutOfRange(std::string_view m) { return {StatusCode::kOutOfRange, m}; }
  static Status ResourceExhausted(std::string_view m) {
    return {StatusCode::kResourceExhausted, m};
  }
  static Status Unavailable(std::string_view m) { return {StatusCode::kUnavailable, m}; }
  static Status DeadlineExceeded(std::string_view m) { return {StatusCode::kDeadlineExceeded, m}; }
  static Status FailedPrecondition(std::string_view m) {
    return {StatusCode::kFailedPrecondition, m};
  }
  static Status Unimplemented(std::string_view m) { return {StatusCode::kUnimplemented, m}; }
  static Status DataLoss(std::string_view m) { return {StatusCode::kDataLoss, m}; }
  static Status IoError(std::string_view m) { return {StatusCode::kIoError, m}; }
  static Status Internal(std::string_view m) { return {StatusCode::kInternal, m}; }
  // An IoError whose message names the path and the errno text.
  static Status FromErrno(std::string_view context, int err);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }
  // "OK" or "NAME: message".
  std::string ToString() const;
  // Returns a copy whose message is prefixed with "context: ".
  Status WithContext(std::string_view context) const;
  // Marks an error as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

// Holds either a value or an error Status (never an OK Status without a value).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : v_(status) { CheckNotOk(); }        // NOLINT: implicit by design
  StatusOr(Status&& status) : v_(std::move(status)) { CheckNotOk(); }  // NOLINT
  StatusOr(const T& value) : v_(value) {}                              // NOLINT
  StatusOr(T&& value) : v_(std::move(value)) {}                        // NOLINT

  bool ok() const { return v_.index() == 1; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<0>(v_);
  }
  const T& value() const& {
    CheckOk();
    return std::get<1>(v_);
  }
  T& value() & {
    CheckOk();
    return std::get<1>(v_);
  }
  T&& value() && {
    CheckOk();
    return std::get<1>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  void IgnoreError() const {}

 private:
  void CheckNotOk() const {
    if (std::get<0>(v_).ok()) {
      std::fputs("StatusOr constructed from an OK Status\n", stderr);
      std::abort();
    }
  }
  void CheckOk() const {
    if (!ok()) {
      std::fprintf(stderr, "StatusOr::value() on error: %s\n", std::get<0>(v_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<Status, T> v_;
};

}  // namespace ariadne

// Aborts with file, line and message when an invariant does not hold. Never for input errors.
#define ARIADNE_CHECK(cond)                                                         \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#define ARIADNE_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::ariadne::Status _ariadne_st = (expr);    \
    if (!_ariadne_st.ok()) return _ariadne_st; \
  } while (0)

#define ARIADNE_CONCAT_INNER(a, b) a##b
#define ARIADNE_CONCAT(a, b) ARIADNE_CONCAT_INNER(a, b)
#define ARIADNE_ASSIGN_OR_RETURN(lhs, expr) \
  ARIADNE_ASSIGN_OR_RETURN_IMPL(ARIADNE_CONCAT(_ariadne_so_, __LINE__), lhs, expr)
#define ARIADNE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // ARIADNE_BASE_STATUS_H_
