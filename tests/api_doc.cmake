# SPDX-License-Identifier: BSD-2-Clause
# docs/api.md against include/ (tests/api_doc_check.py says what it checks):
# every SKUA_API function has an entry, every entry names something the
# headers declare, and the RETURNS / ERRORS codes of both agree.
# api_doc_mutants runs the check on changed copies that must fail it.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME api_doc
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/api_doc_check.py
            ${PROJECT_SOURCE_DIR})
  add_test(NAME api_doc_mutants
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/api_doc_check.py
            --mutants ${PROJECT_SOURCE_DIR})
  set_tests_properties(api_doc api_doc_mutants PROPERTIES TIMEOUT 60)
endif()
