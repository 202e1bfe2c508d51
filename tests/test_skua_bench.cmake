# SPDX-License-Identifier: BSD-2-Clause
# skua-bench end to end (issue 4): the built tool runs every workload on
# small sizes with --json, --csv, --plot and --sweep-chunks, and
# tools/skua-bench/check_output.py checks the outputs with python3 (JSON with
# json, the SVG with xml.etree, CSV with csv); bad flags must exit 2 and a
# wrong answer must fail loudly; `skua-bench plot` redraws a saved --json
# run as --plot drew it (skua_bench_plot; tune's JSON: tests/profile.cmake);
# nqueens-array 8 answers 92 on every runner built (skua_bench_array).
# Skipped when the tool is not built.
if(SKUA_BUILD_TOOLS)
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_Interpreter_FOUND)
    set(_skb_check ${PROJECT_SOURCE_DIR}/tools/skua-bench/check_output.py)
    set(_skb_work ${CMAKE_CURRENT_BINARY_DIR}/skua_bench_out)
    foreach(mode e2e usage wrong plot array)
      add_test(NAME skua_bench_${mode}
        COMMAND ${Python3_EXECUTABLE} ${_skb_check} ${mode}
                $<TARGET_FILE:skua-bench> ${_skb_work}/${mode})
      set_tests_properties(skua_bench_${mode} PROPERTIES TIMEOUT 300)
    endforeach()
    # The speed report runs the full sizes (fib 35, nqueens 13) once each:
    # a few seconds, too slow under a sanitizer.
    if(SKUA_SANITIZE STREQUAL "")
      add_test(NAME skua_bench_report
        COMMAND ${Python3_EXECUTABLE} ${_skb_check} report
                $<TARGET_FILE:skua-bench> ${_skb_work}/report)
      set_tests_properties(skua_bench_report PROPERTIES TIMEOUT 300)
    endif()
    # Progress ("phase i/n", time left) and the "noisy: rerun" marks, made
    # deterministic by SKUA_BENCH_FAULT (tests/skua_bench_noise.py); the
    # report's form runs the full sizes, so not under a sanitizer.
    set(_skb_noise ${CMAKE_CURRENT_SOURCE_DIR}/skua_bench_noise.py)
    set(_skb_noise_modes compare)
    if(SKUA_SANITIZE STREQUAL "")
      list(APPEND _skb_noise_modes report)
    endif()
    foreach(mode ${_skb_noise_modes})
      add_test(NAME skua_bench_noise_${mode}
        COMMAND ${Python3_EXECUTABLE} ${_skb_noise} ${mode}
                $<TARGET_FILE:skua-bench> ${_skb_work}/noise_${mode})
      set_tests_properties(skua_bench_noise_${mode} PROPERTIES TIMEOUT 300)
    endforeach()
  else()
    message(STATUS "skua-bench tests skipped: no python3")
  endif()
endif()
