# Embeds one file into a C++ header as a byte array (run by CMake at build
# time: cmake -DOUT=<header> -DSRC=<file> -DNAME=<identifier> -P embed_file.cmake).
# The header defines tb::embedded::k_<NAME> (a std::string_view over the
# bytes); a byte array, so no content can break the C++ syntax.
file(READ "${SRC}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
set(body "// Generated from ${SRC} by cmake/embed_file.cmake. Do not edit.\n#pragma once\n\n#include <string_view>\n\nnamespace tb::embedded {\n")
string(APPEND body "inline constexpr char k_${NAME}_bytes[] = {\n${bytes}0};\n")
string(APPEND body "inline constexpr std::string_view k_${NAME}(k_${NAME}_bytes, ${len});\n")
string(APPEND body "}  // namespace tb::embedded\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
