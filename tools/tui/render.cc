#include "tools/tui/render.h"

#include <algorithm>

#include "core/timefmt.h"
#include "core/utf8.h"

namespace tb {
namespace {

constexpr std::string_view kPrompt = "tb> ";
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr int64_t kSec = 1000000000;

// One character as shown: its text, columns, byte offset in the source and
// whether it is highlighted.
struct Shown {
  std::string text;
  int width = 1;
  uint32_t offset = 0;
  bool hl = false;
};

std::vector<Shown> Shape(std::string_view text, const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  std::vector<Shown> out;
  size_t r = 0;
  for (size_t i = 0; i < text.size();) {
    Shown c;
    c.offset = static_cast<uint32_t>(i);
    while (r < ranges.size() && ranges[r].second <= i) ++r;
    c.hl = r < ranges.size() && ranges[r].first <= i;
    char32_t cp = 0;
    size_t n = DecodeUtf8At(text, i, &cp);
    if (n == 0) {
      c.text = kReplacement;
      n = 1;
    } else if (cp == '\n' || cp == '\t') {
      c.text.assign(1, '\\');
      c.text.push_back(cp == '\n' ? 'n' : 't');
      c.width = 2;
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      c.text = kReplacement;
    } else {
      c.text = std::string(text.substr(i, n));
      c.width = CodePointWidth(cp);
    }
    i += n;
    out.push_back(std::move(c));
  }
  return out;
}

int Width(const std::vector<Shown>& chars) {
  int total = 0;
  for (const auto& c : chars) total += c.width;
  return total;
}

// RenderCommand() of already shaped text.
std::string RenderShaped(const std::vector<Shown>& chars, int columns, const Styles& st, const std::string& restore) {
  if (columns <= 0) return "";
  int total = Width(chars);
  int room = total > columns ? columns - 1 : columns;
  const std::string& hl = st.match;
  std::string out;
  bool in_hl = false;
  int used = 0;
  for (const auto& c : chars) {
    if (used + c.width > room) break;
    bool want = c.hl && !hl.empty();
    if (want != in_hl) out += want ? hl : st.reset + restore;
    in_hl = want;
    out += c.text;
    used += c.width;
  }
  if (in_hl) out += st.reset + restore;
  if (total > columns) out += "…";
  return out;
}

std::string Plain(std::string_view text) {
  std::string out;
  for (const auto& c : Shape(text, {})) out += c.text;
  return out;
}

std::string PadLeft(const std::string& s, int cols) {
  int w = DisplayWidth(s);
  return w >= cols ? s : std::string(static_cast<size_t>(cols - w), ' ') + s;
}

std::string PadRight(const std::string& s, int cols) {
  int w = DisplayWidth(s);
  return w >= cols ? s : s + std::string(static_cast<size_t>(cols - w), ' ');
}

std::string StatusCell(const HistoryRecord& r, const Styles& st, const std::string& restore) {
  if (r.running) return "   …";
  if (!r.exit_code) return "   ?";
  std::string code = PadLeft(std::to_string(*r.exit_code), 3);
  if (*r.exit_code == 0) return " " + code;
  if (st.failure.empty()) return "!" + code;
  return st.failure + "✗" + code + st.reset + restore;
}

std::string Styled(const std::string& style, const std::string& text, const Styles& st) {
  return style.empty() ? text : style + text + st.reset;
}

std::string CountText(const UiState& s) {
  size_t n = s.hits.size();
  std::string count = std::to_string(n) + (s.limit != 0 && n >= s.limit ? "+" : "");
  return count + (n == 1 ? " result" : " results");
}

std::string Join(const std::vector<std::pair<std::string, uint32_t>>& items) {
  if (items.empty()) return "-";
  std::string out;
  for (const auto& [cmd, n] : items) out += (out.empty() ? "" : ", ") + Plain(cmd) + " (" + std::to_string(n) + ")";
  return out;
}

}  // namespace

std::string FormatAgo(int64_t now_ns, int64_t then_ns) {
  int64_t d = now_ns - then_ns;
  if (d < -kSec) return "-";
  int64_t s = d / kSec;
  if (s < 1) return "now";
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  if (s < 7 * 86400) return std::to_string(s / 86400) + "d";
  if (s < 30 * 86400) return std::to_string(s / (7 * 86400)) + "w";
  if (s < 365 * 86400) return std::to_string(s / (30 * 86400)) + "mo";
  return std::to_string(s / (365 * 86400)) + "y";
}

std::string ShortDirectory(std::string_view cwd, std::string_view home) {
  if (home.empty() || home == "/") return std::string(cwd);
  if (cwd == home) return "~";
  if (cwd.size() > home.size() && cwd.substr(0, home.size()) == home && cwd[home.size()] == '/') {
    return "~" + std::string(cwd.substr(home.size()));
  }
  return std::string(cwd);
}

std::string RenderCommand(std::string_view command, const std::vector<std::pair<uint32_t, uint32_t>>& ranges,
                          int columns, const Styles& st, const std::string& restore) {
  return RenderShaped(Shape(command, ranges), columns, st, restore);
}

std::string RenderRow(const SearchHit& hit, int digit, bool selected, const FrameContext& ctx) {
  const Styles& st = ctx.styles;
  const HistoryRecord& r = hit.record;
  std::string restore = selected ? st.selected : "";
  std::string out = restore;
  out += selected ? '>' : ' ';
  out += digit > 0 && digit <= 9 ? static_cast<char>('0' + digit) : ' ';
  out += ' ' + PadLeft(FormatAgo(ctx.now_ns, r.started_at_ns), 4);
  int used = 8;
  if (ctx.width >= 40) {
    std::string dur = r.duration_ns && !r.running ? FormatDurationHuman(*r.duration_ns) : "-";
    out += ' ' + PadLeft(dur, 6);
    used += 7;
  }
  out += ' ' + StatusCell(r, st, restore);
  used += 5;
  if (ctx.width >= 60) {
    int cols = std::clamp(ctx.width / 6, 8, 24);
    out += ' ' + PadRight(TruncateLeftToWidth(Plain(ShortDirectory(r.cwd, ctx.home)), cols), cols);
    used += cols + 1;
  }
  out += ' ';
  used += 1;
  std::vector<Shown> chars = Shape(r.command, hit.matches);
  out += RenderShaped(chars, ctx.width - used, st, restore);
  if (selected) {
    // The selected style across the whole line.
    int cmd_w = std::min(Width(chars), std::max(ctx.width - used, 0));
    out += std::string(static_cast<size_t>(std::max(ctx.width - used - cmd_w, 0)), ' ');
    out += st.reset;
  }
  return out;
}

std::string RenderStatus(const UiState& s, const FrameContext& ctx) {
  const Styles& st = ctx.styles;
  std::string head = "  " + std::string(SearchScopeName(s.scope)) + " · " + std::string(SearchModeName(s.mode)) + " · ";
  if (s.confirm_forget && s.Selected()) {
    std::string text = head + "forget every use of '" + Plain(s.Selected()->record.command) + "'? (y/n)";
    return Styled(st.failure.empty() ? st.bold : st.failure, TruncateToWidth(text, ctx.width), st);
  }
  if (!s.error.empty()) return Styled(st.failure, TruncateToWidth(head + Plain(s.error), ctx.width), st);
  std::string text = head + CountText(s);
  if (s.partial) text += " (stopped at the deadline)";
  if (!s.message.empty()) text += " · " + Plain(s.message);
  return Styled(st.dim, TruncateToWidth(text, ctx.width), st);
}

std::string RenderQueryLine(const UiState& s, const FrameContext& ctx, int* cursor_col) {
  std::vector<Shown> chars = Shape(s.query, {});
  int prompt_w = static_cast<int>(kPrompt.size());
  size_t at = 0;  // first character after the cursor
  int before = 0;
  while (at < chars.size() && chars[at].offset < s.cursor) before += chars[at++].width;
  // Keep the cursor on the line: drop characters from the left ("…" shows it).
  size_t first = 0;
  bool cut = false;
  while (prompt_w + before + (cut ? 1 : 0) >= ctx.width && first < at) {
    before -= chars[first++].width;
    cut = true;
  }
  std::string out(kPrompt);
  if (cut) out += "…";
  for (size_t i = first; i < at; ++i) out += chars[i].text;
  int col = prompt_w + (cut ? 1 : 0) + before;
  *cursor_col = col;
  std::string rest;
  for (size_t i = at; i < chars.size(); ++i) rest += chars[i].text;
  out += TruncateToWidth(rest, ctx.width - col);
  return out;
}

std::vector<std::string> RenderDetails(const UiState& s, const FrameContext& ctx, int rows) {
  std::vector<std::string> lines;
  const SearchHit* hit = s.Selected();
  if (hit == nullptr) {
    lines.push_back("  no command selected");
  } else {
    const HistoryRecord& r = hit->record;
    const CommandDetails& d = s.details_data;
    std::string exit = r.running ? "running" : r.exit_code ? std::to_string(*r.exit_code) : "unknown";
    std::string dur = r.duration_ns && !r.running ? FormatDurationHuman(*r.duration_ns) : "-";
    lines.push_back("  command   " + Plain(r.command));
    if (!s.details_error.empty()) {
      lines.push_back("  details   " + Plain(s.details_error));
    } else {
      unsigned rate = d.uses ? static_cast<unsigned>((d.uses - d.failures) * 100ull / d.uses) : 0;
      lines.push_back("  used      " + std::to_string(d.uses) + " times, " + std::to_string(d.failures) + " failed (" +
                      std::to_string(rate) + "% success)");
      if (d.uses > 0) {
        lines.push_back("  first     " + FormatLocalTime(d.first_ns) + "   last " + FormatLocalTime(d.last_ns));
      }
      lines.push_back("  before    " + Join(d.before));
      lines.push_back("  after     " + Join(d.after));
    }
    lines.push_back("  directory " + Plain(r.cwd));
    lines.push_back("  exit      " + exit + "   duration " + dur);
    lines.push_back("  started   " + FormatLocalTime(r.started_at_ns) + " (" + FormatAgo(ctx.now_ns, r.started_at_ns) +
                    " ago)");
    lines.push_back("  session   " + Plain(r.session) + "   host " + Plain(r.host) + "   user " + Plain(r.user) +
                    "   shell " + Plain(r.shell));
    lines.push_back("  id        " + r.id.ToString() + "   seq " + std::to_string(r.seq));
  }
  if (static_cast<int>(lines.size()) > rows) lines.resize(static_cast<size_t>(std::max(rows, 0)));
  for (auto& l : lines) l = TruncateToWidth(l, ctx.width);
  return lines;
}

std::vector<std::string> RenderFrame(const UiState& s, const FrameContext& ctx, int* cursor_col) {
  int height = std::max(ctx.height, 3);
  int rows = height - 2;
  std::vector<std::string> out;
  out.push_back(RenderQueryLine(s, ctx, cursor_col));
  out.push_back(RenderStatus(s, ctx));
  if (s.details) {
    for (auto& l : RenderDetails(s, ctx, rows)) out.push_back(std::move(l));
  } else if (s.error.empty()) {
    for (size_t i = s.top; i < s.hits.size() && i < s.top + static_cast<size_t>(rows); ++i) {
      int digit = static_cast<int>(i - s.top) + 1;
      out.push_back(RenderRow(s.hits[i], digit <= 9 ? digit : 0, i == s.selected, ctx));
    }
  }
  out.resize(static_cast<size_t>(height));
  return out;
}

std::string RenderDumbLine(const UiState& s, const FrameContext& ctx, int* cursor_col) {
  std::string head = RenderQueryLine(s, ctx, cursor_col);
  std::string tail = "  [" + std::string(SearchScopeName(s.scope)) + " " + std::string(SearchModeName(s.mode)) + " " +
                     std::to_string(s.hits.size()) + "]";
  if (!s.error.empty())
    tail += " " + Plain(s.error);
  else if (s.confirm_forget)
    tail += " forget? (y/n)";
  else if (const SearchHit* h = s.Selected())
    tail += " > " + Plain(h->record.command);
  return TruncateToWidth(head + tail, ctx.width - 1);
}

}  // namespace tb
