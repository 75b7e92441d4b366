// AttributeList: a span's attributes as variable-length records in one byte buffer that the span
// owns, so that SetAttribute is a key scan, one bounds check and a memcpy or two, and a recycled
// span stores the next span's attributes in the same buffer without allocating.
//
// Record layout (no alignment; fields are read with memcpy):
//   [uint32 key_size][uint32 value_size][uint8 type][key bytes][value bytes]
// Value bytes: bool 1 byte (0/1); int64 and double 8 bytes (host order); string the (already
// truncated) bytes; array a uint32 index into arrays_, a side vector of OwnedValue, since arrays
// are rare and readers already handle OwnedValue's vectors. Records keep insertion order;
// replacing a key's value rewrites its record in place (moving the records after it when the
// value's size changes), so a key appears once and keeps its position. A 64-bit filter of the
// keys (one bit each, from size and last byte) lets Set() append a new key without scanning the
// records; only a key whose bit is set is looked for.
//
// Limits (count, value length with a UTF-8-safe cut) are applied by Set(). Nothing throws:
// allocation failure makes Set() return false (the caller counts a dropped attribute). clear()
// keeps the buffer and frees the array side vector; capacity_bytes() is what a pool would keep.
//
// Reading: range-for yields AttributeRef {std::string_view key; AttributeValueRef value}, valid
// until the list is next modified. VisitValue(value, f) calls f with bool, int64_t, double,
// std::string_view or a const std::vector<T>& (T = bool, int64_t, double, std::string), for both
// AttributeValueRef and OwnedValue (events, links and resources keep vector<OwnedAttribute>), so
// exporters read all attributes with one generic code path. Thread-safety: none (one thread at a
// time, as for the span). Tested by tracer_test.cc.
#ifndef ARIADNE_SDK_ATTRIBUTE_LIST_H_
#define ARIADNE_SDK_ATTRIBUTE_LIST_H_

#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "ariadne/trace/attribute_value.h"

namespace ariadne::sdk {

using OwnedValue =
    std::variant<bool, int64_t, double, std::string, std::vector<bool>, std::vector<int64_t>,
                 std::vector<double>, std::vector<std::string>>;

struct OwnedAttribute {
  std::string key;
  OwnedValue value;
};

// Converts a view to an owned value, truncating strings to max_length (0 = unlimited) without
// splitting a UTF-8 sequence. May throw std::bad_alloc.
OwnedValue ToOwned(const trace::AttributeValue& value, uint32_t max_length);

// Calls f with the value as bool, int64_t, double, std::string_view or const std::vector<T>&.
template <typename F>
decltype(auto) VisitValue(const OwnedValue& v, F&& f) {
  return std::visit(
      [&f](const auto& x) -> decltype(auto) {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) {
          return f(std::string_view(x));
        } else {
          return f(x);
        }
      },
      v);
}

// A view of one value in an AttributeList.
class AttributeValueRef {
 public:
  enum class Type : uint8_t { kBool, kInt, kDouble, kString, kArray };

  AttributeValueRef(Type type, const char* data, uint32_t size,
                    const std::vector<OwnedValue>* arrays) noexcept
      : type_(type), size_(size), data_(data), arrays_(arrays) {}

  Type type() const noexcept { return type_; }
  template <typename F>
  decltype(auto) Visit(F&& f) const {
    switch (type_) {
      case Type::kBool:
        return f(data_[0] != 0);
      case Type::kInt:
        return f(Load<int64_t>());
      case Type::kDouble:
        return f(Load<double>());
      case Type::kString:
        return f(std::string_view(data_, size_));
      case Type::kArray:
        break;
    }
    return VisitValue((*arrays_)[Load<uint32_t>()], f);
  }
  // A copy (for tests and callers that keep values).
  OwnedValue ToOwned() const;

 private:
  template <typename T>
  T Load() const noexcept {
    T v;
    std::memcpy(&v, data_, sizeof v);
    return v;
  }

  Type type_;
  uint32_t size_;
  const char* data_;
  const std::vector<OwnedValue>* arrays_;
};

template <typename F>
decltype(auto) VisitValue(const AttributeValueRef& v, F&& f) {
  return v.Visit(f);
}

struct AttributeRef {
  std::string_view key;
  AttributeValueRef value;
};

class AttributeList {
 public:
  using Type = AttributeValueRef::Type;
  static constexpr size_t kHeaderSize = 9;  // key_size, value_size, type

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = AttributeRef;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = AttributeRef;

    Iterator(const AttributeList* list, size_t offset) noexcept : list_(list), offset_(offset) {}
    AttributeRef operator*() const noexcept { return list_->At(offset_); }
    Iterator& operator++() noexcept {
      offset_ += list_->RecordSize(offset_);
      return *this;
    }
    Iterator operator++(int) noexcept {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator& o) const noexcept { return offset_ == o.offset_; }
    bool operator!=(const Iterator& o) const noexcept { return offset_ != o.offset_; }

   private:
    const AttributeList* list_;
    size_t offset_;
  };

  AttributeList() = default;
  // Copies hold exactly the live records (and allocate; may throw std::bad_alloc).
  AttributeList(const AttributeList& other);
  AttributeList& operator=(const AttributeList& other);
  AttributeList(AttributeList&& other) noexcept;
  AttributeList& operator=(AttributeList&& other) noexcept;
  ~AttributeList() = default;

  // Sets or replaces key. A new key beyond count_limit, or an allocation failure, drops the
  // attribute: returns false. Strings (also in arrays) are cut to length_limit bytes (0 =
  // unlimited) at a UTF-8 boundary.
  [[nodiscard]] bool Set(std::string_view key, const trace::AttributeValue& value,
                         uint32_t count_limit, uint32_t length_limit) noexcept;
  // Drops the records; keeps the buffer (not the arrays).
  void clear() noexcept {
    size_ = 0;
    count_ = 0;
    key_bits_ = 0;
    if (arrays_.capacity() != 0) [[unlikely]]
      std::vector<OwnedValue>().swap(arrays_);
  }

  size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  Iterator begin() const noexcept { return Iterator(this, 0); }
  Iterator end() const noexcept { return Iterator(this, size_); }
  // The i-th attribute in insertion order (walks the records: O(i)).
  AttributeRef operator[](size_t i) const noexcept;
  // Bytes of the live records, and heap bytes this list holds (its buffer; arrays' elements
  // are estimated by their count).
  size_t size_bytes() const noexcept { return size_; }
  size_t capacity_bytes() const noexcept {
    return capacity_ + arrays_.capacity() * sizeof(OwnedValue);
  }
  // The buffer and how much of it to prefetch for a recycled span (its first four lines).
  const char* data() const noexcept { return data_.get(); }
  size_t prefetch_bytes() const noexcept { return capacity_ < 256 ? capacity_ : 256; }

 private:
  AttributeRef At(size_t offset) const noexcept {
    uint32_t key_size, value_size;
    const char* p = data_.get() + offset;
    std::memcpy(&key_size, p, 4);
    std::memcpy(&value_size, p + 4, 4);
    return AttributeRef{std::string_view(p + kHeaderSize, key_size),
                        AttributeValueRef(static_cast<Type>(p[8]), p + kHeaderSize + key_size,
                                          value_size, &arrays_)};
  }
  size_t RecordSize(size_t offset) const noexcept {
    uint32_t sizes[2];
    std::memcpy(sizes, data_.get() + offset, 8);
    return kHeaderSize + sizes[0] + size_t{sizes[1]};
  }
  // One of 64 bits per key (from its size and last byte): a key whose bit is not in key_bits_
  // has no record, so most Set() calls append without scanning the records.
  static uint64_t KeyBit(std::string_view key) noexcept {
    size_t n = key.size();
    size_t last = n != 0 ? static_cast<uint8_t>(key[n - 1]) : 0;
    return uint64_t{1} << ((n + last * 5) & 63);
  }
  // The offset of key's record, or size_ if it has none.
  size_t Find(std::string_view key) const noexcept;
  // Stores an array value in arrays_ (at *index if it is already an array's index, else at a
  // new one written to *index). False if out of memory.
  [[nodiscard]] bool StoreArray(const trace::AttributeValue& value, uint32_t length_limit,
                                bool reuse_index, uint32_t* index) noexcept;
  // Frees arrays_[index] when its record stops being an array (a replaced value), moving the
  // last array into its slot, so arrays_ holds exactly the live records' arrays however often a
  // key alternates between an array and a scalar.
  void ReleaseArray(uint32_t index) noexcept;
  // Makes room for a record of record_size bytes at offset, replacing old_size bytes there
  // (moving the records after them). Returns nullptr if the buffer cannot grow.
  [[nodiscard]] char* Splice(size_t offset, size_t old_size, size_t record_size) noexcept;

  std::unique_ptr<char[]> data_;
  uint32_t size_ = 0;      // bytes of live records
  uint32_t capacity_ = 0;  // bytes of data_
  uint32_t count_ = 0;     // live records
  uint64_t key_bits_ = 0;  // KeyBit of every live key
  std::vector<OwnedValue> arrays_;
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_ATTRIBUTE_LIST_H_
