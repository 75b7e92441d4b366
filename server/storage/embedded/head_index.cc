#include "server/storage/embedded/head_index.h"

#include <algorithm>
#include <random>

#include <xxhash.h>

namespace ariadne::embedded {
namespace {

// Drawn once per process: collisions cannot be planned from outside.
uint64_t Seed() {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

constexpr size_t kMinSlots = 16;

// Table size for n traces at a load of at most 5/8.
size_t SlotsFor(size_t n) {
  size_t slots = kMinSlots;
  while (slots / 8 * 5 < n) slots *= 2;
  return slots;
}

}  // namespace

size_t HeadIndex::Hash(const TraceId& id) const {
  return static_cast<size_t>(XXH3_64bits_withSeed(id.bytes.data(), id.bytes.size(), Seed()));
}

size_t HeadIndex::Find(const TraceId& id) const {
  if (slots_.empty()) return kNone;
  const size_t mask = slots_.size() - 1;
  for (size_t s = Hash(id) & mask;; s = (s + 1) & mask) {
    if (slots_[s].first == kNone) return kNone;
    if (slots_[s].id == id) return s;
  }
}

bool HeadIndex::FirstRowOf(const TraceId& id, Row* row) const {
  const uint32_t r = FirstRow(id);
  if (r == kNone) return false;
  *row = Row{links_[r].batch, links_[r].row};
  return true;
}

void HeadIndex::Reserve(size_t traces, size_t rows) {
  if (SlotsFor(traces) > slots_.size()) Grow(SlotsFor(traces));
  links_.reserve(rows);
}

void HeadIndex::Grow(size_t min_slots) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.resize(min_slots);
  const size_t mask = slots_.size() - 1;
  for (const Slot& o : old) {
    if (o.first == kNone) continue;
    size_t s = Hash(o.id) & mask;
    while (slots_[s].first != kNone) s = (s + 1) & mask;
    slots_[s] = o;
  }
}

HeadIndex::Slot& HeadIndex::SlotFor(const TraceId& id, bool* is_new) {
  if (slots_.size() / 8 * 5 <= traces_) Grow(slots_.empty() ? kMinSlots : slots_.size() * 2);
  const size_t mask = slots_.size() - 1;
  for (size_t s = Hash(id) & mask;; s = (s + 1) & mask) {
    Slot& slot = slots_[s];
    if (slot.first == kNone) {
      slot.id = id;
      ++traces_;
      *is_new = true;
      return slot;
    }
    if (slot.id == id) {
      *is_new = false;
      return slot;
    }
  }
}

bool HeadIndex::Add(const TraceId& id, uint32_t batch, uint32_t row) {
  return AddRun(id, batch, row, 1, 0);
}

bool HeadIndex::AddRun(const TraceId& id, uint32_t batch, uint32_t first_row, uint32_t count,
                       uint64_t max_start) {
  bool is_new;
  Slot& slot = SlotFor(id, &is_new);
  slot.max_start = std::max(slot.max_start, max_start);
  for (uint32_t k = 0; k < count; ++k) {
    const uint32_t link = static_cast<uint32_t>(links_.size());
    links_.push_back(Link{batch, first_row + k, kNone});
    if (slot.first == kNone) {
      slot.first = link;
    } else {
      links_[slot.last].next = link;
    }
    slot.last = link;
  }
  return is_new;
}

}  // namespace ariadne::embedded
