// Tests for tools/context.h: the store access comes from the command's row.
#include "tools/context.h"

#include <gtest/gtest.h>

#include <memory>

#include "tools/commands.h"

namespace tb {
namespace {

const CommandSpec& Row(const std::string& name) {
  for (const CommandSpec& c : Commands()) {
    if (name == c.name) return c;
  }
  ADD_FAILURE() << "no row " << name;
  return Commands().front();
}

TEST(ContextTest, ACommandWhoseRowOpensNoStoreCannotOpenOne) {
  Context ctx;
  ctx.command_name = "config show";
  ctx.lifecycle = Row("config show").lifecycle;
  ctx.data_dir = ::testing::TempDir() + "/never-created";
  std::unique_ptr<Store> store;
  Status s = ctx.OpenStore(&store);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "tb config show opens no store (its row of the command table says so)");
  EXPECT_TRUE(ctx.OpenStoreToRead(&store).IsInvalidArgument());
  EXPECT_EQ(store, nullptr);
}

TEST(ContextTest, TheTableSaysWhichCommandsWrite) {
  EXPECT_EQ(Row("history").lifecycle.store, StoreUse::kRead);
  EXPECT_EQ(Row("record").lifecycle.store, StoreUse::kWrite);
  EXPECT_EQ(Row("backup create").lifecycle.store, StoreUse::kWrite);
  EXPECT_FALSE(Row("backup create").lifecycle.runs_maintenance);
  EXPECT_EQ(Row("log export").lifecycle.store, StoreUse::kRead);
  EXPECT_FALSE(Row("log export").lifecycle.runs_maintenance);
  EXPECT_EQ(Row("init").lifecycle.store, StoreUse::kNone);
}

}  // namespace
}  // namespace tb
