# SPDX-License-Identifier: BSD-2-Clause
# test_display_env checks the "jemalloc = on/off" line against the build.
if(TARGET test_display_env AND SKUA_WITH_JEMALLOC)
  target_compile_definitions(test_display_env PRIVATE TEST_JEMALLOC=1)
endif()
