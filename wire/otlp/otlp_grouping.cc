#include "wire/otlp/otlp_grouping.h"

#include <unordered_map>

namespace ariadne {

std::vector<ResourceGroup> GroupSpans(const SpanBatch& batch) {
  std::vector<ResourceGroup> groups;
  std::unordered_map<uint32_t, uint32_t> resource_group;  // resource index -> groups index
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> where;
  uint64_t last_key = ~0ull;
  std::pair<uint32_t, uint32_t> last{0, 0};
  for (uint32_t row = 0; row < batch.size(); ++row) {
    uint32_t r = batch.spans.resource_index[row];
    uint32_t s = batch.spans.scope_index[row];
    uint64_t key = (static_cast<uint64_t>(r) << 32) | s;
    if (key != last_key) {
      auto it = where.find(key);
      if (it == where.end()) {
        auto [rit, inserted] = resource_group.try_emplace(r, static_cast<uint32_t>(groups.size()));
        if (inserted) groups.push_back(ResourceGroup{r, {}});
        ResourceGroup& g = groups[rit->second];
        g.scopes.push_back(ScopeGroup{s, {}});
        it = where
                 .emplace(key,
                          std::make_pair(rit->second, static_cast<uint32_t>(g.scopes.size() - 1)))
                 .first;
      }
      last_key = key;
      last = it->second;
    }
    groups[last.first].scopes[last.second].spans.push_back(row);
  }
  return groups;
}

}  // namespace ariadne
