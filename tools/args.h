// Args: Boost.Program_options for one subcommand, with one-line errors.
//
// Every parse failure (unknown flag, missing value, extra operand, bad
// number) becomes Status::InvalidArgument (exit 2) naming the flag and the
// command, e.g. "unrecognised option '--lmit' (tb history). Run 'tb help history'".
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/history_query.h"
#include "core/status.h"

namespace tb {

namespace po = boost::program_options;

// One option as a command's parser declares it (Args::Describe).
struct OptionInfo {
  std::string long_name;             // "format" (without dashes)
  std::string short_name;            // "n" for -n, else ""
  std::string value_name;            // "F"; "" for a switch
  std::string description;           // the help line
  std::vector<std::string> choices;  // the values it accepts, when they are a fixed list
};

// What a command's parser declares: its synopsis (without "tb "), options
// (--help first) and operands, in declaration order.
struct ArgsInfo {
  std::string usage;
  std::vector<OptionInfo> options;
  std::vector<std::string> operands;  // "query", "id" ...
};

class Args {
 public:
  // `cmd` as typed ("history", "log dump"); `usage` the synopsis line.
  Args(std::string cmd, std::string usage);
  po::options_description& opts() { return opts_; }
  // Declares a positional operand (max 1 occurrence unless `many`).
  void Positional(const char* name, bool many = false);
  // Records the fixed list of values option `name` accepts (for shell
  // completion and the manual pages; the command still checks the value).
  void Choices(const char* name, std::vector<std::string> values);
  // Parses. When --help is given, *help is set and the help text is in
  // HelpText(); callers print it and return OK. While a DescribeScope is
  // alive on this thread, Parse parses nothing: it records what was
  // declared there and returns Status::Busy, which the handler returns.
  Status Parse(const std::vector<std::string>& args, bool* help);
  ArgsInfo Info() const;
  std::string HelpText() const;

  bool Has(const char* name) const { return vm_.count(name) > 0; }
  std::string Str(const char* name) const;
  std::vector<std::string> Strs(const char* name) const;
  std::optional<std::string> OptStr(const char* name) const;
  // Integer options given as text, validated with a one-line message.
  Status Int(const char* name, int64_t lo, int64_t hi, std::optional<int64_t>* out) const;
  const std::string& cmd() const { return cmd_; }

 private:
  std::string cmd_;
  std::string usage_;
  po::options_description opts_;
  po::positional_options_description pos_;
  std::vector<std::string> pos_names_;
  po::variables_map vm_;
  std::vector<std::pair<std::string, std::vector<std::string>>> choices_;
};

// Runs a command handler as a description: the first Args::Parse on this
// thread while the scope lives stores its ArgsInfo in *info and stops the
// handler there, before it reads its arguments or touches a store. Handlers
// parse before anything else (tools/commands.h); one that does not use Args
// leaves *info empty. Not reentrant.
class DescribeScope {
 public:
  explicit DescribeScope(std::optional<ArgsInfo>* info);
  ~DescribeScope();
  DescribeScope(const DescribeScope&) = delete;
  DescribeScope& operator=(const DescribeScope&) = delete;
};

// Parses a whole number in [lo, hi] for flag `flag` (message names it).
Status ParseIntFlag(const std::string& flag, const std::string& text, int64_t lo, int64_t hi, int64_t* out);

// The history filters of the interface contract, shared by history/search.
void AddFilterOptions(po::options_description& opts);
// Fills `f` from the parsed filters; `now_ns` resolves relative times.
Status FilterFromArgs(const Args& a, int64_t now_ns, HistoryFilter* f);
// Adds `--format table|json` (default table), parses, and sets *json.
// Another value: InvalidArgument naming the command.
Status ParseTableOrJson(Args& a, const std::vector<std::string>& args, bool* help, bool* json);
// Adds --format table|json|ndjson|csv|plain (default `def`).
void AddFormatOption(Args& a, const char* def);

}  // namespace tb
