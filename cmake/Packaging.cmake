# `cpack` in the build folder makes the bundle tarball,
#   newrelic-profiler-<version>-linux-<libc>-x64.tar.gz
# holding one folder of the same name laid out as `cmake --install` lays it
# out (the bundle and the SDK), so it can be extracted anywhere.
# NRP_LIBC_FLAVOUR (top CMakeLists.txt) names the C library.

set(CPACK_GENERATOR TGZ)
set(CPACK_PACKAGE_NAME newrelic-profiler)
set(CPACK_PACKAGE_VENDOR "New Relic")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_FILE_NAME "newrelic-profiler-${PROJECT_VERSION}-${NRP_PLATFORM}")
# One top folder, named like the file, rather than files spilled into the
# folder the user extracts in.
set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
# One archive for every component (bundle and sdk), not one per component.
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)
# Release artifacts ship without debug information; the build tree keeps it
# for debugging (RelWithDebInfo).
set(CPACK_STRIP_FILES ON)

include(CPack)
