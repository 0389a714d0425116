// ConfigTest: the fixture of the config tests (tests/core/config*_test.cc):
// a fresh directory per test and a helper that loads a config text.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/config.h"

namespace tb {

// A fresh directory per test, removed afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tb_config_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Writes `text` to <dir>/config.toml and returns its path.
  std::string Write(const std::string& text, const std::string& name = "config.toml") {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Loads `text` as an explicit config file with `env`; returns the status.
  Status Load(const std::string& text, const Env& env = {}) {
    path_ = Write(text);
    return LoadConfig(path_, true, env, &cfg_, &origins_);
  }

  std::string dir_;
  std::string path_;
  Config cfg_;
  ConfigOrigins origins_;
};

}  // namespace tb
