// tb import --list [--format table|json] and tb import --undo BATCH: the
// import batches (core/views/batches_view.h) and their reverts.
#include <cstdio>

#include "core/import/plain_dedup.h"
#include "core/keycode.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "core/views/batches_view.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace tb {
namespace {

// One row of tb import --list.
struct BatchRow {
  uint64_t batch = 0;
  bool have_info = false;  // ImportCompleted found (else a partial batch)
  bool reverted = false;
  Event info;
};

// Every import batch of the store, in batch order: completed ones with
// their ImportCompleted event, partial ones (interrupted) without.
Status ReadBatches(Store& store, std::vector<BatchRow>* rows_out) {
  std::vector<BatchRow>& rows = *rows_out;
  return ForEachImportBatch(store.reader(), [&](uint64_t batch) {
    BatchRow row;
    row.batch = batch;
    BatchStatus st;
    TB_RETURN_IF_ERROR(GetBatchStatus(store.reader(), batch, &st));
    row.reverted = st.reverted;
    if (st.completed_seq != 0 && store.reader().GetEvent(st.completed_seq, &row.info).ok()) {
      row.have_info = true;
      rows.push_back(std::move(row));
    } else if (st.completed_seq == 0) {
      rows.push_back(std::move(row));
    }
    return Status::OK();
  });
}

std::string BatchesJson(const std::vector<BatchRow>& rows) {
  // [{"batch","time","source","file","imported","duplicates","malformed",
  //   "state"}]: time RFC 3339 UTC; a partial batch (interrupted, no
  // ImportCompleted) has null time/source/file/counts.
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const BatchRow& b = rows[i];
    out += i == 0 ? "\n" : ",\n";
    out += "  {\"batch\": " + std::to_string(b.batch) + ", \"time\": ";
    if (b.have_info) {
      out += "\"";
      AppendRfc3339Millis(b.info.time_ns, &out);
      out += "\", \"source\": ";
      AppendJsonString(&out, b.info.source);
      out += ", \"file\": ";
      AppendJsonString(&out, b.info.detail);
      out += ", \"imported\": " + std::to_string(b.info.imported) +
             ", \"duplicates\": " + std::to_string(b.info.duplicates) +
             ", \"malformed\": " + std::to_string(b.info.malformed);
    } else {
      out +=
          "null, \"source\": null, \"file\": null, \"imported\": null, \"duplicates\": null, "
          "\"malformed\": null";
    }
    out += std::string(", \"state\": \"") + (b.reverted ? "undone" : b.have_info ? "active" : "partial") + "\"}";
  }
  out += rows.empty() ? "]\n" : "\n]\n";
  return out;
}

std::string BatchesTable(const std::vector<BatchRow>& rows) {
  std::string out = "BATCH     TIME                  SOURCE   IMPORTED  DUPLICATES  MALFORMED  STATE     FILE\n";
  for (const BatchRow& b : rows) {
    if (b.have_info) {
      const Event& ev = b.info;
      char line[512];
      std::snprintf(line, sizeof line, "%-9llu %-21s %-8s %9llu %11llu %10llu  %-8s  ",
                    static_cast<unsigned long long>(b.batch), FormatLocalTime(ev.time_ns).c_str(), ev.source.c_str(),
                    static_cast<unsigned long long>(ev.imported), static_cast<unsigned long long>(ev.duplicates),
                    static_cast<unsigned long long>(ev.malformed), b.reverted ? "undone" : "active");
      out += line + ev.detail + "\n";
    } else {
      char line[256];
      std::snprintf(line, sizeof line, "%-9llu %-21s %-8s %9s %11s %10s  %-8s\n",
                    static_cast<unsigned long long>(b.batch), "-", "-", "-", "-", "-",
                    b.reverted ? "undone" : "partial");
      out += line;
    }
  }
  return out;
}

}  // namespace

Status ImportList(Context& ctx, bool json) {
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStoreToRead(&store));
  std::vector<BatchRow> rows;
  TB_RETURN_IF_ERROR(ReadBatches(*store, &rows));
  WriteOut(json ? BatchesJson(rows) : BatchesTable(rows));
  return Status::OK();
}

Status ImportUndo(Context& ctx, const std::string& text) {
  int64_t batch = 0;
  TB_RETURN_IF_ERROR(ParseIntFlag("--undo", text, 1, INT64_MAX, &batch));
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(ctx.OpenStore(&store));
  auto b = static_cast<uint64_t>(batch);
  BatchStatus st;
  TB_RETURN_IF_ERROR(GetBatchStatus(store->reader(), b, &st));
  if (st.reverted) {
    return Status::InvalidArgument("import batch " + text + " is already undone. See tb import --list");
  }
  bool members = false;
  TB_RETURN_IF_ERROR(HasBatchMembers(store->reader(), b, &members));
  if (st.completed_seq == 0 && !members) {
    return Status::NotFound("no import batch " + text + ". See tb import --list");
  }
  Event ev;
  ev.kind = EventKind::kBatchReverted;
  ev.batch = b;
  ev.time_ns = NowNs();
  ev.host = HostName();
  ev.user = ctx.UserName();
  TB_RETURN_IF_ERROR(store->Append(std::span<Event>(&ev, 1), true));
  WriteOut("undid import batch " + text + "\n");
  return Status::OK();
}

}  // namespace tb
