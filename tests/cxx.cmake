# SPDX-License-Identifier: BSD-2-Clause
# skua from C++ (issue 17): tests/cxx/test_cxx.cc built as C++17 and C++20
# with the project's C++ compiler (g++), and, outside sanitizer builds,
# with clang++ too when it is installed (tools/dev.sh installs clang).
foreach(std 17 20)
  add_executable(test_cxx${std} cxx/test_cxx.cc)
  set_target_properties(test_cxx${std} PROPERTIES CXX_STANDARD ${std}
    CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_link_libraries(test_cxx${std} PRIVATE skua)
  add_test(NAME test_cxx${std} COMMAND test_cxx${std})
  set_tests_properties(test_cxx${std} PROPERTIES TIMEOUT 120)
endforeach()

find_program(SKUA_CLANGXX clang++)
if(SKUA_CLANGXX AND SKUA_SANITIZE STREQUAL "")
  set(libs "-lpthread")
  if(SKUA_WITH_JEMALLOC)
    set(libs "${JEMALLOC_LIBRARY} -lpthread")
  endif()
  foreach(std 17 20)
    add_test(NAME test_cxx${std}_clang COMMAND sh -c
      "${SKUA_CLANGXX} -std=c++${std} -Wall -Wextra -Werror -I${PROJECT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR}/cxx/test_cxx.cc $<TARGET_FILE:skua> ${libs} -o ${CMAKE_CURRENT_BINARY_DIR}/test_cxx${std}_clang && ${CMAKE_CURRENT_BINARY_DIR}/test_cxx${std}_clang")
    set_tests_properties(test_cxx${std}_clang PROPERTIES TIMEOUT 120)
  endforeach()
endif()
