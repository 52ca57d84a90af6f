# toolchain-aarch64.cmake: cross build for ARM64 Linux (aarch64-linux-gnu) with Debian's
# g++-aarch64-linux-gnu, the arm64 multiarch copies of the dependencies, and qemu-aarch64 (Debian's
# qemu-user) to run what was built: try_run, gtest_discover_tests and ctest go through
# CMAKE_CROSSCOMPILING_EMULATOR. tools/test-arm64.sh installs all of it and uses this file.
#
# android-libboringssl-dev and libsimdjson-dev are not co-installable across architectures
# (installing their :arm64 copy removes the amd64 one), so their arm64 .debs are unpacked into an
# overlay folder that is searched first: pass it as -DJWTBATCH_ARM64_OVERLAY=<dir> (it holds
# usr/include, usr/lib/aarch64-linux-gnu). See ../shared/notes/arm64.md.
#
# No CMAKE_SYSROOT: Debian's cross gcc already searches /usr/lib/aarch64-linux-gnu and
# /usr/include, where the co-installable :arm64 packages live.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Plain qemu-aarch64 finds the arm64 loader once libc6:arm64 is installed; `-L /usr/aarch64-linux-gnu`
# would mix two glibc builds (a TBB test hung that way).
find_program(JWTBATCH_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${JWTBATCH_QEMU_AARCH64}")

# The overlay prefix comes first for find_package (simdjson's config is relocatable) and is where
# the top-level CMakeLists.txt looks for BoringSSL. Toolchain files are read again for every
# try_compile: pass the variables on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES JWTBATCH_ARM64_OVERLAY)
if(JWTBATCH_ARM64_OVERLAY)
  list(PREPEND CMAKE_PREFIX_PATH "${JWTBATCH_ARM64_OVERLAY}/usr")
  set(JWTBATCH_BORINGSSL_ROOT "${JWTBATCH_ARM64_OVERLAY}" CACHE PATH
      "Prefix holding usr/include/android and usr/lib/<triplet>/android")
endif()
