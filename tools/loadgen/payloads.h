// Payloads for the load generator: OTLP ExportTraceServiceRequest bytes of realistic spans
// (server/pipeline/span_factory.h), encoded once up front so the generator spends its CPU on
// sending, not encoding. Each send gets fresh trace ids: the offsets of every trace id in the
// encoded bytes are recorded, and Stamp() rewrites their first 8 bytes with a sequence number,
// so the store sees new traces instead of the same ones growing.
// Thread-safety: a Payload is read-only after Make; Stamp writes only into its out buffer.
#ifndef ARIADNE_TOOLS_LOADGEN_PAYLOADS_H_
#define ARIADNE_TOOLS_LOADGEN_PAYLOADS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ariadne::loadgen {

struct Payload {
  std::string bytes;
  std::vector<size_t> trace_id_offsets;
  int spans = 0;
};

// `count` distinct payloads of `spans_per_batch` spans each.
std::vector<Payload> MakePayloads(int count, int spans_per_batch, uint64_t seed);

// Copies p.bytes into *out with every trace id made unique for `sequence`.
void Stamp(const Payload& p, uint64_t sequence, std::string* out);

}  // namespace ariadne::loadgen

#endif  // ARIADNE_TOOLS_LOADGEN_PAYLOADS_H_
