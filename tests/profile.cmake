# SPDX-License-Identifier: BSD-2-Clause
# skua-bench profile and tune on real programs: examples/primes, a program
# with two sites and nested loops, one that exits 3, one with no skua, a
# missing one, and tune on a tiny program (tests/profile/check_profile.py);
# skua_bench_plot_tune runs its one case that redraws tune's JSON;
# skua_bench_profile_edges (tests/profile/check_profile_edges.py) the
# edges an independent review found, on tests/profile/sites_app.c.
find_package(Python3 COMPONENTS Interpreter)
# (tools/ and examples/ are configured after tests/: test the options.)
if(Python3_Interpreter_FOUND AND SKUA_BUILD_TOOLS AND SKUA_BUILD_EXAMPLES)
  add_executable(profile_app profile/profile_app.c)
  target_link_libraries(profile_app PRIVATE skua m)
  add_test(NAME skua_bench_profile
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/profile/check_profile.py
            $<TARGET_FILE:skua-bench> $<TARGET_FILE:example_primes> $<TARGET_FILE:profile_app>)
  set_tests_properties(skua_bench_profile PROPERTIES TIMEOUT 600)
  # `skua-bench plot` on tune's --json: the chart tune --plot drew.
  add_test(NAME skua_bench_plot_tune
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/profile/check_profile.py
            $<TARGET_FILE:skua-bench> $<TARGET_FILE:example_primes> $<TARGET_FILE:profile_app>
            tune_plot)
  set_tests_properties(skua_bench_plot_tune PROPERTIES TIMEOUT 300)
  # The tool's and the writers' edges: temporary files, hostile or odd
  # profile lines, names that are not UTF-8, 255+ sites, tune's options.
  add_executable(sites_app profile/sites_app.c)
  target_link_libraries(sites_app PRIVATE skua)
  add_test(NAME skua_bench_profile_edges
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/profile/check_profile_edges.py
            $<TARGET_FILE:skua-bench> $<TARGET_FILE:example_primes> $<TARGET_FILE:sites_app>)
  set_tests_properties(skua_bench_profile_edges PROPERTIES TIMEOUT 600)
endif()
