# CMake toolchain file for an arm64 (aarch64) build of tb on a Debian amd64
# machine: Debian's cross compiler (crossbuild-essential-arm64) against a
# sysroot holding Debian's arm64 library packages (TB_ARM64_SYSROOT, made by
# scripts/cross-arm64 from debootstrap --foreign --arch=arm64). A sysroot,
# not multiarch: librocksdb-dev, libsimdjson-dev and libgflags-dev are not
# Multi-Arch: same, so their :arm64 versions would replace the host's.
# Programs the build runs on the host (flatc, dot, gzip) come from the host;
# binaries it runs itself (test discovery, man pages, completions) run under
# qemu-user with the sysroot as the loader prefix.
if(NOT TB_ARM64_SYSROOT)
  set(TB_ARM64_SYSROOT "$ENV{TB_ARM64_SYSROOT}")
endif()
if(NOT IS_DIRECTORY "${TB_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "TB_ARM64_SYSROOT (${TB_ARM64_SYSROOT}) is not an arm64 Debian root: scripts/cross-arm64 makes one")
endif()
# Passed on to the try_compile projects CMake configures with this file.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TB_ARM64_SYSROOT)

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_SYSROOT "${TB_ARM64_SYSROOT}")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L "${TB_ARM64_SYSROOT}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The host's pkg-config, reading only the sysroot's .pc files.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${TB_ARM64_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${TB_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${TB_ARM64_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
