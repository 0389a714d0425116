# Embeds the shell integration scripts into a C++ header (run by CMake at
# build time: cmake -DOUT=<header> -DSRC_DIR=<tools/shell> -P embed.cmake).
# Each script becomes a byte array, so no content can break the C++ syntax.
set(body "// Generated from tools/shell/ by tools/shell/embed.cmake. Do not edit.\n#pragma once\n\n#include <string_view>\n\nnamespace tb::shell_scripts {\n")
foreach(name bash zsh fish)
  file(READ "${SRC_DIR}/tb.${name}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
  string(APPEND body "inline constexpr char k_${name}_bytes[] = {\n${bytes}0};\n")
  string(APPEND body "inline constexpr std::string_view k_${name}(k_${name}_bytes, ${len});\n\n")
endforeach()
string(APPEND body "}  // namespace tb::shell_scripts\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
