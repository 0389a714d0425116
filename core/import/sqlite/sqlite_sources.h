/// @file
/// SQLite-backed import sources (atuin, zsh-histdb, legacy TermBrain). They
/// live in their own library (tb_import_sqlite, core/import/sqlite/) so SQLite stays out of tb_core
/// and storage.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/import/source.h"

namespace tb {

/// Opens the SQLite database at `path` as history of kind `source` ("atuin",
/// "histdb" or "termbrain-legacy"). InvalidArgument for another kind or a
/// file that is not such a database, NotFound when it cannot be opened.
Status OpenSqliteImportSource(std::string_view source, const std::string& path, const SourceOptions& options,
                              std::unique_ptr<ImportSource>* out);

}  // namespace tb
