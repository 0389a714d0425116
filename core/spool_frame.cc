#include "core/spool_frame.h"

#include <charconv>

#include "core/split.h"
#include "core/timefmt.h"

namespace tb {
namespace {

bool Unescape(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out->push_back(in[i]);
      continue;
    }
    if (++i == in.size()) return false;
    switch (in[i]) {
      case '\\': out->push_back('\\'); break;
      case 't': out->push_back('\t'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      default: return false;
    }
  }
  return true;
}

void Escape(std::string_view in, std::string* out) {
  for (char c : in) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      default: out->push_back(c);
    }
  }
}

template <typename T>
bool Num(std::string_view s, T* v, int base = 10) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v, base);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "1732580000.123456" or with ',' -> ns. Fractions beyond ns are dropped.
bool ParseTimeField(std::string_view s, int64_t* ns) {
  size_t dot = s.find_first_of(".,");
  int64_t sec;
  if (!Num(s.substr(0, dot), &sec) || sec < 0 || sec > kMaxEpochSeconds) return false;
  int64_t frac = 0, scale = 100000000;
  if (dot != std::string_view::npos) {
    std::string_view f = s.substr(dot + 1);
    if (f.empty()) return false;
    for (char c : f) {
      if (c < '0' || c > '9') return false;
      frac += (c - '0') * scale;
      scale /= 10;
    }
  }
  *ns = sec * 1000000000LL + frac;
  return true;
}

Status ParseLine(std::string_view line, Event* ev) {
  auto f = SplitFields(line, '\t');
  if (f.size() < 3 || f[0] != "TB1" || f.back() != ".") {
    return Status::Corruption("not a TB1 frame");
  }
  *ev = Event{};
  if (!Num(f[2], &ev->id.origin, 16) || f[2].size() > 16 || ev->id.origin == 0) {
    return Status::Corruption("bad origin");
  }
  if (f[1] == "S" && f.size() == 10) {
    ev->kind = EventKind::kStarted;
    if (!Num(f[3], &ev->id.counter)) return Status::Corruption("bad counter");
    if (!ParseTimeField(f[4], &ev->time_ns)) return Status::Corruption("bad time");
    if (!Unescape(f[5], &ev->session) || !Unescape(f[6], &ev->shell) || !Unescape(f[7], &ev->cwd) ||
        !Unescape(f[8], &ev->command)) {
      return Status::Corruption("bad escape");
    }
    return Status::OK();
  }
  if (f[1] == "F" && f.size() == 9) {
    ev->kind = EventKind::kFinished;
    int32_t exit;
    int64_t dur_us;
    ev->start.origin = ev->id.origin;
    if (!Num(f[3], &ev->id.counter) || !Num(f[7], &ev->start.counter)) return Status::Corruption("bad counter");
    if (!ParseTimeField(f[4], &ev->time_ns)) return Status::Corruption("bad time");
    if (!Num(f[5], &exit)) return Status::Corruption("bad exit status");
    if (!Num(f[6], &dur_us) || dur_us < 0 || dur_us > INT64_MAX / 1000) return Status::Corruption("bad duration");
    ev->exit_code = exit;
    ev->duration_ns = dur_us * 1000;
    return Status::OK();
  }
  return Status::Corruption("unknown frame kind or field count");
}

}  // namespace

void ParseSpool(std::string_view data, SpoolParse* out) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) break;  // torn final frame: wait for the rest
    std::string_view line = data.substr(pos, nl - pos);
    Event ev;
    Status s = ParseLine(line, &ev);
    if (s.ok()) {
      out->events.push_back(std::move(ev));
    } else {
      out->rejected.emplace_back(line);
      out->reasons.push_back(s.message());
    }
    pos = nl + 1;
  }
  out->consumed = pos;
}

std::string EncodeSpoolFrame(const Event& ev) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ev.id.origin));
  std::string out = "TB1\t";
  auto time = [&](int64_t ns) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(ns / 1000000000),
                  static_cast<long long>((ns % 1000000000) / 1000));
    return std::string(buf);
  };
  if (ev.kind == EventKind::kFinished) {
    out += "F\t" + std::string(hex) + "\t" + std::to_string(ev.id.counter) + "\t" + time(ev.time_ns) + "\t" +
           std::to_string(ev.exit_code.value_or(0)) + "\t" + std::to_string(ev.duration_ns.value_or(0) / 1000) + "\t" +
           std::to_string(ev.start.counter) + "\t.\n";
    return out;
  }
  out += "S\t" + std::string(hex) + "\t" + std::to_string(ev.id.counter) + "\t" + time(ev.time_ns) + "\t";
  for (const std::string* s : {&ev.session, &ev.shell, &ev.cwd, &ev.command}) {
    Escape(*s, &out);
    out += "\t";
  }
  out += ".\n";
  return out;
}

}  // namespace tb
