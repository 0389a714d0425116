// Tests of core/record_check.h: the bounds of the fields `tb record` takes.
#include "core/record_check.h"
#include "tests/status_assert.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

constexpr int64_t kNow = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z

Event Good() {
  Event ev;
  ev.kind = EventKind::kRecorded;
  ev.command = "echo hi";
  ev.cwd = "/tmp";
  ev.exit_code = 0;
  ev.time_ns = kNow;
  return ev;
}

TEST(RecordCheckTest, BoundsAreInclusive) {
  Event ev = Good();
  EXPECT_OK(CheckRecordFields(ev, kNow));
  ev.exit_code = 255;
  ev.time_ns = kNow + kMaxFutureNs;
  EXPECT_OK(CheckRecordFields(ev, kNow));
  ev.exit_code.reset();  // unknown
  ev.cwd = "";           // unknown
  EXPECT_OK(CheckRecordFields(ev, kNow));
}

TEST(RecordCheckTest, OutOfBoundsFieldsAreNamed) {
  Event ev = Good();
  ev.exit_code = 256;
  EXPECT_EQ(CheckRecordFields(ev, kNow).message(),
            "invalid value '256' for --exit (tb record): an exit status is 0 to 255 (a signal n is "
            "128 + n)");
  ev.exit_code = -1;
  EXPECT_TRUE(CheckRecordFields(ev, kNow).IsInvalidArgument());
  ev = Good();
  ev.cwd = "rel/dir";
  EXPECT_EQ(CheckRecordFields(ev, kNow).message(),
            "invalid value 'rel/dir' for --cwd (tb record): the directory must be an absolute path");
  ev = Good();
  ev.time_ns = kNow + kMaxFutureNs + 1000000;
  EXPECT_EQ(CheckRecordFields(ev, kNow).message(),
            "invalid value '2026-01-01T01:00:00.001Z' for --started-at (tb record): it is more than "
            "1 hour in the future (now 2026-01-01T00:00:00.000Z)");
}

}  // namespace
}  // namespace tb
