// ThriftReader: a bounds-checked reader for Thrift's binary and compact protocols, over bytes
// that are untrusted.
//
// Every declared length (strings, binary) and element count (lists, sets, maps) is checked against
// the bytes that remain before the caller can allocate anything for it: each element needs at
// least one byte on the wire (eight for a double, fixed widths in the binary protocol), so a
// 20-byte payload that declares 33 million elements fails at the header. Skip() walks unknown
// fields of every type, nested up to kMaxDepth. Errors are sticky: the first one is kept in
// error(), every later call returns false, and nothing throws.
//
// Types are reported with the binary protocol's numbering (kBool = 2 ... kList = 15) whatever
// the protocol, so the caller's code is protocol-independent. In the compact protocol, a bool
// field carries its value in the field header; ReadBool() returns it.
//
// Ownership: views returned by ReadBinary() point into the input, which must outlive them.
// Thread-safety: one reader per thread. Tested by jaeger_thrift_test.cc (ThriftReader.* and,
// through the decoder, every JaegerThrift.* case) and jaeger_thrift_diff_test.cc (Apache Thrift).
#ifndef ARIADNE_WIRE_JAEGER_THRIFT_READER_H_
#define ARIADNE_WIRE_JAEGER_THRIFT_READER_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "wire/jaeger/jaeger_thrift.h"

namespace ariadne {

enum ThriftType : uint8_t {
  kThriftStop = 0,
  kThriftBool = 2,
  kThriftByte = 3,
  kThriftDouble = 4,
  kThriftI16 = 6,
  kThriftI32 = 8,
  kThriftI64 = 10,
  kThriftString = 11,
  kThriftStruct = 12,
  kThriftMap = 13,
  kThriftSet = 14,
  kThriftList = 15,
};

class ThriftReader {
 public:
  static constexpr int kMaxDepth = 32;

  ThriftReader(std::string_view data, ThriftProtocol protocol) : data_(data), protocol_(protocol) {}

  // A message header (Agent.emitBatch): name, type (1 call, 4 oneway), sequence id.
  bool ReadMessageBegin(std::string_view* name, uint8_t* type, int32_t* seqid);
  // Structs nest: Begin/End keep the compact protocol's last-field-id stack.
  bool ReadStructBegin();
  bool ReadStructEnd();
  // *type == kThriftStop at the end of the struct.
  bool ReadFieldBegin(uint8_t* type, int16_t* id) {
    bool_pending_ = -1;
    if (protocol_ == ThriftProtocol::kBinary && ok() && remaining() >= 3) {
      auto t = static_cast<uint8_t>(data_[pos_]);
      *type = t;
      if (t == 0) {
        *id = 0;
        ++pos_;
        return true;
      }
      *id = static_cast<int16_t>((static_cast<uint8_t>(data_[pos_ + 1]) << 8) |
                                 static_cast<uint8_t>(data_[pos_ + 2]));
      pos_ += 3;
      return true;
    }
    if (protocol_ == ThriftProtocol::kCompact && ok() && remaining() >= 1) {
      // Short form: field-id delta in the high nibble, type in the low one.
      static constexpr uint8_t kCompactToType[16] = {0,  2,  2,  3,  6,  8,   10,  4,
                                                     11, 15, 14, 13, 12, 255, 255, 255};
      auto b = static_cast<uint8_t>(data_[pos_]);
      uint8_t ct = b & 0x0f;
      uint8_t delta = b >> 4;
      if (ct == 0) {
        *type = kThriftStop;
        *id = 0;
        ++pos_;
        return true;
      }
      if (delta != 0 && kCompactToType[ct] != 255) {
        ++pos_;
        *id = static_cast<int16_t>(last_field_id_ + delta);
        last_field_id_ = *id;
        *type = kCompactToType[ct];
        if (ct == 1 || ct == 2) bool_pending_ = ct == 1 ? 1 : 0;
        return true;
      }
    }
    return ReadFieldBeginSlow(type, id);
  }
  bool ReadListBegin(uint8_t* elem_type, uint32_t* count);  // also sets
  bool ReadMapBegin(uint8_t* key_type, uint8_t* value_type, uint32_t* count);
  bool ReadBool(bool* v);
  bool ReadByte(int8_t* v);
  bool ReadI16(int16_t* v);
  bool ReadI32(int32_t* v) {
    if (protocol_ == ThriftProtocol::kCompact) return ReadZigZag32(v);
    uint32_t x;
    if (!ReadRaw(&x)) return false;
    *v = static_cast<int32_t>(__builtin_bswap32(x));
    return true;
  }
  bool ReadI64(int64_t* v) {
    if (protocol_ == ThriftProtocol::kCompact) return ReadZigZag64(v);
    uint64_t x;
    if (!ReadRaw(&x)) return false;
    *v = static_cast<int64_t>(__builtin_bswap64(x));
    return true;
  }
  bool ReadDouble(double* v);
  bool ReadBinary(std::string_view* v);
  // Skips a value of the given type (and everything nested in it).
  bool Skip(uint8_t type) { return SkipDepth(type, 0); }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool Fail(std::string_view why);

 private:
  bool SkipDepth(uint8_t type, int depth);
  bool ReadFieldBeginSlow(uint8_t* type, int16_t* id);
  bool Need(size_t n) {
    if (!ok()) return false;
    if (n > remaining()) return Fail("truncated input");
    return true;
  }
  // Copies sizeof(T) bytes as they are (the caller fixes the byte order).
  template <typename T>
  bool ReadRaw(T* v) {
    if (!Need(sizeof(T))) return false;
    std::memcpy(v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool ReadVarint(uint64_t* v) {
    if (ok() && pos_ < data_.size() && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      *v = static_cast<uint8_t>(data_[pos_++]);
      return true;
    }
    return ReadVarintSlow(v);
  }
  bool ReadVarintSlow(uint64_t* v);
  bool ReadZigZag32(int32_t* v);
  bool ReadZigZag64(int64_t* v);
  bool BigEndian(size_t n, uint64_t* v);
  bool CompactToType(uint8_t compact, uint8_t* type);
  bool CheckCount(uint64_t count, uint8_t elem_type);
  size_t MinWireSize(uint8_t type) const;

  std::string_view data_;
  size_t pos_ = 0;
  ThriftProtocol protocol_;
  std::string error_;
  // Compact protocol state.
  int16_t last_field_id_ = 0;
  int16_t field_stack_[kMaxDepth + 1] = {};
  int stack_size_ = 0;
  int bool_pending_ = -1;  // -1 none, else 0/1 from a compact bool field header
};

}  // namespace ariadne

#endif  // ARIADNE_WIRE_JAEGER_THRIFT_READER_H_
