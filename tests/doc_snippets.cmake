# SPDX-License-Identifier: BSD-2-Clause
# Every C snippet in README.md and docs/*.md marked as compilable (a fence
# whose info string is `c compile`, or `c compile run` for a whole program
# that is also linked and run) compiles against the *installed* headers
# (tests/doc_snippets.py installs the build tree into a temporary prefix).
# Sanitizer builds install sanitized libraries that a plain program cannot
# link, so the test runs in the normal build only.
find_program(SKUA_PYTHON3 python3)
if(SKUA_SANITIZE STREQUAL "")
  if(SKUA_PYTHON3)
    add_test(NAME doc_snippets
      COMMAND ${SKUA_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/doc_snippets.py
              --build ${PROJECT_BINARY_DIR} --source ${PROJECT_SOURCE_DIR}
              --cc ${CMAKE_C_COMPILER} --libs "${SKUA_STATIC_DEPS}")
  else()
    add_test(NAME doc_snippets
      COMMAND sh -c "echo 'doc_snippets skipped: no python3'; exit 77")
  endif()
  set_tests_properties(doc_snippets PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
