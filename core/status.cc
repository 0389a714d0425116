#include "core/status.h"

namespace tb {
std::string_view Status::CodeName(Code c) {
  switch (c) {
    case Status::Code::kOk: return "ok";
    case Status::Code::kNotFound: return "not found";
    case Status::Code::kCorruption: return "corruption";
    case Status::Code::kIncompatible: return "incompatible";
    case Status::Code::kInvalidArgument: return "invalid argument";
    case Status::Code::kIOError: return "io error";
    case Status::Code::kBusy: return "busy";
    case Status::Code::kNoSpace: return "no space";
    case Status::Code::kTimedOut: return "timed out";
    case Status::Code::kLocked: return "locked";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + msg_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + msg_);
}

int Status::ExitCode() const {
  switch (code_) {
    case Code::kOk: return 0;
    case Code::kInvalidArgument: return 2;
    case Code::kCorruption:
    case Code::kIncompatible:
    case Code::kLocked: return 3;
    case Code::kBusy: return 4;
    default: return 1;
  }
}

}  // namespace tb
