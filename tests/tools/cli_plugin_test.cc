// Plugins (tools/plugins.h): an executable tb-NAME on PATH runs as
// `tb NAME`, with the data dir, config, format and tb's own path in its
// environment, its exit status as tb's; tb's own commands win; `tb help`
// lists the plugins; examples/tb-hello works as documented.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/tools/cli_fixture.h"

namespace tb::testing {
namespace {

namespace fs = std::filesystem;

class CliPlugin : public CliTest {
 protected:
  std::string Bin() const { return root() + "/bin"; }
  // Writes an executable `bin/tb-<name>` with `script`.
  void Install(const std::string& name, const std::string& script, unsigned mode = 0755) const {
    fs::create_directories(Bin());
    WriteFile(Bin() + "/tb-" + name, script);
    ::chmod((Bin() + "/tb-" + name).c_str(), mode);
  }
  TbCall OnPath() const {
    TbCall c;
    c.env = {{"PATH", Bin() + ":/usr/local/bin:/usr/bin:/bin"}};
    return c;
  }
};

TEST_F(CliPlugin, RunsAsASubcommandWithItsEnvironmentAndExitStatus) {
  Install("env",
          "#!/bin/sh\n"
          "printf 'args:'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo\n"
          "echo \"data $TB_DATA_DIR\"; echo \"config $TB_CONFIG\"; echo \"format $TB_FORMAT\"\n"
          "\"$TB_BIN\" --version\n"
          "exit 7\n");
  RunResult r = Tb({"env", "a b", "--format", "json", "-x"}, OnPath());
  EXPECT_EXIT_CODE(r, 7);
  EXPECT_EQ(r.out, "args: [a b] [--format] [json] [-x]\ndata " + data_dir() + "\nconfig " + root() +
                       "/xdg/config/termbrain/config.toml\nformat json\n" + Tb({"--version"}).out);
  EXPECT_EQ(r.err, "");
  // A plugin that cannot be run: one line, exit 1.
  Install("broken", "#!/nonexistent/interpreter\n");
  r = Tb({"broken"}, OnPath());
  EXPECT_EXIT_CODE(r, 1);
  EXPECT_EQ(r.err, "tb: error: cannot run the plugin " + Bin() + "/tb-broken: No such file or directory\n");
}

TEST_F(CliPlugin, BuiltinsWinAndHelpListsThePlugins) {
  Install("history", "#!/bin/sh\necho not me\n");
  Install("backup", "#!/bin/sh\necho not me either\n");  // a group of tb's commands
  Install("zzz-report", "#!/bin/sh\necho report\n");
  Install("not-executable", "#!/bin/sh\necho no\n", 0644);
  Install("Bad_Name", "#!/bin/sh\necho no\n");
  Record("ls");
  RunResult r = Tb({"history", "--format", "plain"}, OnPath());
  EXPECT_EQ(r.out, "ls\n");
  r = Tb({"backup", "creat"}, OnPath());  // a typo in a group is still tb's error
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err.rfind("tb: error: unknown command 'backup creat'. Did you mean 'tb backup create'?", 0), 0u) << r.err;
  r = Tb({"help"}, OnPath());
  ASSERT_EXIT_CODE(r, 0);
  const size_t at = r.out.find("\nplugins (tb-NAME on PATH; docs/plugins.md):\n");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string section = r.out.substr(at);
  EXPECT_NE(section.find("  zzz-report"), std::string::npos) << section;
  EXPECT_NE(section.find(Bin() + "/tb-zzz-report\n"), std::string::npos) << section;
  for (const char* absent : {"tb-history", "tb-backup", "not-executable", "Bad_Name"}) {
    EXPECT_EQ(section.find(absent), std::string::npos) << absent;
  }
  // Without plugins on PATH, help has no such section and an unknown word
  // is the usual error.
  EXPECT_EQ(Tb({"help"}).out.find("plugins ("), std::string::npos);
  r = Tb({"not-executable"}, OnPath());
  EXPECT_EXIT_CODE(r, 2);
  EXPECT_EQ(r.err.rfind("tb: error: unknown command 'not-executable'", 0), 0u) << r.err;
}

TEST_F(CliPlugin, TheExamplePluginWorksAsDocumented) {
  fs::create_directories(Bin());
  fs::copy_file(std::string(TB_SOURCE_DIR) + "/examples/tb-hello", Bin() + "/tb-hello");
  Record("make build");
  Record("make test");
  RunResult r = Tb({"hello", "Ada"}, OnPath());
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(r.out, "hello Ada (data dir " + data_dir() + ")\nmake test\nmake build\n");
  r = Tb({"hello", "--format", "ndjson"}, OnPath());
  ASSERT_EXIT_CODE(r, 0);
  EXPECT_EQ(SplitLines(r.out).size(), 3u) << r.out;
  EXPECT_TRUE(r.out.starts_with("hello there (data dir " + data_dir() + ")\n{\"")) << r.out;
}

}  // namespace
}  // namespace tb::testing
