# Build-time step of the Debian package (cmake/packaging.cmake): writes one
# file the package ships from what the built `tb` prints, so the package
# never keeps a second copy of text that lives in the code.
#   cmake -DTB=<built tb> -DWHAT=unit|completion|manpages -DOUT=<file or dir>
#         [-DBINARY=/usr/bin/tb] [-DTB_SHELL=bash|zsh|fish] -P packaged_file.cmake
# unit:       `tb install --packaged-unit BINARY`, the systemd user unit
#             (tools/systemd_unit.h, PackagedUnitText).
# completion: `tb completions TB_SHELL`, the shell's completion script
#             (tools/completions.h).
# manpages:   every page `tb help --man` names (tools/manpage.h), each
#             `tb help --man NAME`, gzip -9n, as OUT/NAME.1.gz; then
#             OUT.stamp lists them.
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
elseif(WHAT STREQUAL "completion")
  execute_process(COMMAND ${clean_env} ${TB} completions ${TB_SHELL} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "tb completions ${TB_SHELL} failed (${rc})")
  endif()
  file(WRITE "${OUT}.tmp" "${text}")
elseif(WHAT STREQUAL "manpages")
  execute_process(COMMAND ${clean_env} ${TB} help --man OUTPUT_VARIABLE names RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR names STREQUAL "")
    message(FATAL_ERROR "tb help --man failed (${rc})")
  endif()
  # A page of a group that is gone must not stay behind.
  file(REMOVE_RECURSE "${OUT}")
  file(MAKE_DIRECTORY "${OUT}")
  string(REGEX REPLACE "\n$" "" names "${names}")
  string(REPLACE "\n" ";" names "${names}")
  foreach(name IN LISTS names)
    execute_process(COMMAND ${clean_env} ${TB} help --man ${name} OUTPUT_FILE "${OUT}/${name}.1" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "tb help --man ${name} failed (${rc})")
    endif()
    execute_process(COMMAND gzip -9n "${OUT}/${name}.1" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip of the manual page ${name}(1) failed (${rc})")
    endif()
  endforeach()
  file(WRITE "${OUT}.stamp" "${names}\n")
  return()
else()
  message(FATAL_ERROR "WHAT must be unit, completion or manpages, not '${WHAT}'")
endif()
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
