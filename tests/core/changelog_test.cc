// The embedded changelog's reading (core/changelog.h): sections, version
// order, and what is newer than the version run before.
#include "core/changelog.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

constexpr std::string_view kLog =
    "# Changes\n\nintro\n\n"
    "## 0.10.0 (2027-03-01)\n\n- ten\n\n"
    "## 0.9.1 (2027-02-01)\n\n- nine one\n\n\n"
    "## 0.9.0\n- nine\n";

TEST(ChangelogTest, SectionsInOrderWithTheirText) {
  std::vector<ChangeSection> s = ParseChangelog(kLog);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].version, "0.10.0");
  EXPECT_EQ(s[0].text, "## 0.10.0 (2027-03-01)\n\n- ten\n");
  EXPECT_EQ(s[1].version, "0.9.1");
  EXPECT_EQ(s[1].text, "## 0.9.1 (2027-02-01)\n\n- nine one\n");
  EXPECT_EQ(s[2].text, "## 0.9.0\n- nine\n");
  EXPECT_TRUE(ParseChangelog("no sections\n").empty());
  EXPECT_TRUE(ParseChangelog("").empty());
}

TEST(ChangelogTest, VersionsCompareByNumber) {
  EXPECT_GT(CompareVersions("0.10.0", "0.9.1"), 0);
  EXPECT_LT(CompareVersions("0.9", "0.9.1"), 0);
  EXPECT_EQ(CompareVersions("1.0", "1.0.0"), 0);
  EXPECT_EQ(CompareVersions("1.x", "1.0"), 0);  // a part that is no number counts as 0
  EXPECT_LT(CompareVersions("", "0.0.1"), 0);
}

TEST(ChangelogTest, ChangesBetweenTwoVersions) {
  EXPECT_EQ(ChangesBetween(kLog, "0.9.0", "0.10.0"),
            "## 0.10.0 (2027-03-01)\n\n- ten\n\n## 0.9.1 (2027-02-01)\n\n- nine one\n");
  EXPECT_EQ(ChangesBetween(kLog, "0.9.1", "0.9.1"), "");
  // Sections newer than the running version (a changelog ahead) are left out.
  EXPECT_EQ(ChangesBetween(kLog, "0.8", "0.9.0"), "## 0.9.0\n- nine\n");
}

}  // namespace
}  // namespace tb
