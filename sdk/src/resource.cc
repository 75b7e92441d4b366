#include "ariadne/sdk/resource.h"

namespace ariadne::sdk {

void Resource::Set(std::string_view key, OwnedValue value) {
  for (OwnedAttribute& a : attributes) {
    if (a.key == key) {
      a.value = std::move(value);
      return;
    }
  }
  attributes.push_back(OwnedAttribute{std::string(key), std::move(value)});
}

const OwnedValue* Resource::Find(std::string_view key) const {
  for (const OwnedAttribute& a : attributes) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

Resource Resource::Merge(const Resource& primary) const {
  Resource out = *this;
  for (const OwnedAttribute& a : primary.attributes) out.Set(a.key, a.value);
  return out;
}

Resource Resource::Default() {
  Resource r;
  r.Set("service.name", std::string("unknown_service"));
  r.Set("telemetry.sdk.name", std::string("ariadne"));
  r.Set("telemetry.sdk.language", std::string("cpp"));
  r.Set("telemetry.sdk.version", std::string("0.1.0"));
  return r;
}

}  // namespace ariadne::sdk
