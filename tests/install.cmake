# The installed package works for a consumer (CMake and pkg-config).
# Sanitizer builds install sanitized libraries, which a plain consumer
# cannot link, so the test runs in the normal build only.
if(SKUA_SANITIZE STREQUAL "")
  add_test(NAME install_consumer
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install_consumer.sh ${PROJECT_BINARY_DIR}
            ${CMAKE_CURRENT_SOURCE_DIR}/consumer)
  set_tests_properties(install_consumer PROPERTIES TIMEOUT 300)
endif()
