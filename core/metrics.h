/// @file
/// Metrics: counters, gauges and histograms with labels, rendered in the
/// Prometheus text exposition format (version 0.0.4), which `tb metrics`
/// prints and the daemon's endpoint serves (tools/endpoint.h). The metric
/// names tb exports are listed in docs/operations.md.
///
/// A family is defined once (name, help, label names; histograms also their
/// bucket upper bounds) and then updated by label values, given in the order
/// of the label names. Rendering writes the families in definition order and
/// each family's series sorted by label values:
///
///   # HELP tb_events_total Events in the log, by kind.
///   # TYPE tb_events_total counter
///   tb_events_total{kind="recorded"} 12
///   # HELP tb_drain_lag_seconds Time from a frame's write to its commit.
///   # TYPE tb_drain_lag_seconds histogram
///   tb_drain_lag_seconds_bucket{le="0.1"} 3
///   tb_drain_lag_seconds_bucket{le="+Inf"} 4
///   tb_drain_lag_seconds_sum 0.52
///   tb_drain_lag_seconds_count 4
///
/// Numbers are written in the shortest form that reads back exactly
/// (std::to_chars), "+Inf", "-Inf" and "NaN" for the special values. HELP
/// text escapes '\' and newline; label values escape '\', '"' and newline.
/// A family defined without any sample is rendered with its HELP and TYPE
/// lines only (a label-less counter or gauge gets a 0 sample at definition).
///
/// Thread safety: every member may be called from any thread (one mutex);
/// the daemon updates from its drain thread while the endpoint renders.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tb {

/// Metric families and their series, rendered in the Prometheus text format.
class MetricsRegistry {
 public:
  /// A family's Prometheus type.
  enum class Type { kCounter, kGauge, kHistogram };

  ///@{
  /// InvalidArgument when `name` is not a valid metric name
  /// ([a-zA-Z_:][a-zA-Z0-9_:]*), a label name is not valid
  /// ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", not "le" for a
  /// histogram) or repeats, `help` is empty, or a family of that name exists
  /// with another type, help or labels (defining the same family twice is OK).
  Status DefineCounter(std::string_view name, std::string_view help, std::vector<std::string> labels = {});
  Status DefineGauge(std::string_view name, std::string_view help, std::vector<std::string> labels = {});
  ///@}
  /// `bounds`: bucket upper bounds, strictly increasing and finite (the
  /// "+Inf" bucket is implied); InvalidArgument otherwise.
  Status DefineHistogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                         std::vector<std::string> labels = {});

  ///@{
  /// Updates one series. InvalidArgument when the family is undefined or of
  /// another type, the number of label values differs from its labels, a
  /// counter's delta is negative or NaN, or a value is NaN.
  Status Add(std::string_view name, const std::vector<std::string>& label_values, double delta);
  Status Set(std::string_view name, const std::vector<std::string>& label_values, double value);
  Status Observe(std::string_view name, const std::vector<std::string>& label_values, double value);
  ///@}

  /// The whole exposition, ending in a newline ("" when nothing is defined).
  std::string Render() const;

 private:
  struct Series {
    double value = 0;               // counter, gauge; histogram: the sum
    std::vector<uint64_t> buckets;  // histogram: per bound, not cumulative, plus +Inf
    uint64_t count = 0;             // histogram
  };
  struct Family {
    std::string name;
    std::string help;
    Type type = Type::kCounter;
    std::vector<std::string> labels;
    std::vector<double> bounds;
    std::map<std::vector<std::string>, Series> series;
  };

  Status Define(Family family);
  Status Find(std::string_view name, Type type, const std::vector<std::string>& label_values, Family** out);

  mutable std::mutex mu_;
  std::vector<Family> families_;  // definition order
};

/// The shortest text that reads back as `v` ("+Inf", "-Inf", "NaN").
std::string FormatMetricValue(double v);

}  // namespace tb
