# The Debian package (cpack -G DEB in a Release tree; scripts/package builds
# it with Debian's hardening flags) and the tests of everything shipped
# (label ship: TB_SHIP_TESTS=ON; scripts/ship-test runs them). docs/packaging.md
# describes the package, the units, the container image and the manifests.
#
#   /usr/bin/tb
#   /usr/lib/systemd/user/termbrain.service     printed by the built tb at build
#                                               time (tb install --packaged-unit)
#   /usr/lib/systemd/system/termbrain@.service  deploy/systemd/termbrain@.service
#   /usr/share/man/man1/tb.1.gz, tb-GROUP.1.gz  tb help --man: the overview and a
#                                               page per command group
#   /usr/share/bash-completion/completions/tb   tb completions bash
#   /usr/share/zsh/vendor-completions/_tb       tb completions zsh
#   /usr/share/fish/vendor_completions.d/tb.fish  tb completions fish
#   /usr/share/doc/termbrain/                   README.md, SECURITY.md, docs/*.md,
#                                               copyright (from LICENSE),
#                                               changelog.Debian.gz (deploy/debian/changelog)
include(GNUInstallDirs)

set(TB_PKG_DIR ${CMAKE_BINARY_DIR}/packaging)
set(TB_PKG_BINARY /usr/bin/tb)

add_custom_command(
  OUTPUT ${TB_PKG_DIR}/termbrain.service
  COMMAND ${CMAKE_COMMAND} -DTB=$<TARGET_FILE:tb> -DWHAT=unit -DBINARY=${TB_PKG_BINARY}
          -DOUT=${TB_PKG_DIR}/termbrain.service -P ${CMAKE_SOURCE_DIR}/cmake/packaged_file.cmake
  DEPENDS tb ${CMAKE_SOURCE_DIR}/cmake/packaged_file.cmake
  COMMENT "printing the packaged systemd user unit (tb install --packaged-unit)")
add_custom_command(
  OUTPUT ${TB_PKG_DIR}/man1.stamp
  COMMAND ${CMAKE_COMMAND} -DTB=$<TARGET_FILE:tb> -DWHAT=manpages -DOUT=${TB_PKG_DIR}/man1 -P
          ${CMAKE_SOURCE_DIR}/cmake/packaged_file.cmake
  DEPENDS tb ${CMAKE_SOURCE_DIR}/cmake/packaged_file.cmake
  COMMENT "writing the manual pages tb(1), tb-GROUP(1) (tb help --man)")
# Each shell's completion, named as the shell's package directory wants it.
set(TB_COMPLETION_FILES bash/tb zsh/_tb fish/tb.fish)
set(tb_completion_outputs)
foreach(file IN LISTS TB_COMPLETION_FILES)
  get_filename_component(shell ${file} DIRECTORY)
  add_custom_command(
    OUTPUT ${TB_PKG_DIR}/completions/${file}
    COMMAND ${CMAKE_COMMAND} -DTB=$<TARGET_FILE:tb> -DWHAT=completion -DTB_SHELL=${shell}
            -DOUT=${TB_PKG_DIR}/completions/${file} -P ${CMAKE_SOURCE_DIR}/cmake/packaged_file.cmake
    DEPENDS tb ${CMAKE_SOURCE_DIR}/cmake/packaged_file.cmake
    COMMENT "printing the ${shell} completion (tb completions ${shell})")
  list(APPEND tb_completion_outputs ${TB_PKG_DIR}/completions/${file})
endforeach()
add_custom_command(
  OUTPUT ${TB_PKG_DIR}/changelog.Debian.gz
  COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/deploy/debian/changelog > ${TB_PKG_DIR}/changelog.Debian.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/deploy/debian/changelog
  COMMENT "compressing deploy/debian/changelog")
add_custom_target(tb_package_files ALL DEPENDS ${TB_PKG_DIR}/termbrain.service ${TB_PKG_DIR}/man1.stamp
                                               ${tb_completion_outputs} ${TB_PKG_DIR}/changelog.Debian.gz)

# debian/copyright in the machine-readable format, its license text LICENSE's.
file(READ ${CMAKE_SOURCE_DIR}/LICENSE tb_license)
string(REGEX REPLACE "^MIT License\n\n[^\n]*\n\n" "" tb_license "${tb_license}")
string(REGEX REPLACE "\n+$" "" tb_license "${tb_license}")
string(REPLACE "\n\n" "\n.\n" tb_license "${tb_license}")
string(REPLACE "\n" "\n " tb_license "${tb_license}")
file(WRITE ${TB_PKG_DIR}/copyright
     "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
     "Upstream-Name: termbrain\n"
     "Comment: /usr/bin/tb links RocksDB statically (Debian's librocksdb-dev, GPL-2 or\n"
     " Apache-2.0) and compiles in header-only libraries: FlatBuffers (Apache-2.0),\n"
     " toml++, nlohmann-json, cpp-httplib and Howard Hinnant's date (each Expat).\n"
     "\n"
     "Files: *\n"
     "Copyright: 2026 The TermBrain Authors\n"
     "License: Expat\n"
     " ${tb_license}\n")

install(TARGETS tb RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Stripped as dh_strip strips: no symbols, no .comment or .note section.
find_program(TB_STRIP NAMES strip REQUIRED)
install(CODE "execute_process(COMMAND ${TB_STRIP} --remove-section=.comment --remove-section=.note --strip-unneeded
                             \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/tb\"
                             RESULT_VARIABLE rc)
              if(NOT rc EQUAL 0)
                message(FATAL_ERROR \"strip of tb failed\")
              endif()")
install(FILES ${TB_PKG_DIR}/termbrain.service DESTINATION lib/systemd/user)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/termbrain@.service DESTINATION lib/systemd/system)
install(DIRECTORY ${TB_PKG_DIR}/man1/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${TB_PKG_DIR}/completions/bash/tb DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)
install(FILES ${TB_PKG_DIR}/completions/zsh/_tb DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions)
install(FILES ${TB_PKG_DIR}/completions/fish/tb.fish DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/fish/vendor_completions.d)
file(GLOB TB_DOC_FILES ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/SECURITY.md ${TB_DOC_FILES}
              ${TB_PKG_DIR}/copyright ${TB_PKG_DIR}/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME termbrain)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "The TermBrain Authors <maintainers@termbrain.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "terminal command memory with an event-sourced store")
# The extended description (the synopsis is the summary above): one string.
set(CPACK_PACKAGE_DESCRIPTION
    "TermBrain (tb) records every command run in bash, zsh or fish (text,
directory, exit status, duration, session, host) through shell hooks and
finds any of them again in milliseconds: history, search, statistics,
patterns, fixes for errors and suggestions. Its store is an append-only
RocksDB event log with derived views; backups, restore, rollback,
retention and redaction of secrets are built in. An optional daemon
(a systemd user unit, or a system unit for service accounts) stores
commands as they finish.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# Modes and owners as Debian wants them (root:root, 0755 directories).
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                               WORLD_READ WORLD_EXECUTE)
set(CPACK_SET_DESTDIR OFF)
include(CPack)

# --- the ship tests (label ship; scripts/ship-test runs them on the tree
# scripts/package builds). Each prints what it checked; 77 = skipped. ---
if(TB_SHIP_TESTS)
  enable_testing()
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE TB_DEB_ARCH OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(TB_DEB ${CMAKE_BINARY_DIR}/termbrain_${PROJECT_VERSION}-1_${TB_DEB_ARCH}.deb)
  set(TB_SHIP_WORK ${CMAKE_BINARY_DIR}/ship-work)
  # Debian's bookworm root, downloaded once (tests/ship/lib.sh).
  set(TB_SHIP_CACHE ${CMAKE_BINARY_DIR}/ship-cache)
  set(TB_SHIP ${CMAKE_SOURCE_DIR}/tests/ship)
  add_test(NAME ship_package COMMAND ${CMAKE_CPACK_COMMAND} -G DEB WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  add_test(NAME ship_deb COMMAND ${TB_SHIP}/deb_test.sh ${TB_DEB} ${CMAKE_SOURCE_DIR} ${TB_SHIP_WORK}/deb)
  add_test(NAME ship_deb_install COMMAND ${TB_SHIP}/deb_install_test.sh ${TB_DEB} ${TB_SHIP_CACHE})
  add_test(NAME ship_units COMMAND ${TB_SHIP}/units_test.sh ${CMAKE_BINARY_DIR} ${TB_SHIP_WORK}/units)
  add_test(NAME ship_k8s COMMAND ${TB_SHIP}/k8s_test.sh ${CMAKE_SOURCE_DIR} ${TB_SHIP_WORK}/k8s)
  set_tests_properties(ship_package PROPERTIES FIXTURES_SETUP ship_deb LABELS ship TIMEOUT 300)
  set_tests_properties(ship_deb ship_deb_install PROPERTIES FIXTURES_REQUIRED ship_deb)
  set_tests_properties(ship_deb ship_units ship_k8s PROPERTIES LABELS ship TIMEOUT 300 SKIP_RETURN_CODE 77)
  # debootstrap (once, about a minute), then apt-get install from the mirror.
  set_tests_properties(ship_deb_install PROPERTIES LABELS ship TIMEOUT 900 SKIP_RETURN_CODE 77)
  # The container image compiles tb again inside its build stage: label
  # container, run on demand (ctest -L container, or scripts/container-test).
  add_test(NAME ship_container COMMAND ${CMAKE_SOURCE_DIR}/scripts/container-test ${TB_SHIP_CACHE})
  set_tests_properties(ship_container PROPERTIES LABELS container TIMEOUT 3600 SKIP_RETURN_CODE 77)
endif()
