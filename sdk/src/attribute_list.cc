#include "ariadne/sdk/attribute_list.h"

#include <algorithm>
#include <new>
#include <utility>

#include "base/short_bytes.h"
#include "base/utf8.h"

namespace ariadne::sdk {

using trace::AttributeValue;

namespace {
// The length limit is in bytes; a cut never splits a UTF-8 code point (it may then keep up to 3
// bytes fewer). Strings within the limit (the common case) pay one comparison.
std::string_view TruncateView(std::string_view s, uint32_t max_length) {
  if (max_length != 0) s = TruncateUtf8(s, max_length);
  return s;
}

std::string Truncate(std::string_view s, uint32_t max_length) {
  return std::string(TruncateView(s, max_length));
}

// The first buffer holds a typical span's attributes (4-6 short ones); it doubles from there.
constexpr size_t kInitialBytes = 128;
// Offsets and sizes are 32-bit.
constexpr size_t kMaxBytes = 0x7fffffff;
}  // namespace

OwnedValue ToOwned(const AttributeValue& v, uint32_t max_length) {
  switch (v.type()) {
    case AttributeValue::Type::kBool:
      return v.bool_value();
    case AttributeValue::Type::kInt:
      return v.int_value();
    case AttributeValue::Type::kDouble:
      return v.double_value();
    case AttributeValue::Type::kString:
      return Truncate(v.string_value(), max_length);
    case AttributeValue::Type::kBoolArray: {
      auto a = v.bool_array();
      return std::vector<bool>(a.begin(), a.end());
    }
    case AttributeValue::Type::kIntArray: {
      auto a = v.int_array();
      return std::vector<int64_t>(a.begin(), a.end());
    }
    case AttributeValue::Type::kDoubleArray: {
      auto a = v.double_array();
      return std::vector<double>(a.begin(), a.end());
    }
    case AttributeValue::Type::kStringArray: {
      std::vector<std::string> out;
      out.reserve(v.array_size());
      for (std::string_view s : v.string_array()) out.push_back(Truncate(s, max_length));
      return out;
    }
    case AttributeValue::Type::kStdStringArray: {
      std::vector<std::string> out;
      out.reserve(v.array_size());
      for (const std::string& s : v.std_string_array()) out.push_back(Truncate(s, max_length));
      return out;
    }
  }
  return false;
}

OwnedValue AttributeValueRef::ToOwned() const {
  return Visit([](const auto& x) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, std::string_view>) {
      return OwnedValue(std::in_place_type<std::string>, x);
    } else {
      return OwnedValue(std::in_place_type<T>, x);
    }
  });
}

AttributeList::AttributeList(const AttributeList& other)
    : size_(other.size_),
      capacity_(other.size_),
      count_(other.count_),
      key_bits_(other.key_bits_),
      arrays_(other.arrays_) {
  if (size_ != 0) {
    data_.reset(new char[size_]);
    std::memcpy(data_.get(), other.data_.get(), size_);
  }
}

AttributeList& AttributeList::operator=(const AttributeList& other) {
  if (this != &other) *this = AttributeList(other);
  return *this;
}

AttributeList::AttributeList(AttributeList&& other) noexcept
    : data_(std::move(other.data_)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      count_(std::exchange(other.count_, 0)),
      key_bits_(std::exchange(other.key_bits_, 0)),
      arrays_(std::move(other.arrays_)) {}

AttributeList& AttributeList::operator=(AttributeList&& other) noexcept {
  data_ = std::move(other.data_);
  size_ = std::exchange(other.size_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  count_ = std::exchange(other.count_, 0);
  key_bits_ = std::exchange(other.key_bits_, 0);
  arrays_ = std::move(other.arrays_);
  return *this;
}

AttributeRef AttributeList::operator[](size_t i) const noexcept {
  size_t offset = 0;
  for (; i > 0; --i) offset += RecordSize(offset);
  return At(offset);
}

char* AttributeList::Splice(size_t offset, size_t old_size, size_t record_size) noexcept {
  const size_t tail = size_ - offset - old_size;
  const size_t total = size_ - old_size + record_size;
  if (total > capacity_) {
    if (total > kMaxBytes) return nullptr;
    size_t cap = std::max<size_t>(kInitialBytes, size_t{capacity_} * 2);
    while (cap < total) cap *= 2;
    cap = std::min(cap, kMaxBytes);
    char* fresh = new (std::nothrow) char[cap];
    if (fresh == nullptr) return nullptr;
    if (offset != 0) std::memcpy(fresh, data_.get(), offset);
    if (tail != 0) std::memcpy(fresh + offset + record_size, data_.get() + offset + old_size, tail);
    data_.reset(fresh);
    capacity_ = static_cast<uint32_t>(cap);
  } else if (tail != 0 && old_size != record_size) {
    std::memmove(data_.get() + offset + record_size, data_.get() + offset + old_size, tail);
  }
  size_ = static_cast<uint32_t>(total);
  return data_.get() + offset;
}

size_t AttributeList::Find(std::string_view key) const noexcept {
  const char* base = data_.get();
  size_t offset = 0;
  while (offset < size_) {
    uint32_t sizes[2];
    std::memcpy(sizes, base + offset, 8);
    if (sizes[0] == key.size() &&
        EqualShortBytes(base + offset + kHeaderSize, key.data(), key.size())) {
      return offset;
    }
    offset += kHeaderSize + sizes[0] + size_t{sizes[1]};
  }
  return size_;
}

bool AttributeList::StoreArray(const AttributeValue& value, uint32_t length_limit, bool reuse_index,
                               uint32_t* index) noexcept {
  try {
    OwnedValue owned = ToOwned(value, length_limit);
    if (reuse_index) {
      arrays_[*index] = std::move(owned);
    } else {
      arrays_.push_back(std::move(owned));
      *index = static_cast<uint32_t>(arrays_.size() - 1);
    }
    return true;
  } catch (...) {
    return false;
  }
}

void AttributeList::ReleaseArray(uint32_t index) noexcept {
  const uint32_t last = static_cast<uint32_t>(arrays_.size() - 1);
  if (index != last) {
    // The last array moves into the freed slot; its record is renamed.
    arrays_[index] = std::move(arrays_[last]);
    char* base = data_.get();
    for (size_t offset = 0; offset < size_; offset += RecordSize(offset)) {
      uint32_t key_size, held;
      std::memcpy(&key_size, base + offset, 4);
      if (static_cast<Type>(base[offset + 8]) != Type::kArray) continue;
      std::memcpy(&held, base + offset + kHeaderSize + key_size, 4);
      if (held == last) {
        std::memcpy(base + offset + kHeaderSize + key_size, &index, 4);
        break;
      }
    }
  }
  arrays_.pop_back();
}

bool AttributeList::Set(std::string_view key, const AttributeValue& value, uint32_t count_limit,
                        uint32_t length_limit) noexcept {
  // The value's bytes: scalars in `scalar`, strings where the caller has them.
  char scalar[8];
  const char* bytes = scalar;
  size_t value_size;
  Type type;
  switch (value.type()) {
    case AttributeValue::Type::kBool:
      type = Type::kBool;
      scalar[0] = value.bool_value() ? 1 : 0;
      value_size = 1;
      break;
    case AttributeValue::Type::kInt: {
      type = Type::kInt;
      int64_t v = value.int_value();
      std::memcpy(scalar, &v, 8);
      value_size = 8;
      break;
    }
    case AttributeValue::Type::kDouble: {
      type = Type::kDouble;
      double v = value.double_value();
      std::memcpy(scalar, &v, 8);
      value_size = 8;
      break;
    }
    case AttributeValue::Type::kString: {
      type = Type::kString;
      std::string_view s = TruncateView(value.string_value(), length_limit);
      bytes = s.data();
      value_size = s.size();
      break;
    }
    default:
      type = Type::kArray;
      value_size = 4;
      break;
  }
  if (key.size() > kMaxBytes || value_size > kMaxBytes) return false;
  const size_t record_size = kHeaderSize + key.size() + value_size;

  char* p;
  const uint64_t bit = KeyBit(key);
  const size_t offset = (key_bits_ & bit) != 0 ? Find(key) : size_;
  if (offset == size_) {  // a new key: append
    if (count_ >= count_limit) return false;
    uint32_t index;
    if (type == Type::kArray) [[unlikely]] {
      if (!StoreArray(value, length_limit, false, &index)) return false;
      std::memcpy(scalar, &index, 4);
    }
    if (size_ + record_size <= capacity_) {
      p = data_.get() + size_;
      size_ += static_cast<uint32_t>(record_size);
    } else {
      p = Splice(size_, 0, record_size);
      if (p == nullptr) return false;
    }
    ++count_;
    key_bits_ |= bit;
  } else {  // a replacement, in place
    uint32_t sizes[2];
    std::memcpy(sizes, data_.get() + offset, 8);
    const size_t old_size = kHeaderSize + sizes[0] + size_t{sizes[1]};
    const bool was_array = static_cast<Type>(data_[offset + 8]) == Type::kArray;
    if (type == Type::kArray) [[unlikely]] {
      uint32_t index;
      if (was_array) std::memcpy(&index, data_.get() + offset + kHeaderSize + sizes[0], 4);
      if (!StoreArray(value, length_limit, was_array, &index)) return false;
      std::memcpy(scalar, &index, 4);
    } else if (was_array) [[unlikely]] {
      uint32_t index;
      std::memcpy(&index, data_.get() + offset + kHeaderSize + sizes[0], 4);
      ReleaseArray(index);
    }
    p = record_size == old_size ? data_.get() + offset : Splice(offset, old_size, record_size);
    if (p == nullptr) return false;
  }
  const uint32_t header[2] = {static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value_size)};
  std::memcpy(p, header, 8);
  p[8] = static_cast<char>(type);
  CopyShortBytes(p + kHeaderSize, key.data(), key.size());
  CopyShortBytes(p + kHeaderSize + key.size(), bytes, value_size);
  return true;
}

}  // namespace ariadne::sdk
