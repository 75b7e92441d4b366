// ThriftTestWriter: a minimal Thrift writer (binary and compact protocols) for tests and
// benchmarks that need payloads without Apache Thrift. Not used by production code.
//
// Writes exactly what the protocol specs say: binary = big-endian fixed widths, i32 lengths;
// compact = zigzag varints, field-id deltas, bools in the field header, little-endian doubles.
// Thread-safety: one writer per thread. Exercised by jaeger_benchmark.cc and
// jaeger_thrift_test.cc (compact cases).
#ifndef ARIADNE_WIRE_JAEGER_THRIFT_TEST_WRITER_H_
#define ARIADNE_WIRE_JAEGER_THRIFT_TEST_WRITER_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "wire/jaeger/thrift_reader.h"

namespace ariadne {

class ThriftTestWriter {
 public:
  explicit ThriftTestWriter(ThriftProtocol p) : p_(p) {}

  void StructBegin() {
    stack_.push_back(last_);
    last_ = 0;
  }
  void StructEnd() {
    Byte(0);  // stop
    last_ = stack_.back();
    stack_.pop_back();
  }
  void Field(uint8_t type, int16_t id) {
    if (p_ == ThriftProtocol::kBinary) {
      Byte(type);
      Be(static_cast<uint16_t>(id), 2);
      return;
    }
    WriteCompactFieldHeader(CompactType(type), id);
  }
  void BoolField(int16_t id, bool v) {
    if (p_ == ThriftProtocol::kBinary) {
      Field(kThriftBool, id);
      Byte(v ? 1 : 0);
      return;
    }
    WriteCompactFieldHeader(v ? 1 : 2, id);
  }
  void I32(int32_t v) {
    if (p_ == ThriftProtocol::kBinary) {
      Be(static_cast<uint32_t>(v), 4);
    } else {
      Varint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
    }
  }
  void I64(int64_t v) {
    if (p_ == ThriftProtocol::kBinary) {
      Be(static_cast<uint64_t>(v), 8);
    } else {
      Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
    }
  }
  void Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    if (p_ == ThriftProtocol::kBinary) {
      Be(bits, 8);
    } else {
      for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(bits >> (8 * i)));
    }
  }
  void String(std::string_view s) {
    if (p_ == ThriftProtocol::kBinary) {
      Be(static_cast<uint32_t>(s.size()), 4);
    } else {
      Varint(s.size());
    }
    out_.append(s);
  }
  void ListBegin(uint8_t elem, uint32_t n) {
    if (p_ == ThriftProtocol::kBinary) {
      Byte(elem);
      Be(n, 4);
      return;
    }
    uint8_t ct = CompactType(elem);
    if (n < 15) {
      Byte(static_cast<uint8_t>((n << 4) | ct));
    } else {
      Byte(static_cast<uint8_t>(0xf0 | ct));
      Varint(n);
    }
  }
  // Message header (Agent.emitBatch: type 4 = ONEWAY).
  void MessageBegin(std::string_view name, uint8_t type, int32_t seq) {
    if (p_ == ThriftProtocol::kBinary) {
      Be(0x80010000u | type, 4);
      String(name);
      I32(seq);
      return;
    }
    Byte(0x82);
    Byte(static_cast<uint8_t>((type << 5) | 1));
    Varint(static_cast<uint32_t>(seq));
    String(name);
  }

  const std::string& str() const { return out_; }

 private:
  static uint8_t CompactType(uint8_t t) {
    switch (t) {
      case kThriftBool:
        return 1;
      case kThriftByte:
        return 3;
      case kThriftI16:
        return 4;
      case kThriftI32:
        return 5;
      case kThriftI64:
        return 6;
      case kThriftDouble:
        return 7;
      case kThriftString:
        return 8;
      case kThriftList:
        return 9;
      case kThriftSet:
        return 10;
      case kThriftMap:
        return 11;
      default:
        return 12;
    }
  }
  void WriteCompactFieldHeader(uint8_t ct, int16_t id) {
    int delta = id - last_;
    if (delta > 0 && delta <= 15) {
      Byte(static_cast<uint8_t>((delta << 4) | ct));
    } else {
      Byte(ct);
      I32(id);  // zigzag varint (the i16 field id)
    }
    last_ = id;
  }
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      Byte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    Byte(static_cast<uint8_t>(v));
  }

  ThriftProtocol p_;
  std::string out_;
  int16_t last_ = 0;
  std::vector<int16_t> stack_;
};

}  // namespace ariadne

#endif  // ARIADNE_WIRE_JAEGER_THRIFT_TEST_WRITER_H_
