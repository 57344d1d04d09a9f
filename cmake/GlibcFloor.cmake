# The oldest glibc a glibc build runs on (see host/compat/glibc_floor.h).
#
# On x86-64 glibc builds every translation unit binds its libc references to
# old symbol versions, the shipped executables get start-up code that old
# glibc understands, and code calling dlopen or pthread functions names
# libdl.so.2 and libpthread.so.0, where those live before glibc 2.34 (both
# remain, empty, in later glibc). symbols.exports fails when a built file
# needs a GLIBC_ version newer than NRP_GLIBC_FLOOR.
set(NRP_GLIBC_FLOOR 2.17 CACHE STRING "Newest GLIBC_ symbol version the glibc bundle may require")
# RHEL 8 (glibc 2.28) and Ubuntu 18.04 (2.27) still run .NET 8.
if(NRP_GLIBC_FLOOR VERSION_GREATER 2.28)
  message(FATAL_ERROR "NRP_GLIBC_FLOOR ${NRP_GLIBC_FLOOR}: the glibc bundle must load on glibc 2.28 (RHEL 8)")
endif()

# Pinning is for bundles users run. Sanitizer builds turn it off (preset `asan`, cmake/Sanitizers.cmake): pinned
# executables built with -fsanitize do not even load ("unexpected PLT reloc type 0x00" from ld.so). A build that
# is not pinned claims no floor: symbols.exports checks none, glibc.floor and the *-oldglibc cases are not registered.
option(NRP_GLIBC_PINNING "Bind glibc symbols to the versions of NRP_GLIBC_FLOOR (glibc x86-64 builds)" ON)
set(NRP_GLIBC_PINNED OFF)
if(NRP_GLIBC_PINNING AND NRP_LIBC_FLAVOUR STREQUAL "glibc" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(NRP_GLIBC_PINNED ON)
  add_compile_options(-include ${PROJECT_SOURCE_DIR}/host/compat/glibc_floor.h)
endif()

# What code using dlopen or threads links with.
add_library(nrp_libc INTERFACE)
target_link_libraries(nrp_libc INTERFACE Threads::Threads ${CMAKE_DL_LIBS})
if(NRP_GLIBC_PINNED)
  target_link_options(nrp_libc INTERFACE
    "SHELL:-Wl,--push-state,--no-as-needed -l:libdl.so.2 -l:libpthread.so.0 -Wl,--pop-state")
endif()

# An executable users run (nrprof) or that stands in for the runtime (the
# load harness): start-up that works on glibc before and after 2.34.
function(nrp_glibc_floor_executable target)
  if(NRP_GLIBC_PINNED)
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/host/compat/glibc_start.c)
    target_link_options(${target} PRIVATE "LINKER:--wrap=__libc_start_main")
  endif()
endfunction()
