#include "core/metrics.h"

#include <charconv>
#include <cmath>

namespace tb {
namespace {

bool ValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string EscapeHelp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else {
      out += EscapeHelp(std::string_view(&c, 1));
    }
  }
  return out;
}

// "{a="x",b="y"}" with `extra` (e.g. le="0.5") last; "" when empty.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

const char* TypeName(MetricsRegistry::Type t) {
  switch (t) {
    case MetricsRegistry::Type::kCounter: return "counter";
    case MetricsRegistry::Type::kGauge: return "gauge";
    case MetricsRegistry::Type::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

Status MetricsRegistry::DefineCounter(std::string_view name, std::string_view help, std::vector<std::string> labels) {
  return Define({std::string(name), std::string(help), Type::kCounter, std::move(labels), {}, {}});
}

Status MetricsRegistry::DefineGauge(std::string_view name, std::string_view help, std::vector<std::string> labels) {
  return Define({std::string(name), std::string(help), Type::kGauge, std::move(labels), {}, {}});
}

Status MetricsRegistry::DefineHistogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                                        std::vector<std::string> labels) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return Status::InvalidArgument("metric " + std::string(name) +
                                     ": bucket bounds must be finite and strictly increasing");
    }
  }
  for (const std::string& l : labels) {
    if (l == "le")
      return Status::InvalidArgument("metric " + std::string(name) + ": a histogram cannot have label 'le'");
  }
  return Define({std::string(name), std::string(help), Type::kHistogram, std::move(labels), std::move(bounds), {}});
}

Status MetricsRegistry::Define(Family family) {
  const std::string& name = family.name;
  if (!ValidName(name, true)) return Status::InvalidArgument("invalid metric name '" + name + "'");
  if (family.help.empty()) return Status::InvalidArgument("metric " + name + " has no help text");
  for (size_t i = 0; i < family.labels.size(); ++i) {
    const std::string& l = family.labels[i];
    if (!ValidName(l, false) || l.starts_with("__")) {
      return Status::InvalidArgument("metric " + name + ": invalid label name '" + l + "'");
    }
    for (size_t j = 0; j < i; ++j) {
      if (family.labels[j] == l) return Status::InvalidArgument("metric " + name + ": label '" + l + "' repeats");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const Family& f : families_) {
    if (f.name != name) continue;
    if (f.type == family.type && f.help == family.help && f.labels == family.labels && f.bounds == family.bounds) {
      return Status::OK();
    }
    return Status::InvalidArgument("metric " + name + " is already defined differently");
  }
  if (family.labels.empty() && family.type != Type::kHistogram) family.series[{}] = Series{};
  families_.push_back(std::move(family));
  return Status::OK();
}

Status MetricsRegistry::Find(std::string_view name, Type type, const std::vector<std::string>& label_values,
                             Family** out) {
  for (Family& f : families_) {
    if (f.name != name) continue;
    if (f.type != type) {
      return Status::InvalidArgument("metric " + f.name + " is a " + TypeName(f.type) + ", not a " + TypeName(type));
    }
    if (label_values.size() != f.labels.size()) {
      return Status::InvalidArgument("metric " + f.name + " takes " + std::to_string(f.labels.size()) +
                                     " label values, not " + std::to_string(label_values.size()));
    }
    *out = &f;
    return Status::OK();
  }
  return Status::InvalidArgument("metric " + std::string(name) + " is not defined");
}

Status MetricsRegistry::Add(std::string_view name, const std::vector<std::string>& label_values, double delta) {
  if (!(delta >= 0)) return Status::InvalidArgument("counter " + std::string(name) + " cannot decrease");
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = nullptr;
  TB_RETURN_IF_ERROR(Find(name, Type::kCounter, label_values, &f));
  f->series[label_values].value += delta;
  return Status::OK();
}

Status MetricsRegistry::Set(std::string_view name, const std::vector<std::string>& label_values, double value) {
  if (std::isnan(value)) return Status::InvalidArgument("gauge " + std::string(name) + " set to NaN");
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = nullptr;
  TB_RETURN_IF_ERROR(Find(name, Type::kGauge, label_values, &f));
  f->series[label_values].value = value;
  return Status::OK();
}

Status MetricsRegistry::Observe(std::string_view name, const std::vector<std::string>& label_values, double value) {
  if (std::isnan(value)) return Status::InvalidArgument("histogram " + std::string(name) + " observed NaN");
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = nullptr;
  TB_RETURN_IF_ERROR(Find(name, Type::kHistogram, label_values, &f));
  Series& s = f->series[label_values];
  s.buckets.resize(f->bounds.size() + 1);
  size_t i = 0;
  while (i < f->bounds.size() && value > f->bounds[i]) ++i;
  ++s.buckets[i];
  ++s.count;
  s.value += value;
  return Status::OK();
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const Family& f : families_) {
    out += "# HELP " + f.name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + f.name + " " + TypeName(f.type) + "\n";
    for (const auto& [values, s] : f.series) {
      if (f.type != Type::kHistogram) {
        out += f.name + LabelSet(f.labels, values) + " " + FormatMetricValue(s.value) + "\n";
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= f.bounds.size(); ++i) {
        cumulative += s.buckets[i];
        std::string le = i < f.bounds.size() ? FormatMetricValue(f.bounds[i]) : "+Inf";
        out += f.name + "_bucket" + LabelSet(f.labels, values, "le=\"" + le + "\"") + " " + std::to_string(cumulative) +
               "\n";
      }
      out += f.name + "_sum" + LabelSet(f.labels, values) + " " + FormatMetricValue(s.value) + "\n";
      out += f.name + "_count" + LabelSet(f.labels, values) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace tb
