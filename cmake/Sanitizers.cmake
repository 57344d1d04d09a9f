# Sanitized builds (preset `asan`): every target of the project, the bundle's .so files included, built with
# NRP_SANITIZERS (e.g. address,undefined). Tests registered in such a build run with the sanitizers armed so that
# any report fails them: tests/sanitize/clean_run.sh for the unit and CLI tests, run_case.sh's NRP_E2E_PRELOAD
# for the end-to-end tests, where the runtime (dotnet) is not sanitized and the runtimes are preloaded into it.
set(NRP_SANITIZERS "" CACHE STRING "Sanitizers to build with (-fsanitize=LIST, e.g. address,undefined); empty: none")

# nrp_sanitized_command(VAR NAME COMMAND...): VAR is COMMAND, which in a sanitized build runs through
# tests/sanitize/clean_run.sh: any sanitizer report of any process it starts fails test NAME. COMMAND names
# executables as $<TARGET_FILE:...>.
function(nrp_sanitized_command var name)
  if(NRP_SANITIZERS)
    set(${var} ${PROJECT_SOURCE_DIR}/tests/sanitize/clean_run.sh ${PROJECT_BINARY_DIR}/tests/sanitize/${name} ${ARGN}
        PARENT_SCOPE)
  else()
    set(${var} ${ARGN} PARENT_SCOPE)
  endif()
endfunction()

if(NOT NRP_SANITIZERS)
  return()
endif()
if(NRP_GLIBC_PINNED)
  # Pinned executables built with -fsanitize fail to load (ld.so: "unexpected PLT reloc type 0x00").
  message(FATAL_ERROR "NRP_SANITIZERS needs NRP_GLIBC_PINNING=OFF (preset asan): a sanitized build is for tests and "
                      "cannot hold the glibc floor")
endif()
if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
  # clang links its ASan runtime into executables but not into shared objects (-shared-libasan), and names it
  # differently: only gcc's layout is handled here.
  message(FATAL_ERROR "NRP_SANITIZERS is supported with gcc only (compiler: ${CMAKE_C_COMPILER_ID})")
endif()
# -fno-sanitize-recover=all: UBSan stops at its first report like ASan, so a report cannot scroll by in a passing
# test. Frame pointers give whole stacks from the fast unwinder.
add_compile_options(-fsanitize=${NRP_SANITIZERS} -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=${NRP_SANITIZERS})
# Below -O2 (the preset builds at -O1) gcc has no value ranges and warns that snprintf may truncate numbers that
# -O2 builds prove short (bench/match_bench.c): still shown, not fatal here.
add_compile_options(-Wno-error=format-truncation)

# The runtimes a process that is not itself sanitized (dotnet) must preload to load the bundle: gcc links
# libasan.so.N and libubsan.so.N into every sanitized .so, and ASan must be the first library loaded.
set(NRP_SANITIZER_PRELOAD "")
foreach(runtime asan ubsan)
  if((runtime STREQUAL "asan" AND NRP_SANITIZERS MATCHES "address")
     OR (runtime STREQUAL "ubsan" AND NRP_SANITIZERS MATCHES "undefined"))
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=lib${runtime}.so
                    OUTPUT_VARIABLE runtime_path OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT IS_ABSOLUTE "${runtime_path}" OR NOT EXISTS "${runtime_path}")
      message(FATAL_ERROR "NRP_SANITIZERS: ${CMAKE_C_COMPILER} has no lib${runtime}.so (Debian: libgcc-12-dev)")
    endif()
    get_filename_component(runtime_path "${runtime_path}" REALPATH)
    list(APPEND NRP_SANITIZER_PRELOAD ${runtime_path})
  endif()
endforeach()
# LD_PRELOAD takes a space-separated list.
string(REPLACE ";" " " NRP_SANITIZER_PRELOAD "${NRP_SANITIZER_PRELOAD}")
message(STATUS "sanitizers: ${NRP_SANITIZERS}; dotnet preloads ${NRP_SANITIZER_PRELOAD}")
