#include "wire/jaeger/thrift_reader.h"

#include <cstring>

namespace ariadne {
namespace {

// The compact protocol's type nibbles.
enum CompactType : uint8_t {
  kCtStop = 0,
  kCtBoolTrue = 1,
  kCtBoolFalse = 2,
  kCtByte = 3,
  kCtI16 = 4,
  kCtI32 = 5,
  kCtI64 = 6,
  kCtDouble = 7,
  kCtBinary = 8,
  kCtList = 9,
  kCtSet = 10,
  kCtMap = 11,
  kCtStruct = 12,
};

constexpr uint8_t kCompactProtocolId = 0x82;
constexpr uint8_t kCompactVersion = 1;
constexpr uint32_t kBinaryVersionMask = 0xffff0000u;
constexpr uint32_t kBinaryVersion1 = 0x80010000u;

}  // namespace

bool ThriftReader::Fail(std::string_view why) {
  if (error_.empty()) {
    error_.assign(why);
    error_ += " at byte " + std::to_string(pos_);
  }
  return false;
}

bool ThriftReader::BigEndian(size_t n, uint64_t* v) {
  if (!Need(n)) return false;
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i) x = (x << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += n;
  *v = x;
  return true;
}

bool ThriftReader::ReadVarintSlow(uint64_t* v) {
  if (!ok()) return false;
  uint64_t x = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return Fail("truncated varint");
    auto b = static_cast<uint8_t>(data_[pos_++]);
    if (shift == 63 && b > 1) return Fail("varint overflows 64 bits");
    x |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = x;
      return true;
    }
  }
  return Fail("varint longer than 10 bytes");
}

bool ThriftReader::ReadZigZag32(int32_t* v) {
  uint64_t x;
  if (!ReadVarint(&x)) return false;
  if (x > 0xffffffffu) return Fail("varint overflows 32 bits");
  auto u = static_cast<uint32_t>(x);
  *v = static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

bool ThriftReader::ReadZigZag64(int64_t* v) {
  uint64_t x;
  if (!ReadVarint(&x)) return false;
  *v = static_cast<int64_t>((x >> 1) ^ (~(x & 1) + 1));
  return true;
}

bool ThriftReader::CompactToType(uint8_t compact, uint8_t* type) {
  switch (compact) {
    case kCtBoolTrue:
    case kCtBoolFalse:
      *type = kThriftBool;
      return true;
    case kCtByte:
      *type = kThriftByte;
      return true;
    case kCtI16:
      *type = kThriftI16;
      return true;
    case kCtI32:
      *type = kThriftI32;
      return true;
    case kCtI64:
      *type = kThriftI64;
      return true;
    case kCtDouble:
      *type = kThriftDouble;
      return true;
    case kCtBinary:
      *type = kThriftString;
      return true;
    case kCtList:
      *type = kThriftList;
      return true;
    case kCtSet:
      *type = kThriftSet;
      return true;
    case kCtMap:
      *type = kThriftMap;
      return true;
    case kCtStruct:
      *type = kThriftStruct;
      return true;
    default:
      return Fail("unknown compact type " + std::to_string(compact));
  }
}

size_t ThriftReader::MinWireSize(uint8_t type) const {
  if (protocol_ == ThriftProtocol::kCompact) return type == kThriftDouble ? 8 : 1;
  switch (type) {
    case kThriftBool:
    case kThriftByte:
    case kThriftStruct:
      return 1;
    case kThriftI16:
      return 2;
    case kThriftI32:
    case kThriftString:
      return 4;
    case kThriftI64:
    case kThriftDouble:
      return 8;
    case kThriftList:
    case kThriftSet:
      return 5;
    case kThriftMap:
      return 6;
    default:
      return 1;
  }
}

bool ThriftReader::CheckCount(uint64_t count, uint8_t elem_type) {
  switch (elem_type) {
    case kThriftBool:
    case kThriftByte:
    case kThriftDouble:
    case kThriftI16:
    case kThriftI32:
    case kThriftI64:
    case kThriftString:
    case kThriftStruct:
    case kThriftMap:
    case kThriftSet:
    case kThriftList:
      break;
    default:
      return Fail("unknown element type " + std::to_string(elem_type));
  }
  // Division, not multiplication: count * size may overflow.
  if (count > remaining() / MinWireSize(elem_type)) {
    return Fail("declared " + std::to_string(count) + " elements, more than the input can hold");
  }
  return true;
}

bool ThriftReader::ReadMessageBegin(std::string_view* name, uint8_t* type, int32_t* seqid) {
  if (protocol_ == ThriftProtocol::kCompact) {
    if (!Need(2)) return false;
    auto id = static_cast<uint8_t>(data_[pos_]);
    auto vt = static_cast<uint8_t>(data_[pos_ + 1]);
    if (id != kCompactProtocolId) return Fail("not a compact protocol message");
    if ((vt & 0x1f) != kCompactVersion) return Fail("unsupported compact protocol version");
    pos_ += 2;
    *type = static_cast<uint8_t>((vt >> 5) & 0x07);
    uint64_t seq;
    if (!ReadVarint(&seq)) return false;
    *seqid = static_cast<int32_t>(static_cast<uint32_t>(seq));
    return ReadBinary(name);
  }
  int32_t first;
  if (!ReadI32(&first)) return false;
  if (first < 0) {
    auto u = static_cast<uint32_t>(first);
    if ((u & kBinaryVersionMask) != kBinaryVersion1) return Fail("bad binary protocol version");
    *type = static_cast<uint8_t>(u & 0xff);
    if (!ReadBinary(name)) return false;
    return ReadI32(seqid);
  }
  // Old non-strict form: the name's length came first.
  if (static_cast<size_t>(first) > remaining()) return Fail("declared name longer than input");
  *name = data_.substr(pos_, static_cast<size_t>(first));
  pos_ += static_cast<size_t>(first);
  int8_t t;
  if (!ReadByte(&t)) return false;
  *type = static_cast<uint8_t>(t);
  return ReadI32(seqid);
}

bool ThriftReader::ReadStructBegin() {
  if (!ok()) return false;
  if (stack_size_ >= kMaxDepth) return Fail("structs nested too deeply");
  field_stack_[stack_size_++] = last_field_id_;
  last_field_id_ = 0;
  return true;
}

bool ThriftReader::ReadStructEnd() {
  if (!ok()) return false;
  if (stack_size_ == 0) return Fail("unbalanced struct end");
  last_field_id_ = field_stack_[--stack_size_];
  return true;
}

bool ThriftReader::ReadFieldBeginSlow(uint8_t* type, int16_t* id) {
  if (!Need(1)) return false;
  auto b = static_cast<uint8_t>(data_[pos_++]);
  if (protocol_ == ThriftProtocol::kBinary) {
    *type = b;
    if (b == kThriftStop) {
      *id = 0;
      return true;
    }
    uint64_t v;
    if (!BigEndian(2, &v)) return false;
    *id = static_cast<int16_t>(static_cast<uint16_t>(v));
    return true;
  }
  uint8_t ct = b & 0x0f;
  if (ct == kCtStop) {
    *type = kThriftStop;
    *id = 0;
    return true;
  }
  uint8_t delta = b >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_field_id_ + delta);
  } else {
    int32_t v;
    if (!ReadZigZag32(&v)) return false;
    if (v < INT16_MIN || v > INT16_MAX) return Fail("field id out of range");
    *id = static_cast<int16_t>(v);
  }
  last_field_id_ = *id;
  if (!CompactToType(ct, type)) return false;
  if (ct == kCtBoolTrue || ct == kCtBoolFalse) bool_pending_ = ct == kCtBoolTrue ? 1 : 0;
  return true;
}

bool ThriftReader::ReadListBegin(uint8_t* elem_type, uint32_t* count) {
  if (protocol_ == ThriftProtocol::kBinary) {
    int8_t t;
    int32_t n;
    if (!ReadByte(&t) || !ReadI32(&n)) return false;
    if (n < 0) return Fail("negative list size");
    *elem_type = static_cast<uint8_t>(t);
    if (!CheckCount(static_cast<uint64_t>(n), *elem_type)) return false;
    *count = static_cast<uint32_t>(n);
    return true;
  }
  if (!Need(1)) return false;
  auto b = static_cast<uint8_t>(data_[pos_++]);
  uint64_t n = b >> 4;
  if (n == 15 && !ReadVarint(&n)) return false;
  if (n > INT32_MAX) return Fail("list size out of range");
  if (!CompactToType(b & 0x0f, elem_type)) return false;
  if (!CheckCount(n, *elem_type)) return false;
  *count = static_cast<uint32_t>(n);
  return true;
}

bool ThriftReader::ReadMapBegin(uint8_t* key_type, uint8_t* value_type, uint32_t* count) {
  if (protocol_ == ThriftProtocol::kBinary) {
    int8_t k, v;
    int32_t n;
    if (!ReadByte(&k) || !ReadByte(&v) || !ReadI32(&n)) return false;
    if (n < 0) return Fail("negative map size");
    *key_type = static_cast<uint8_t>(k);
    *value_type = static_cast<uint8_t>(v);
    // Each entry holds a key and a value: at least the key's size.
    if (!CheckCount(static_cast<uint64_t>(n), *key_type)) return false;
    if (!CheckCount(static_cast<uint64_t>(n), *value_type)) return false;
    *count = static_cast<uint32_t>(n);
    return true;
  }
  uint64_t n;
  if (!ReadVarint(&n)) return false;
  if (n > INT32_MAX) return Fail("map size out of range");
  *count = static_cast<uint32_t>(n);
  if (n == 0) {
    *key_type = *value_type = kThriftStop;
    return true;
  }
  if (!Need(1)) return false;
  auto b = static_cast<uint8_t>(data_[pos_++]);
  if (!CompactToType(b >> 4, key_type) || !CompactToType(b & 0x0f, value_type)) return false;
  return CheckCount(n, *key_type) && CheckCount(n, *value_type) && CheckCount(2 * n, kThriftByte);
}

bool ThriftReader::ReadBool(bool* v) {
  if (!ok()) return false;
  if (bool_pending_ >= 0) {
    *v = bool_pending_ == 1;
    bool_pending_ = -1;
    return true;
  }
  if (!Need(1)) return false;
  auto b = static_cast<uint8_t>(data_[pos_++]);
  *v = protocol_ == ThriftProtocol::kCompact ? b == kCtBoolTrue : b != 0;
  return true;
}

bool ThriftReader::ReadByte(int8_t* v) {
  if (!Need(1)) return false;
  *v = static_cast<int8_t>(data_[pos_++]);
  return true;
}

bool ThriftReader::ReadI16(int16_t* v) {
  if (protocol_ == ThriftProtocol::kCompact) {
    int32_t x;
    if (!ReadZigZag32(&x)) return false;
    if (x < INT16_MIN || x > INT16_MAX) return Fail("i16 out of range");
    *v = static_cast<int16_t>(x);
    return true;
  }
  uint64_t x;
  if (!BigEndian(2, &x)) return false;
  *v = static_cast<int16_t>(static_cast<uint16_t>(x));
  return true;
}

bool ThriftReader::ReadDouble(double* v) {
  uint64_t bits = 0;
  if (protocol_ == ThriftProtocol::kCompact) {
    // Little-endian on the wire.
    if (!Need(8)) return false;
    for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += 8;
  } else if (!BigEndian(8, &bits)) {
    return false;
  }
  std::memcpy(v, &bits, sizeof(bits));
  return true;
}

bool ThriftReader::ReadBinary(std::string_view* v) {
  uint64_t n;
  if (protocol_ == ThriftProtocol::kCompact) {
    if (!ReadVarint(&n)) return false;
  } else {
    int32_t len;
    if (!ReadI32(&len)) return false;
    if (len < 0) return Fail("negative string length");
    n = static_cast<uint64_t>(len);
  }
  if (n > remaining()) return Fail("declared string length exceeds input");
  *v = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool ThriftReader::SkipDepth(uint8_t type, int depth) {
  if (!ok()) return false;
  if (depth > kMaxDepth) return Fail("values nested too deeply");
  switch (type) {
    case kThriftBool: {
      bool b;
      return ReadBool(&b);
    }
    case kThriftByte: {
      int8_t b;
      return ReadByte(&b);
    }
    case kThriftI16: {
      int16_t x;
      return ReadI16(&x);
    }
    case kThriftI32: {
      int32_t x;
      return ReadI32(&x);
    }
    case kThriftI64: {
      int64_t x;
      return ReadI64(&x);
    }
    case kThriftDouble: {
      double d;
      return ReadDouble(&d);
    }
    case kThriftString: {
      std::string_view s;
      return ReadBinary(&s);
    }
    case kThriftStruct: {
      if (!ReadStructBegin()) return false;
      while (true) {
        uint8_t t;
        int16_t id;
        if (!ReadFieldBegin(&t, &id)) return false;
        if (t == kThriftStop) break;
        if (!SkipDepth(t, depth + 1)) return false;
      }
      return ReadStructEnd();
    }
    case kThriftList:
    case kThriftSet: {
      uint8_t et;
      uint32_t n;
      if (!ReadListBegin(&et, &n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        if (!SkipDepth(et, depth + 1)) return false;
      }
      return true;
    }
    case kThriftMap: {
      uint8_t kt, vt;
      uint32_t n;
      if (!ReadMapBegin(&kt, &vt, &n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        if (!SkipDepth(kt, depth + 1) || !SkipDepth(vt, depth + 1)) return false;
      }
      return true;
    }
    default:
      return Fail("cannot skip unknown type " + std::to_string(type));
  }
}

}  // namespace ariadne
