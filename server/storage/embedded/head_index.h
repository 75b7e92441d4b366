// HeadIndex: the embedded store's in-memory index from trace id to the head rows of that trace.
//
// One open-addressing table of traces (linear probing, a per-process random hash seed, so trace
// ids chosen by a client cannot pile up on one probe chain) and one flat array of rows, each with
// the index of the trace's next row: a trace's rows form a singly linked list in insertion order.
// About 12 bytes per row plus 32 bytes per table slot (kept at most 5/8 full), instead of a hash
// node and a vector per trace (the head used to cost ~80 bytes of index per span, and one
// allocation per new trace). Rows are never removed: a head is indexed once and then frozen.
// The WAL replay adds whole trace runs of records it has not decoded (AddRun) with their latest
// start, kept per trace (MaxStartOf), so a search can rank such a trace without decoding it.
//
// Thread-safety: none of its own. The store guards a head's index with its head lock; const
// methods do not modify anything, so shared readers are safe. Tested by head_index_test.cc.
#ifndef ARIADNE_SERVER_STORAGE_EMBEDDED_HEAD_INDEX_H_
#define ARIADNE_SERVER_STORAGE_EMBEDDED_HEAD_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/ids.h"

namespace ariadne::embedded {

class HeadIndex {
 public:
  // A row of the head: batch number and row within that batch.
  struct Row {
    uint32_t batch;
    uint32_t row;
  };

  // Sizes the table for this many traces and rows (no rehash until then).
  void Reserve(size_t traces, size_t rows);
  // Records that row `row` of batch `batch` belongs to `id`; true if `id` is new to the index.
  bool Add(const TraceId& id, uint32_t batch, uint32_t row);
  // Adds rows [first_row, first_row + count) (count > 0) of batch `batch` to `id` and raises the
  // trace's latest start to max_start; true if `id` is new to the index.
  bool AddRun(const TraceId& id, uint32_t batch, uint32_t first_row, uint32_t count,
              uint64_t max_start);
  // The largest max_start given to AddRun for `id` (0 if none: rows added by Add do not count).
  uint64_t MaxStartOf(const TraceId& id) const {
    const size_t s = Find(id);
    return s == kNone ? 0 : slots_[s].max_start;
  }
  bool Contains(const TraceId& id) const { return Find(id) != kNone; }
  // Calls fn(Row) for each row of `id`, in the order they were added.
  template <typename Fn>
  void ForEachRow(const TraceId& id, Fn&& fn) const {
    for (uint32_t r = FirstRow(id); r != kNone; r = links_[r].next) {
      fn(Row{links_[r].batch, links_[r].row});
    }
  }
  // The first row added for `id`; false if the index does not hold it.
  bool FirstRowOf(const TraceId& id, Row* row) const;
  // Calls fn(const TraceId&) once per trace (table order, not insertion order).
  template <typename Fn>
  void ForEachTrace(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.first != kNone) fn(s.id);
    }
  }
  size_t traces() const { return traces_; }
  size_t rows() const { return links_.size(); }
  size_t MemoryBytes() const {
    return slots_.capacity() * sizeof(Slot) + links_.capacity() * sizeof(Link);
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Slot {
    TraceId id;
    uint32_t first = kNone;  // kNone: an empty slot
    uint32_t last = kNone;
    uint64_t max_start = 0;
  };
  struct Link {
    uint32_t batch;
    uint32_t row;
    uint32_t next;
  };

  // The slot holding id, or kNone.
  size_t Find(const TraceId& id) const;
  uint32_t FirstRow(const TraceId& id) const {
    const size_t s = Find(id);
    return s == kNone ? kNone : slots_[s].first;
  }
  size_t Hash(const TraceId& id) const;
  // The slot of `id`, claimed if new (*is_new says which).
  Slot& SlotFor(const TraceId& id, bool* is_new);
  void Grow(size_t min_slots);

  std::vector<Slot> slots_;  // size 0 or a power of two
  std::vector<Link> links_;
  size_t traces_ = 0;
};

}  // namespace ariadne::embedded

#endif  // ARIADNE_SERVER_STORAGE_EMBEDDED_HEAD_INDEX_H_
