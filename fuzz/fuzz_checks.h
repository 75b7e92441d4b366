// Checks shared by the fuzzers in fuzz/: invariants every SpanBatch a decoder returns must hold,
// whatever bytes it was given (every Range inside its pool, every index inside its table, nested
// values inside the child pools), and a way to fail loudly that survives -DNDEBUG.
//
// Header-only; used by the *_fuzzer.cc files in this directory. Not thread-safe concerns: pure.
// Covered by running the fuzzers on their corpora (ctest label "fuzz").
#ifndef ARIADNE_FUZZ_FUZZ_CHECKS_H_
#define ARIADNE_FUZZ_FUZZ_CHECKS_H_

#include <cstdio>
#include <cstdlib>

#include "model/span_batch.h"

// Aborts with the failed condition; libFuzzer then saves the input as a crash.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace ariadne::fuzz {

inline void CheckValue(const SpanBatch& b, const AnyValue& v, int depth) {
  FUZZ_CHECK(depth <= 128);  // deeper means a cycle: the decoder let one through
  if (v.type == ValueType::kArray) {
    FUZZ_CHECK(v.children.end() <= b.array_values.size());
    FUZZ_CHECK(v.children.end() >= v.children.begin);
    for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
      CheckValue(b, b.array_values[i], depth + 1);
    }
  } else if (v.type == ValueType::kKvList) {
    FUZZ_CHECK(v.children.end() <= b.kvlist_values.size());
    FUZZ_CHECK(v.children.end() >= v.children.begin);
    for (uint32_t i = v.children.begin; i < v.children.end(); ++i) {
      CheckValue(b, b.kvlist_values[i].value, depth + 1);
    }
  }
}

inline void CheckAttributes(const SpanBatch& b, Range r) {
  FUZZ_CHECK(r.end() >= r.begin);  // no uint32 wrap-around
  FUZZ_CHECK(r.end() <= b.attributes.size());
  for (uint32_t i = r.begin; i < r.end(); ++i) CheckValue(b, b.attributes[i].value, 0);
}

// Every column has one row per span, and every reference points inside its pool.
inline void CheckBatch(const SpanBatch& b) {
  const SpanColumns& s = b.spans;
  const size_t n = s.span_id.size();
  FUZZ_CHECK(s.trace_id.size() == n && s.parent_span_id.size() == n && s.name.size() == n &&
             s.kind.size() == n && s.start_time_unix_nano.size() == n &&
             s.end_time_unix_nano.size() == n && s.status_code.size() == n &&
             s.resource_index.size() == n && s.scope_index.size() == n &&
             s.attributes.size() == n && s.events.size() == n && s.links.size() == n);
  for (size_t i = 0; i < n; ++i) {
    FUZZ_CHECK(s.resource_index[i] < b.resources.size());
    FUZZ_CHECK(s.scope_index[i] < b.scopes.size());
    CheckAttributes(b, s.attributes[i]);
    FUZZ_CHECK(s.events[i].end() >= s.events[i].begin && s.events[i].end() <= b.events.size());
    FUZZ_CHECK(s.links[i].end() >= s.links[i].begin && s.links[i].end() <= b.links.size());
  }
  for (size_t e = 0; e < b.events.size(); ++e) CheckAttributes(b, b.events.attributes[e]);
  for (size_t l = 0; l < b.links.size(); ++l) CheckAttributes(b, b.links.attributes[l]);
  for (const Resource& r : b.resources) CheckAttributes(b, r.attributes);
  for (const Scope& sc : b.scopes) CheckAttributes(b, sc.attributes);
}

}  // namespace ariadne::fuzz

#endif  // ARIADNE_FUZZ_FUZZ_CHECKS_H_
