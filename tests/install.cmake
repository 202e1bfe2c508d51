# SPDX-License-Identifier: BSD-2-Clause
# The installed package works for a consumer (CMake and pkg-config), as a
# static and as a shared library (tests/install_consumer.sh builds the kind
# this tree is not from the same source), with README, LICENSE and docs/ in
# share/doc/skua.  Sanitizer builds install sanitized libraries, which a
# plain consumer cannot link, so the test runs in the normal build only.
if(SKUA_SANITIZE STREQUAL "")
  add_test(NAME install_consumer
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install_consumer.sh ${PROJECT_BINARY_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/consumer ${PROJECT_SOURCE_DIR})
  set_tests_properties(install_consumer PROPERTIES TIMEOUT 300)
endif()
