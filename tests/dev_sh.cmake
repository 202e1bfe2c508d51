# SPDX-License-Identifier: BSD-2-Clause
# tools/dev.sh installs packages quietly, libtbb-dev among them
# (tests/dev_sh_deps.sh, with a fake apt-get).  Once, in the normal build.
find_program(SKUA_BASH bash)
if(SKUA_SANITIZE STREQUAL "" AND SKUA_BASH)
  add_test(NAME dev_sh_deps
    COMMAND ${SKUA_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/dev_sh_deps.sh ${PROJECT_SOURCE_DIR})
  set_tests_properties(dev_sh_deps PROPERTIES TIMEOUT 60)
endif()
