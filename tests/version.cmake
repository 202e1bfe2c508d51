# SPDX-License-Identifier: BSD-2-Clause
# test_version checks skua/version.h and skua_version() against the
# project's version in CMakeLists.txt.
if(TARGET test_version)
  target_compile_definitions(test_version PRIVATE
    TEST_PROJECT_VERSION="${PROJECT_VERSION}")
endif()
