// AttributeValue: a non-owning view of any OpenTelemetry attribute value (bool, integer, double,
// string, or a homogeneous array of those), and KeyValue.
//
// Views only: the referenced strings and arrays must outlive the call that receives them; the
// SDK copies what it keeps. Implicit constructors make `span.SetAttribute("k", 42)` and
// `{{"k", "v"}, {"n", 1.5}}` work. Header-only, noexcept. Tested by api_test.cc.
#ifndef ARIADNE_TRACE_ATTRIBUTE_VALUE_H_
#define ARIADNE_TRACE_ATTRIBUTE_VALUE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace ariadne::trace {

class AttributeValue {
 public:
  enum class Type : uint8_t {
    kBool,
    kInt,
    kDouble,
    kString,
    kBoolArray,
    kIntArray,
    kDoubleArray,
    kStringArray,     // std::string_view elements
    kStdStringArray,  // std::string elements
  };

  AttributeValue(bool v) noexcept : type_(Type::kBool) { u_.b = v; }  // NOLINT
  template <typename I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool> &&
                                             !std::is_same_v<I, char>,
                                         int> = 0>
  AttributeValue(I v) noexcept : type_(Type::kInt) {  // NOLINT
    u_.i = static_cast<int64_t>(v);
  }
  AttributeValue(double v) noexcept : type_(Type::kDouble) { u_.d = v; }             // NOLINT
  AttributeValue(float v) noexcept : type_(Type::kDouble) { u_.d = v; }              // NOLINT
  AttributeValue(std::string_view v) noexcept : type_(Type::kString) { SetStr(v); }  // NOLINT
  AttributeValue(const char* v) noexcept : type_(Type::kString) {                    // NOLINT
    SetStr(v ? std::string_view(v) : std::string_view());
  }
  AttributeValue(const std::string& v) noexcept : type_(Type::kString) { SetStr(v); }  // NOLINT
  AttributeValue(std::span<const bool> v) noexcept : type_(Type::kBoolArray) {         // NOLINT
    SetArr(v.data(), v.size());
  }
  AttributeValue(std::span<const int64_t> v) noexcept : type_(Type::kIntArray) {  // NOLINT
    SetArr(v.data(), v.size());
  }
  AttributeValue(std::span<const double> v) noexcept : type_(Type::kDoubleArray) {  // NOLINT
    SetArr(v.data(), v.size());
  }
  AttributeValue(std::span<const std::string_view> v) noexcept  // NOLINT
      : type_(Type::kStringArray) {
    SetArr(v.data(), v.size());
  }
  AttributeValue(std::span<const std::string> v) noexcept  // NOLINT
      : type_(Type::kStdStringArray) {
    SetArr(v.data(), v.size());
  }

  Type type() const noexcept { return type_; }
  bool bool_value() const noexcept { return u_.b; }
  int64_t int_value() const noexcept { return u_.i; }
  double double_value() const noexcept { return u_.d; }
  std::string_view string_value() const noexcept {
    return std::string_view(static_cast<const char*>(u_.a.p), u_.a.n);
  }
  size_t array_size() const noexcept { return u_.a.n; }
  std::span<const bool> bool_array() const noexcept { return Arr<bool>(); }
  std::span<const int64_t> int_array() const noexcept { return Arr<int64_t>(); }
  std::span<const double> double_array() const noexcept { return Arr<double>(); }
  std::span<const std::string_view> string_array() const noexcept {
    return Arr<std::string_view>();
  }
  std::span<const std::string> std_string_array() const noexcept { return Arr<std::string>(); }

 private:
  void SetStr(std::string_view s) noexcept {
    u_.a.p = s.data();
    u_.a.n = s.size();
  }
  void SetArr(const void* p, size_t n) noexcept {
    u_.a.p = p;
    u_.a.n = n;
  }
  template <typename T>
  std::span<const T> Arr() const noexcept {
    return std::span<const T>(static_cast<const T*>(u_.a.p), u_.a.n);
  }

  Type type_;
  union U {
    bool b;
    int64_t i;
    double d;
    struct {
      const void* p;
      size_t n;
    } a;
  } u_{};
};

struct KeyValue {
  std::string_view key;
  AttributeValue value;
};

}  // namespace ariadne::trace

#endif  // ARIADNE_TRACE_ATTRIBUTE_VALUE_H_
