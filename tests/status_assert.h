// ASSERT_OK(status) / EXPECT_OK(status): gtest assertions on a tb::Status
// that print the expression and the status (code and message) on failure,
// like RocksDB's test harness. Both take further messages with <<.
#pragma once

#include <gtest/gtest.h>

#include "core/status.h"

namespace tb {

inline ::testing::AssertionResult StatusIsOk(const char* expr, const Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << ": " << s.ToString();
}

}  // namespace tb

#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::tb::StatusIsOk, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::tb::StatusIsOk, expr)
