# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz_env.c: a libFuzzer target over lib/env.c, built by clang
# directly (not the project's compiler, which may be gcc), and run by CTest
# for a bounded number of inputs.  Built only when clang links
# -fsanitize=fuzzer and this is not a sanitizer build (SKUA_SANITIZE
# empty: the fuzzer brings its own ASan and UBSan); otherwise the test
# reports SKIP.  How to fuzz for longer: the comment atop tests/fuzz_env.c.
find_program(SKUA_FUZZ_CLANG NAMES clang clang-14)
find_program(SKUA_SH sh REQUIRED)
set(SKUA_FUZZ_OK FALSE)
set(SKUA_FUZZ_WHY "")
if(NOT SKUA_SANITIZE STREQUAL "")
  set(SKUA_FUZZ_WHY "a sanitizer build (SKUA_SANITIZE=${SKUA_SANITIZE})")
elseif(NOT SKUA_FUZZ_CLANG)
  set(SKUA_FUZZ_WHY "clang not found")
else()
  set(probe ${CMAKE_CURRENT_BINARY_DIR}/fuzz_probe.c)
  file(WRITE ${probe}
    "#include <stdint.h>\n#include <stddef.h>\n"
    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)"
    "{ (void)d; (void)n; return 0; }\n")
  execute_process(
    COMMAND ${SKUA_FUZZ_CLANG} -fsanitize=fuzzer,address,undefined ${probe}
            -o ${CMAKE_CURRENT_BINARY_DIR}/fuzz_probe
    RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
  if(probe_rc EQUAL 0)
    set(SKUA_FUZZ_OK TRUE)
  else()
    set(SKUA_FUZZ_WHY "${SKUA_FUZZ_CLANG} does not link -fsanitize=fuzzer")
  endif()
endif()

if(SKUA_FUZZ_OK)
  set(fuzz_bin ${CMAKE_CURRENT_BINARY_DIR}/fuzz_env)
  add_custom_command(OUTPUT ${fuzz_bin}
    COMMAND ${SKUA_FUZZ_CLANG} -g -O1 -fsanitize=fuzzer,address,undefined
            -fno-sanitize-recover=undefined
            -I${PROJECT_SOURCE_DIR}/lib -I${PROJECT_SOURCE_DIR}/include
            ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_env.c
            ${PROJECT_SOURCE_DIR}/lib/env.c -o ${fuzz_bin}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_env.c
            ${PROJECT_SOURCE_DIR}/lib/env.c ${PROJECT_SOURCE_DIR}/lib/env.h
    COMMENT "Building the libFuzzer target fuzz_env with ${SKUA_FUZZ_CLANG}"
    VERBATIM)
  add_custom_target(fuzz_env_build ALL DEPENDS ${fuzz_bin})
  # A fixed seed and input count: the same inputs every run, about 3 s.
  add_test(NAME fuzz_env
    COMMAND ${fuzz_bin} -runs=1000000 -seed=1 -max_len=96
            -print_final_stats=1)
  set_tests_properties(fuzz_env PROPERTIES TIMEOUT 120 LABELS fuzz)
else()
  message(STATUS "fuzz_env: ${SKUA_FUZZ_WHY}; the test will report SKIP")
  add_test(NAME fuzz_env
    COMMAND ${SKUA_SH} -c "echo 'fuzz_env skipped: ${SKUA_FUZZ_WHY}'; exit 77")
  set_tests_properties(fuzz_env PROPERTIES SKIP_RETURN_CODE 77 LABELS fuzz)
endif()
