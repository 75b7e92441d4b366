// Varint, zigzag and fixed-width little-endian helpers for the embedded store's formats.
// Readers are bounds-checked: they return false at the end of the input, never read past it.
// Thread-safety: stateless functions; a Reader belongs to one thread. Covered by
// batch_codec_test.cc and wal_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_VARINT_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_VARINT_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ariadne::embedded {

inline void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, static_cast<size_t>(n));
}
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
inline uint32_t GetFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Byte planes: unsigned values as one width byte w (0..8, the bytes of the largest value), then
// plane 0 (the lowest byte of every value), plane 1, ..., plane w-1. A column of similar
// values keeps its varying low bytes apart from its nearly constant high bytes, so zstd's entropy
// coding gets each close to its entropy (varints interleave them).
inline void PutPlanes(std::string* out, const std::vector<uint64_t>& values) {
  uint64_t all = 0;
  for (uint64_t v : values) all |= v;
  uint8_t width = 0;
  while (width < 8 && (all >> (8 * width)) != 0) ++width;
  out->push_back(static_cast<char>(width));
  for (uint8_t plane = 0; plane < width; ++plane) {
    for (uint64_t v : values) out->push_back(static_cast<char>(v >> (8 * plane)));
  }
}

// Bit packing (codec version 4): values of a known bit count, least significant bit first, into
// bytes filled from their lowest bit. The final byte is padded with zero bits; BitReader::done()
// accepts only the padding of a stream whose bit count the reader knows.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  // The low `bits` (0..64) bits of v; higher bits must be zero.
  void Put(uint64_t v, unsigned bits) {
    while (bits > 0) {
      if (used_ == 0) out_->push_back(0);
      const unsigned take = std::min(bits, 8 - used_);
      const uint64_t chunk = v & ((uint64_t{1} << take) - 1);
      out_->back() = static_cast<char>(static_cast<uint8_t>(out_->back()) | (chunk << used_));
      v = take == 64 ? 0 : v >> take;
      bits -= take;
      used_ = (used_ + take) % 8;
    }
  }

 private:
  std::string* out_;
  unsigned used_ = 0;  // bits used in the last byte (0: a new byte is needed)
};

class BitReader {
 public:
  explicit BitReader(std::string_view data) : data_(data) {}
  bool Get(unsigned bits, uint64_t* v) {
    if (bits > 64 || bits > remaining_bits()) return false;
    const size_t byte = bit_ / 8;
    const unsigned shift = bit_ % 8;
    if (bits > 0 && data_.size() - byte >= 9) {  // one 8-byte load (and a ninth byte)
      uint64_t result = GetFixed64(data_.data() + byte) >> shift;
      if (shift + bits > 64) {
        result |= static_cast<uint64_t>(static_cast<uint8_t>(data_[byte + 8])) << (64 - shift);
      }
      if (bits < 64) result &= (uint64_t{1} << bits) - 1;
      *v = result;
      bit_ += bits;
      return true;
    }
    uint64_t result = 0;
    unsigned got = 0;
    while (got < bits) {
      const unsigned in_byte = bit_ % 8;
      const unsigned take = std::min(bits - got, 8 - in_byte);
      const uint64_t in = static_cast<uint8_t>(data_[bit_ / 8]);
      result |= ((in >> in_byte) & ((uint64_t{1} << take) - 1)) << got;
      got += take;
      bit_ += take;
    }
    *v = result;
    return true;
  }
  uint64_t remaining_bits() const { return data_.size() * 8 - bit_; }
  // All bytes consumed; the unused bits of the last one are zero.
  bool done() const {
    if ((bit_ + 7) / 8 != data_.size()) return false;
    if (bit_ % 8 == 0) return true;
    return (static_cast<uint8_t>(data_.back()) >> (bit_ % 8)) == 0;
  }

 private:
  std::string_view data_;
  uint64_t bit_ = 0;
};

// Bit length: 0 for 0, else the position of the highest set bit plus one (1..64).
inline unsigned BitLength(uint64_t v) {
  return v == 0 ? 0 : 64 - static_cast<unsigned>(__builtin_clzll(v));
}

class Reader {
 public:
  Reader() = default;
  explicit Reader(std::string_view data) : data_(data) {}
  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Varint32(uint32_t* v) {
    uint64_t x;
    if (!Varint(&x) || x > 0xffffffffu) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Signed(int64_t* v) {
    uint64_t x;
    if (!Varint(&x)) return false;
    *v = UnZigZag(x);
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (data_.size() - pos_ < 8) return false;
    *v = GetFixed64(data_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool Raw(size_t n, std::string_view* out) {
    if (data_.size() - pos_ < n) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Bytes(std::string_view* out) {
    uint64_t n;
    return Varint(&n) && n <= data_.size() - pos_ && Raw(static_cast<size_t>(n), out);
  }
  bool Byte(uint8_t* b) {
    if (pos_ >= data_.size()) return false;
    *b = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  // n values written by PutPlanes.
  bool Planes(size_t n, std::vector<uint64_t>* out) {
    uint8_t width;
    if (!Byte(&width) || width > 8 || (width > 0 && n > (data_.size() - pos_) / width)) {
      return false;
    }
    out->assign(n, 0);
    for (uint8_t plane = 0; plane < width; ++plane) {
      for (size_t i = 0; i < n; ++i) {
        (*out)[i] |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_++])) << (8 * plane);
      }
    }
    return true;
  }
  bool done() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_VARINT_H_
