/// @file
/// Text forms of a StatsReport (the library never prints; tools/ writes
/// the string). JSON keys are documented in docs/formats.md ("tb stats").
#pragma once

#include <string>

#include "core/analytics/stats.h"
#include "core/theme.h"

namespace tb {

/// How the stats report is rendered for people.
struct StatsRenderOptions {
  /// table: the heat map's cells of level 1..4 are in palette.heat[0..3]
  /// (core/theme.h). Empty (the default) = no escape codes.
  Palette palette;
};

/// Aligned sections for people: summary, top commands (with bars),
/// slowest, most failing, categories, directories, hosts, a weekday x hour
/// heat map (shades ░▒▓█ scaled to the busiest cell) and weekday totals.
std::string RenderStatsTable(const StatsReport& r, const StatsRenderOptions& o);
/// One pretty-printed JSON object (2-space indent) ending in "\n".
std::string RenderStatsJson(const StatsReport& r);

}  // namespace tb
