#include "base/status.h"

#include <gtest/gtest.h>

namespace ariadne {
namespace {

StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("not positive");
  return v;
}

Status UsesMacros(int v, int* out) {
  ARIADNE_ASSIGN_OR_RETURN(*out, ParsePositive(v));
  ARIADNE_RETURN_IF_ERROR(Status::Ok());
  return Status::Ok();
}

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::ResourceExhausted("too big");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.ToString(), "RESOURCE_EXHAUSTED: too big");
  Status copy = s;
  EXPECT_EQ(copy, s);
  EXPECT_EQ(s.WithContext("wal").message(), "wal: too big");
}

TEST(StatusTest, FromErrnoNamesTheCause) {
  Status s = Status::FromErrno("open /x", ENOSPC);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("No space left"), std::string_view::npos);
}

TEST(StatusOrTest, ValueAndErrorPropagate) {
  int out = 0;
  EXPECT_TRUE(UsesMacros(3, &out).ok());
  EXPECT_EQ(out, 3);
  Status s = UsesMacros(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  StatusOr<std::string> so(std::string("x"));
  EXPECT_EQ(*so, "x");
}

TEST(StatusOrDeathTest, ValueOnErrorAborts) {
  StatusOr<int> so = Status::Internal("boom");
  EXPECT_DEATH((void)so.value(), "boom");
}

}  // namespace
}  // namespace ariadne
