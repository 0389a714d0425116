// What a completion (core/view.h) teaches the analytics views: pure
// functions shared by the views' Apply and their removal recompute.
//
// `sequences` view keys (docs/formats.md):
//   'n' u8(n) lpbytes(t1) .. lpbytes(tn)   n = 1..4: a run of n templates ending
//                                          with a completed command in one session
//                                          (n = 1: every completed command)
//   'd' lpbytes(cwd) lpbytes(t)            template t completed in directory cwd
//   value := varint(count); merge operand := varint(added)
// `fixes` view keys:
//   lpbytes(failed command) lpbytes(fix command) i64key(time) u64be(seq)
//   value := zigzag(failed exit) varint(failed seq)
//   (time, seq: the completion that taught the pair)
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/view.h"

namespace tb {

// The `sequences` counters `c` adds one to.
void SequenceKeys(const Completion& c, std::vector<std::string>* keys);
std::string NgramKey(std::span<const std::string_view> templates);
std::string NgramPrefix(size_t n, std::span<const std::string_view> leading);  // all n-grams starting so
std::string DirKey(std::string_view cwd, std::string_view tmpl);
std::string DirPrefix(std::string_view cwd);
// Parses an 'n' key into its templates; false otherwise.
bool ParseNgramKey(std::string_view key, std::vector<std::string_view>* templates);
// Parses a 'd' key; false otherwise.
bool ParseDirKey(std::string_view key, std::string_view* cwd, std::string_view* tmpl);

// The fix `c` teaches (core/analytics/fixes.h), as a `fixes` key and value.
bool FixOf(const Completion& c, std::string* key, std::string* value);
bool ParseFixKey(std::string_view key, std::string_view* failed, std::string_view* fix, int64_t* time_ns,
                 uint64_t* seq);
bool ParseFixValue(std::string_view value, int32_t* exit, uint64_t* failed_seq);

}  // namespace tb
