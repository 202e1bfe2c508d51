# SPDX-License-Identifier: BSD-2-Clause
# Shared library hygiene (issue 17): every public declaration carries
# SKUA_API, and libskua.so exports those names only (tests/symbols_check.sh).
# Without -DSKUA_BUILD_SHARED=ON the headers are still checked here, and
# install_consumer checks the libskua.so of the install it builds.
add_test(NAME symbols_headers
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/symbols_check.sh ${PROJECT_SOURCE_DIR}/include)
if(TARGET skua_shared)
  add_test(NAME symbols_shared
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/symbols_check.sh ${PROJECT_SOURCE_DIR}/include
            $<TARGET_FILE:skua_shared>)
  # The inline fork/join and autotask code, from C and from C++, resolved
  # against libskua.so alone (nothing hidden may be called from a header).
  add_executable(test_autotask_shared test_autotask.c)
  target_link_libraries(test_autotask_shared PRIVATE skua_kernels skua_shared)
  add_executable(test_cxx17_shared cxx/test_cxx.cc)
  set_target_properties(test_cxx17_shared PROPERTIES CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_link_libraries(test_cxx17_shared PRIVATE skua_shared)
  foreach(t test_autotask_shared test_cxx17_shared)
    add_test(NAME ${t} COMMAND ${t})
    set_tests_properties(${t} PROPERTIES TIMEOUT 120)
  endforeach()
endif()
