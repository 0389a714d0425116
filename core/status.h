/// @file
/// Status: the one error type of TermBrain (leveldb/RocksDB style).
///
/// Every fallible function returns a [[nodiscard]] Status (or fills an out
/// parameter and returns Status). No exception crosses a module boundary.
/// `tools/` maps a Status to an exit code with ExitCodeFor():
///   ok -> 0, usage/invalid argument -> 2, corruption/incompatible/locked -> 3,
///   busy -> 4, everything else -> 1.
/// Thread safety: a Status is a value type; distinct objects may be used from
/// distinct threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tb {

/// The result of a fallible operation: ok, or an error code with a one-line
/// human message (see the file comment for the exit codes).
class [[nodiscard]] Status {
 public:
  /// What went wrong; kOk for success.
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,       ///< stored data failed verification
    kIncompatible,     ///< foreign or newer store/file: refused, left untouched
    kInvalidArgument,  ///< bad user input (flags, values, config): exit 2
    kIOError,
    kBusy,      ///< store locked by another process: exit 4
    kNoSpace,   ///< disk full
    kTimedOut,  ///< a deadline passed
    kLocked,    ///< the store's key is wrapped by a passphrase and not unlocked: exit 3
  };

  Status() = default;
  /// The ok status (the same as a default-constructed one).
  static Status OK() { return Status(); }
  ///@{
  /// An error of the code of the same name with message `msg` (one line,
  /// naming what failed and, where one helps, what to do; no code prefix).
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Incompatible(std::string msg) { return Status(Code::kIncompatible, std::move(msg)); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  static Status NoSpace(std::string msg) { return Status(Code::kNoSpace, std::move(msg)); }
  static Status TimedOut(std::string msg) { return Status(Code::kTimedOut, std::move(msg)); }
  static Status Locked(std::string msg) { return Status(Code::kLocked, std::move(msg)); }
  ///@}

  /// True for success.
  bool ok() const { return code_ == Code::kOk; }
  ///@{
  /// True when the code is the one in the name (IsBusy: kBusy), for callers
  /// that handle that error (codes without a predicate: compare code()).
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIncompatible() const { return code_ == Code::kIncompatible; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsLocked() const { return code_ == Code::kLocked; }
  ///@}
  /// The error code (kOk for success).
  Code code() const { return code_; }
  /// The human message, without a code prefix.
  const std::string& message() const { return msg_; }
  /// "<code name>: <message>", for logs and tests.
  std::string ToString() const;
  /// Returns a copy whose message is "<context>: <message>"; ok stays ok.
  Status WithContext(std::string_view context) const;

  /// Process exit code for this status (see the table above).
  int ExitCode() const;
  /// The code's name: "ok", "not found", "corruption", ... "locked" (the
  /// kinds `tb telemetry` counts; tools/telemetry.h).
  static std::string_view CodeName(Code code);

 private:
  Status(Code code, std::string msg) : code_(code), msg_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string msg_;
};

/// Evaluates `expr` (a Status) once and returns it from the calling function
/// when it is not ok.
#define TB_RETURN_IF_ERROR(expr)     \
  do {                               \
    ::tb::Status _tb_st = (expr);    \
    if (!_tb_st.ok()) return _tb_st; \
  } while (0)

}  // namespace tb
