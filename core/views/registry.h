/// @file
/// The set of views the store maintains, in the order they are applied.
/// Adding a view: implement core/view.h, append it here (names are never
/// reused); the store creates its column family and builds it by replay.
#pragma once

#include <span>
#include <string_view>

#include "core/view.h"

namespace tb {

/// All views (static lifetime, immutable, thread-safe).
std::span<const View* const> AllViews();
/// The view called `name`, or null.
const View* FindView(std::string_view name);

}  // namespace tb
