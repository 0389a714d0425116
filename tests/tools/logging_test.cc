#include "tools/logging.h"
#include "tests/status_assert.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace tb {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// A fresh data dir per test, a known umask, and the logger reset afterwards.
class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_umask_ = ::umask(022);  // the usual one: files would be 0644 by default
    std::string tmpl = (fs::temp_directory_path() / "tb_logging_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    data_dir_ = root_ + "/data";
    log_path_ = data_dir_ + "/logs/tb.log.jsonl";
  }
  void TearDown() override {
    ShutdownLogging();
    ::umask(old_umask_);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  mode_t old_umask_ = 0;
  std::string root_;
  std::string data_dir_;
  std::string log_path_;
};

TEST_F(LoggingTest, WritesJsonLinesWithEscapedMessages) {
  Config cfg;
  cfg.log.level = "debug";
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  const std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 bad \xff\xfe end";
  testing::internal::CaptureStderr();
  spdlog::warn("{}", tricky);
  spdlog::debug("debug {}", 42);
  spdlog::trace("below the file level");
  spdlog::error("{}", "caf\xc3\xa9");
  std::string err = testing::internal::GetCapturedStderr();
  ShutdownLogging();

  EXPECT_EQ(err,
            "tb: warning: quote \" backslash \\ newline \\n tab \t bell \\x07 bad \xff\xfe end\n"
            "tb: error: caf\xc3\xa9\n");

  std::vector<std::string> lines = ReadLines(log_path_);
  ASSERT_EQ(lines.size(), 3u);
  const std::regex ts_re(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)");
  const char* levels[] = {"warn", "debug", "error"};
  const std::string msgs[] = {"quote \" backslash \\ newline \n tab \t bell \x07 bad \xEF\xBF\xBD\xEF\xBF\xBD end",
                              "debug 42", "caf\xc3\xa9"};
  for (size_t i = 0; i < lines.size(); ++i) {
    nlohmann::json j = nlohmann::json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << lines[i];
    EXPECT_EQ(j.size(), 4u) << lines[i];
    EXPECT_TRUE(std::regex_match(j["ts"].get<std::string>(), ts_re)) << lines[i];
    EXPECT_EQ(j["level"], levels[i]);
    EXPECT_EQ(j["pid"], static_cast<int>(::getpid()));
    EXPECT_EQ(j["msg"], msgs[i]);
  }
  // Key order is part of the format people grep for.
  EXPECT_EQ(lines[1].substr(0, 7), "{\"ts\":\"");
  EXPECT_NE(lines[1].find("\",\"level\":\"debug\",\"pid\":"), std::string::npos);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 18), ",\"msg\":\"debug 42\"}");
}

TEST_F(LoggingTest, StderrShowsWarnAndAboveUnlessVerbose) {
  Config cfg;
  cfg.log.level = "off";
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  testing::internal::CaptureStderr();
  spdlog::info("quiet");
  spdlog::debug("quieter");
  spdlog::warn("loud");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "tb: warning: loud\n");

  ASSERT_OK(SetupLogging(cfg, data_dir_, true));
  testing::internal::CaptureStderr();
  spdlog::trace("not even verbose");
  spdlog::debug("details");
  spdlog::info("news");
  spdlog::critical("fire");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "tb: debug: details\ntb: info: news\ntb: critical: fire\n");
}

TEST_F(LoggingTest, LevelOffCreatesNothing) {
  Config cfg;
  cfg.log.level = "off";
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  testing::internal::CaptureStderr();
  spdlog::error("x");
  testing::internal::GetCapturedStderr();
  EXPECT_FALSE(fs::exists(data_dir_));
}

TEST_F(LoggingTest, FileLevelFiltersFileOnly) {
  Config cfg;  // log.level = warn
  ASSERT_OK(SetupLogging(cfg, data_dir_, true));
  testing::internal::CaptureStderr();
  spdlog::info("to stderr only");
  spdlog::warn("to both");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "tb: info: to stderr only\ntb: warning: to both\n");
  std::vector<std::string> lines = ReadLines(log_path_);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "to both");
}

TEST_F(LoggingTest, PrivatePermissionsIncludingRotatedFiles) {
  Config cfg;
  cfg.log.level = "info";
  cfg.log.max_file_kb = 16;
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  for (int i = 0; i < 400; ++i) spdlog::info("message {:04d} {}", i, std::string(60, 'p'));
  ShutdownLogging();
  EXPECT_EQ(ModeOf(data_dir_), 0700);
  EXPECT_EQ(ModeOf(data_dir_ + "/logs"), 0700);
  EXPECT_EQ(ModeOf(log_path_), 0600);
  ASSERT_TRUE(fs::exists(data_dir_ + "/logs/tb.log.1.jsonl"));
  EXPECT_EQ(ModeOf(data_dir_ + "/logs/tb.log.1.jsonl"), 0600);
}

TEST_F(LoggingTest, ExistingLooseFileIsTightened) {
  fs::create_directories(data_dir_ + "/logs");
  std::ofstream(log_path_) << "";
  ASSERT_EQ(::chmod(log_path_.c_str(), 0644), 0);
  ASSERT_OK(SetupLogging(Config{}, data_dir_, false));
  EXPECT_EQ(ModeOf(log_path_), 0600);
}

TEST_F(LoggingTest, RotationCapsSizeAndFileCount) {
  Config cfg;
  cfg.log.level = "info";
  cfg.log.max_file_kb = 16;
  cfg.log.max_files = 3;
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  const int kMessages = 2000;  // ~230 KB of JSON, far more than 3 x 16 KiB
  for (int i = 0; i < kMessages; ++i) spdlog::info("message {:05d} {}", i, std::string(120, 'r'));
  ShutdownLogging();

  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(data_dir_ + "/logs")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{data_dir_ + "/logs/tb.log.1.jsonl", data_dir_ + "/logs/tb.log.2.jsonl",
                                             log_path_}));
  for (const std::string& f : files) {
    EXPECT_LE(fs::file_size(f), 16u * 1024u) << f;
    if (f != log_path_) {
      EXPECT_GT(fs::file_size(f), 15u * 1024u) << f;  // rotated only when full
    }
    for (const std::string& line : ReadLines(f)) {
      EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
    }
  }
  // The newest record is last in the current file.
  std::vector<std::string> current = ReadLines(log_path_);
  ASSERT_FALSE(current.empty());
  EXPECT_NE(current.back().find("message 01999"), std::string::npos);
}

TEST_F(LoggingTest, SingleFileIsTruncatedWhenFull) {
  Config cfg;
  cfg.log.level = "info";
  cfg.log.max_file_kb = 16;
  cfg.log.max_files = 1;
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  for (int i = 0; i < 1000; ++i) spdlog::info("message {:05d} {}", i, std::string(120, 's'));
  ShutdownLogging();
  size_t count = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(data_dir_ + "/logs")) ++count;
  EXPECT_EQ(count, 1u);
  EXPECT_LE(fs::file_size(log_path_), 16u * 1024u);
}

TEST_F(LoggingTest, RelativeAndAbsoluteLogFile) {
  Config cfg;
  EXPECT_EQ(LogFilePath(cfg, "/d"), "/d/logs/tb.log.jsonl");
  EXPECT_EQ(LogFilePath(cfg, ""), "");
  cfg.log.file = "mine/x.jsonl";
  EXPECT_EQ(LogFilePath(cfg, "/d"), "/d/mine/x.jsonl");
  EXPECT_EQ(LogFilePath(cfg, ""), "");
  cfg.log.file = "/var/log/x.jsonl";
  EXPECT_EQ(LogFilePath(cfg, "/d"), "/var/log/x.jsonl");
  EXPECT_EQ(LogFilePath(cfg, ""), "/var/log/x.jsonl");

  cfg.log.file = "mine/x.jsonl";
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  testing::internal::CaptureStderr();
  spdlog::warn("here");
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(ReadLines(data_dir_ + "/mine/x.jsonl").size(), 1u);
  EXPECT_EQ(ModeOf(data_dir_ + "/mine"), 0700);
}

// --- failures: tb must stay usable -------------------------------------------

// After a failed setup, messages still reach stderr.
void ExpectStderrWorks() {
  testing::internal::CaptureStderr();
  spdlog::error("still {}", "works");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "tb: error: still works\n");
}

TEST_F(LoggingTest, UncreatableLogDirKeepsStderr) {
  // The data dir is a regular file, so even root cannot create logs/ in it.
  std::ofstream(root_ + "/file") << "x";
  Status s = SetupLogging(Config{}, root_ + "/file", false);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "cannot create log directory (" + root_ +
                             "/file): Not a directory. Logging to stderr only; check the path "
                             "and its permissions or set log.file");
  ExpectStderrWorks();
}

TEST_F(LoggingTest, UnwritableLogDirKeepsStderr) {
  fs::create_directories(data_dir_ + "/logs");
  ASSERT_EQ(::chmod((data_dir_ + "/logs").c_str(), 0500), 0);
  // Root ignores directory permissions: run the check as "nobody" in a child.
  auto check = [&]() -> bool {
    Status s = SetupLogging(Config{}, data_dir_, false);
    return s.code() == Status::Code::kIOError &&
           s.message() == "cannot open log file (" + log_path_ +
                              "): Permission denied. Logging to stderr only; check the path and "
                              "its permissions or set log.file";
  };
  if (::geteuid() == 0) {
    ::chmod(root_.c_str(), 0755);
    ::chmod(data_dir_.c_str(), 0755);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      bool ok = ::setgid(65534) == 0 && ::setuid(65534) == 0 && check();
      ::_exit(ok ? 0 : 1);
    }
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    ::chmod((data_dir_ + "/logs").c_str(), 0700);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "as nobody: expected a permission error";
  } else {
    bool ok = check();
    ::chmod((data_dir_ + "/logs").c_str(), 0700);
    EXPECT_TRUE(ok);
    ExpectStderrWorks();
  }
}

TEST_F(LoggingTest, LogFileThatIsADirectoryKeepsStderr) {
  Config cfg;
  cfg.log.file = root_;
  Status s = SetupLogging(cfg, data_dir_, false);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(), "cannot open log file (" + root_ +
                             "): Is a directory. Logging to stderr only; check the path and its "
                             "permissions or set log.file");
  ExpectStderrWorks();
}

TEST_F(LoggingTest, NoDataDirKeepsStderr) {
  Status s = SetupLogging(Config{}, "", false);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_EQ(s.message(),
            "cannot open log file (no data directory). Logging to stderr only; "
            "check the path and its permissions or set log.file");
  ExpectStderrWorks();
}

TEST_F(LoggingTest, BadLevelKeepsStderr) {
  Config cfg;
  cfg.log.level = "loud";
  Status s = SetupLogging(cfg, data_dir_, false);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "invalid log.level \"loud\". Use trace, debug, info, warn, error or off");
  ExpectStderrWorks();
  EXPECT_FALSE(fs::exists(data_dir_));
}

TEST_F(LoggingTest, WriteFailureIsReportedOnceOnStderr) {
  Config cfg;
  cfg.log.file = "/dev/full";  // every write fails with ENOSPC
  int mode_before = ModeOf("/dev/full");
  ASSERT_OK(SetupLogging(cfg, data_dir_, false));
  EXPECT_EQ(ModeOf("/dev/full"), mode_before);  // only regular files are made 0600
  testing::internal::CaptureStderr();
  spdlog::warn("one");
  spdlog::warn("two");
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "tb: warning: one\n"
            "tb: warning: writing the log file failed: Failed flush to file /dev/full: No "
            "space left on device\n"
            "tb: warning: two\n");
}

}  // namespace
}  // namespace tb
