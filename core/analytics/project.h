/// @file
/// Project detection for `tb context`: what kind of project a directory is
/// (from marker files in it) and its git branch and remote (read from the
/// .git files of the nearest enclosing repository; no process is spawned).
///
/// Thread safety: reentrant (reads files only).
#pragma once

#include <string>
#include <vector>

namespace tb {

/// What `tb context` says of a project directory (its "Project" section).
struct ProjectInfo {
  std::string dir;                 ///< the directory examined
  std::vector<std::string> types;  ///< e.g. "C/C++ (CMake)", in marker-table order
  std::string git_root;            ///< "" when not in a git repository
  std::string branch;              ///< "" when unknown; "(detached at 1a2b3c4)" for a bare hash
  std::string remote;              ///< url of remote "origin" (else the first remote); credentials removed
};

/// Never fails: what cannot be read is left empty.
ProjectInfo DetectProject(const std::string& dir);

/// Removes "user:password@" / "token@" from a URL's authority
/// ("https://u:p@host/x" -> "https://host/x"); scp-like "git@host:x" is kept.
std::string StripUrlCredentials(const std::string& url);

}  // namespace tb
