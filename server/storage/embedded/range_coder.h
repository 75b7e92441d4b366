// Adaptive binary range coder (codec version 5's timings, docs/formats/block.md "Codec version
// 5"): bits coded with a probability that adapts to what the same model saw before, so a field
// whose values follow a pattern costs less than its raw bits, and a random one about as much.
//
// Arithmetic (the format; decoders elsewhere must match it exactly): a probability is the chance
// of a 0 bit in units of 1/4096 (kProbBits = 12), initially 2048 (it stays in 15..4081). To code a
// bit with probability p: bound = (range >> 12) * p; a 0 keeps [low, low + bound) (range = bound)
// and p += (4096 - p) >> kAdaptShift; a 1 keeps the rest (low += bound, range -= bound) and
// p -= p >> kAdaptShift. While range < 2^24 the top byte of the 32-bit low is shifted out
// (range <<= 8, low <<= 8). The encoder's low has a 33rd bit for carries: a byte is held back
// while it might still be incremented by a carry (a pending byte and a run of 0xFF bytes).
// Finish shifts out five bytes, so the output is 5 bytes plus one per renormalisation, and its
// first byte is always 0. The decoder starts with range = 0xFFFFFFFF and code = the first five
// bytes big-endian (the first must be 0), compares code with bound, subtracts and shifts the
// same way, and reads exactly the bytes the encoder wrote.
//
// Untrusted input: the decoder never reads past its input (a read past the end yields 0 and
// marks the stream bad); Finish() is true only if the first byte was 0, every byte was read and
// no read went past the end, and code < range (an invariant valid streams keep). Callers decode
// a bounded number of bits per item, so a corrupt stream cannot make them loop.
// Thread-safety: an encoder or decoder belongs to one thread. Tested by range_coder_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_RANGE_CODER_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_RANGE_CODER_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ariadne::embedded {

constexpr int kProbBits = 12;
constexpr uint32_t kProbOne = uint32_t{1} << kProbBits;
constexpr uint16_t kProbInit = kProbOne / 2;
constexpr int kAdaptShift = 4;  // 5 adapts too slowly for a page's ~1000 values (measured)
constexpr uint32_t kRangeTop = uint32_t{1} << 24;

class RangeEncoder {
 public:
  explicit RangeEncoder(std::string* out) : out_(out) {}

  // Codes bit (0 or 1) with the model *p and adapts *p.
  void Bit(uint16_t* p, uint32_t bit) {
    const uint32_t bound = (range_ >> kProbBits) * *p;
    if (bit == 0) {
      range_ = bound;
      *p = static_cast<uint16_t>(*p + ((kProbOne - *p) >> kAdaptShift));
    } else {
      low_ += bound;
      range_ -= bound;
      *p = static_cast<uint16_t>(*p - (*p >> kAdaptShift));
    }
    while (range_ < kRangeTop) {
      range_ <<= 8;
      ShiftLow();
    }
  }
  // Writes the last bytes; nothing may be coded after.
  void Finish() {
    for (int i = 0; i < 5; ++i) ShiftLow();
  }

 private:
  void ShiftLow() {
    if (low_ < 0xFF000000u || low_ >= (uint64_t{1} << 32)) {
      const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
      out_->push_back(static_cast<char>(static_cast<uint8_t>(cache_ + carry)));
      for (; pending_ff_ > 0; --pending_ff_) {
        out_->push_back(static_cast<char>(static_cast<uint8_t>(0xFF + carry)));
      }
      cache_ = static_cast<uint8_t>(low_ >> 24);
    } else {
      ++pending_ff_;  // the byte is 0xFF: a later carry would ripple through it
    }
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  std::string* out_;
  uint64_t low_ = 0;  // 32 bits plus a carry bit
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;        // the byte held back (the first one written is this 0)
  uint64_t pending_ff_ = 0;  // 0xFF bytes held back after it
};

class RangeDecoder {
 public:
  explicit RangeDecoder(std::string_view in) : in_(in) {
    ok_ = Next() == 0;
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | Next();
  }

  // The next bit, decoded with the model *p (adapted as the encoder did).
  // Written without a branch on the bit (conditional moves): the bits of a well-coded stream
  // are unpredictable, and mispredicted branches were most of the decoder's cost.
  uint32_t Bit(uint16_t* p) {
    const uint32_t prob = *p;
    const uint32_t bound = (range_ >> kProbBits) * prob;
    const uint32_t bit = code_ >= bound ? 1 : 0;
    const uint32_t mask = 0 - bit;
    code_ -= bound & mask;
    range_ = (bound & ~mask) | ((range_ - bound) & mask);
    const uint32_t if_zero = prob + ((kProbOne - prob) >> kAdaptShift);
    const uint32_t if_one = prob - (prob >> kAdaptShift);
    *p = static_cast<uint16_t>((if_zero & ~mask) | (if_one & mask));
    while (range_ < kRangeTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | Next();
    }
    return bit;
  }
  // True if the stream was well formed and consumed exactly.
  bool Finish() const { return ok_ && pos_ == in_.size() && code_ < range_; }

 private:
  uint32_t Next() {
    if (pos_ >= in_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<uint8_t>(in_[pos_++]);
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  uint32_t code_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
};

// An adaptive model of kBits-bit symbols: a binary tree of bit models, most significant bit
// first (node 1 is the root, a node's children are 2n and 2n + 1).
template <int kBits>
class BitTree {
 public:
  static_assert(kBits >= 1 && kBits <= 16);
  BitTree() { probs_.fill(kProbInit); }
  void Encode(RangeEncoder* rc, uint32_t symbol) {
    uint32_t node = 1;
    for (int i = kBits - 1; i >= 0; --i) {
      const uint32_t bit = (symbol >> i) & 1;
      rc->Bit(&probs_[node], bit);
      node = node * 2 + bit;
    }
  }
  uint32_t Decode(RangeDecoder* rc) {
    uint32_t node = 1;
    for (int i = 0; i < kBits; ++i) node = node * 2 + rc->Bit(&probs_[node]);
    return node - (uint32_t{1} << kBits);
  }

 private:
  std::array<uint16_t, (size_t{1} << kBits)> probs_;
};

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_RANGE_CODER_H_
