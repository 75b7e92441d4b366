// Resource: the attributes describing the process that produces spans (service.name, ...).
// An ordered list of string/typed attributes; Merge lets the later (primary) resource win.
// Defaults carry telemetry.sdk.* and service.name="unknown_service". Values. Tested by
// env_config_test.cc.
#ifndef ARIADNE_SDK_RESOURCE_H_
#define ARIADNE_SDK_RESOURCE_H_

#include <string>
#include <string_view>
#include <vector>

#include "ariadne/sdk/span_data.h"

namespace ariadne::sdk {

struct Resource {
  std::vector<OwnedAttribute> attributes;

  void Set(std::string_view key, OwnedValue value);
  const OwnedValue* Find(std::string_view key) const;
  // Attributes of `primary` override ours.
  Resource Merge(const Resource& primary) const;
  static Resource Default();  // telemetry.sdk.{name,language,version}, service.name
};

}  // namespace ariadne::sdk

#endif  // ARIADNE_SDK_RESOURCE_H_
