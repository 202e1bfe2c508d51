# SPDX-License-Identifier: BSD-2-Clause
# The installed headers compile without warnings where users turn many on:
# an autotask using only some of its macros, C, with gcc and clang
# (-Wall -Wextra -pedantic -Werror); the C++ test with -Wold-style-cast
# -Werror (the headers' casts are named casts in C++).  Compile-only tests.
find_program(SKUA_CLANG clang)
find_program(SKUA_CLANGXX clang++)
set(hdr_c ${CMAKE_CURRENT_SOURCE_DIR}/headers/autotask_partial.c)
set(hdr_cxx ${CMAKE_CURRENT_SOURCE_DIR}/cxx/test_cxx.cc)
set(hdr_inc -I${PROJECT_SOURCE_DIR}/include)
set(hdr_c_flags -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only)
set(hdr_cxx_flags -Wall -Wextra -Wold-style-cast -Werror -fsyntax-only)
add_test(NAME headers_autotask_partial_gcc
  COMMAND ${CMAKE_C_COMPILER} ${hdr_c_flags} ${hdr_inc} ${hdr_c})
if(SKUA_CLANG)
  add_test(NAME headers_autotask_partial_clang
    COMMAND ${SKUA_CLANG} ${hdr_c_flags} ${hdr_inc} ${hdr_c})
endif()
# Declarations first, as some projects require of their own code.
set(hdr_c_c90 ${CMAKE_CURRENT_SOURCE_DIR}/headers/autotask_c90_decls.c)
add_test(NAME headers_autotask_c90_decls_gcc
  COMMAND ${CMAKE_C_COMPILER} ${hdr_c_flags} -Wdeclaration-after-statement
    ${hdr_inc} ${hdr_c_c90})
if(SKUA_CLANG)
  add_test(NAME headers_autotask_c90_decls_clang
    COMMAND ${SKUA_CLANG} ${hdr_c_flags} -Wdeclaration-after-statement
      ${hdr_inc} ${hdr_c_c90})
endif()
# The user's own macros named unused and always_inline.
set(hdr_c_macros ${CMAKE_CURRENT_SOURCE_DIR}/headers/autotask_user_macros.c)
add_test(NAME headers_autotask_user_macros_gcc
  COMMAND ${CMAKE_C_COMPILER} ${hdr_c_flags} ${hdr_inc} ${hdr_c_macros})
if(SKUA_CLANG)
  add_test(NAME headers_autotask_user_macros_clang
    COMMAND ${SKUA_CLANG} ${hdr_c_flags} ${hdr_inc} ${hdr_c_macros})
endif()
foreach(std 17 20)
  foreach(window 0 8)
    add_test(NAME headers_cxx${std}_old_style_cast_w${window}
      COMMAND ${CMAKE_CXX_COMPILER} -std=c++${std} ${hdr_cxx_flags}
        -DSKUA_FORK_WINDOW=${window} ${hdr_inc} ${hdr_cxx})
    if(SKUA_CLANGXX)
      add_test(NAME headers_cxx${std}_old_style_cast_w${window}_clang
        COMMAND ${SKUA_CLANGXX} -std=c++${std} ${hdr_cxx_flags}
          -DSKUA_FORK_WINDOW=${window} ${hdr_inc} ${hdr_cxx})
    endif()
  endforeach()
endforeach()
# The examples build as strict C11 too (they define _POSIX_C_SOURCE for
# clock_gettime and the like; the tree itself builds them as gnu11).
file(GLOB hdr_examples ${PROJECT_SOURCE_DIR}/examples/*.c)
foreach(ex ${hdr_examples})
  get_filename_component(name ${ex} NAME_WE)
  if(NOT name MATCHES "^mpi_")
    add_test(NAME headers_example_${name}_c11
      COMMAND ${CMAKE_C_COMPILER} ${hdr_c_flags} ${hdr_inc} ${ex})
  endif()
endforeach()
