#include "base/sanitizers.h"

#include "gtest/gtest.h"

namespace ariadne {
namespace {

TEST(SanitizersTest, ScaledCountIsWholeInNormalBuildsAndSmallerButPositiveUnderSanitizers) {
  if (kSlowSanitizer) {
    EXPECT_EQ(SanitizerScaled(1000), 100);
    EXPECT_EQ(SanitizerScaled(1000, 4), 250);
    EXPECT_EQ(SanitizerScaled(3), 1);
  } else {
    EXPECT_EQ(SanitizerScaled(1000), 1000);
    EXPECT_EQ(SanitizerScaled(3), 3);
  }
}

TEST(SanitizersTest, SlowSanitizerMeansAddressOrThread) {
  EXPECT_EQ(kSlowSanitizer, kAddressSanitizer || kThreadSanitizer);
}

}  // namespace
}  // namespace ariadne
