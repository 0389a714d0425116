# Build-time step of the Debian package (cmake/packaging.cmake): writes one
# file the package ships from what the built `tb` prints, so the package
# never keeps a second copy of text that lives in the code.
#   cmake -DTB=<built tb> -DWHAT=unit|manpage -DOUT=<file> [-DBINARY=/usr/bin/tb]
#         [-DVERSION=X.Y.Z] -P packaged_file.cmake
# unit:    `tb install --packaged-unit BINARY`, the systemd user unit
#          (tools/systemd_unit.h, PackagedUnitText).
# manpage: tb(1), gzip -9n: `tb help` as its COMMANDS section.
# The tb run sees no TERMBRAIN_* variable and no HOME of the builder.
set(clean_env ${CMAKE_COMMAND} -E env --unset=TERMBRAIN_CONFIG --unset=TERMBRAIN_DATA_DIR
              --unset=TERMBRAIN_SPOOL_DIR HOME=/nonexistent XDG_CONFIG_HOME= XDG_DATA_HOME=)
if(WHAT STREQUAL "unit")
  execute_process(COMMAND ${clean_env} ${TB} install --packaged-unit ${BINARY}
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "tb install --packaged-unit ${BINARY} failed (${rc})")
  endif()
  file(WRITE "${OUT}.tmp" "${text}")
elseif(WHAT STREQUAL "manpage")
  execute_process(COMMAND ${clean_env} ${TB} help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR help STREQUAL "")
    message(FATAL_ERROR "tb help failed (${rc})")
  endif()
  # roff: a backslash is \e, a minus is \-, a line may not start with . or '.
  string(REPLACE "\\" "\\e" help "${help}")
  string(REPLACE "-" "\\-" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  set(page ".TH TB 1 \"\" \"termbrain ${VERSION}\" \"User Commands\"\n")
  string(APPEND page ".SH NAME\ntb \\- TermBrain, your terminal command memory\n")
  string(APPEND page ".SH SYNOPSIS\n.B tb\n[\\fB\\-\\-data\\-dir\\fR \\fIDIR\\fR] [\\fB\\-\\-config\\fR \\fIFILE\\fR] "
         "\\fICOMMAND\\fR [\\fIARGS\\fR...]\n")
  string(APPEND page ".SH DESCRIPTION\nShell hooks record every command you run (text, directory, exit status, "
         "duration, session, host, user, shell); \\fBtb\\fR finds any of them again, summarises the history and "
         "keeps it safe (backups, restore, rollback, retention, redaction of secrets).\n"
         ".PP\n\\fBtb help\\fR \\fICOMMAND\\fR prints the options of one command.\n")
  string(APPEND page ".SH COMMANDS\n.nf\n${help}.fi\n")
  string(APPEND page ".SH FILES\n.TP\n\\fI~/.local/share/termbrain\\fR\nthe store (\\fB$XDG_DATA_HOME/termbrain\\fR)\n"
         ".TP\n\\fI~/.config/termbrain/config.toml\\fR\nthe configuration (\\fB$XDG_CONFIG_HOME\\fR)\n"
         ".TP\n\\fI/usr/lib/systemd/user/termbrain.service\\fR\nthe daemon as a systemd user unit\n"
         ".TP\n\\fI/usr/lib/systemd/system/termbrain@.service\\fR\nthe daemon for a service account\n")
  string(APPEND page ".SH SEE ALSO\nThe documentation in \\fI/usr/share/doc/termbrain\\fR: README.md, "
         "operations.md, packaging.md, security.md.\n")
  file(WRITE "${OUT}.page" "${page}")
  execute_process(COMMAND gzip -9nc "${OUT}.page" OUTPUT_FILE "${OUT}.tmp" RESULT_VARIABLE rc)
  file(REMOVE "${OUT}.page")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip of the manual page failed (${rc})")
  endif()
else()
  message(FATAL_ERROR "WHAT must be unit or manpage, not '${WHAT}'")
endif()
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
