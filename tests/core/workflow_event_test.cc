// WorkflowSaved / WorkflowDeleted events through the codec, and the
// `workflows` view's value encoding.
#include <gtest/gtest.h>

#include "core/analytics/workflows.h"
#include "core/codec.h"
#include "core/views/workflows_view.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

TEST(WorkflowEventTest, RoundTrips) {
  Event saved;
  saved.kind = EventKind::kWorkflowSaved;
  saved.id = EventId{7, 9};
  saved.seq = 12;
  saved.time_ns = 1234567;
  saved.host = "h";
  saved.user = "u";
  saved.name = "deploy";
  saved.steps = {"make", "make test | tee log", "echo 'a b'", std::string("x\0y", 3)};
  std::string bytes;
  EncodeEvent(saved, &bytes);
  Event back;
  ASSERT_OK(DecodeEvent(bytes, &back));
  EXPECT_EQ(back, saved);

  Event deleted;
  deleted.kind = EventKind::kWorkflowDeleted;
  deleted.id = EventId{7, 10};
  deleted.name = "deploy";
  EncodeEvent(deleted, &bytes);
  ASSERT_OK(DecodeEvent(bytes, &back));
  EXPECT_EQ(back, deleted);
  EXPECT_TRUE(back.steps.empty());
}

TEST(WorkflowEventTest, ViewValue) {
  Workflow w{"n", {"a", "", "b c"}, -5, 42};
  Workflow back;
  ASSERT_TRUE(DecodeWorkflow("n", EncodeWorkflow(w), &back));
  EXPECT_EQ(back, w);
  std::string v = EncodeWorkflow(w);
  EXPECT_FALSE(DecodeWorkflow("n", v.substr(0, v.size() - 1), &back));
  EXPECT_FALSE(DecodeWorkflow("n", v + "x", &back));
}

TEST(WorkflowEventTest, Names) {
  EXPECT_OK(ValidateWorkflowName("a"));
  EXPECT_OK(ValidateWorkflowName(std::string(64, 'z')));
  EXPECT_OK(ValidateWorkflowName("A.b_c-9"));
  EXPECT_EQ(ValidateWorkflowName("").message(), "invalid workflow name '': use 1-64 letters, digits, '.', '_' or '-'");
  EXPECT_TRUE(ValidateWorkflowName(std::string(65, 'z')).IsInvalidArgument());
  for (const char* bad : {"a b", "a/b", "ä", "a;b", "-"}) {
    EXPECT_EQ(ValidateWorkflowName(bad).ok(), std::string(bad) == "-") << bad;
  }
}

}  // namespace
}  // namespace tb
