# SPDX-License-Identifier: BSD-2-Clause
# README.md's environment table must list exactly the SKUA_* variables of
# lib/env.c's skua__env_table, with the same defaults (tests/env_readme.py,
# which reads the table through `test_env --dump-table`).  Reports SKIP
# while README.md or its table does not exist, or without python3.
find_program(SKUA_PYTHON3 python3)
find_program(SKUA_SH sh REQUIRED)
if(SKUA_PYTHON3 AND TARGET test_env)
  add_test(NAME env_readme
    COMMAND ${SKUA_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/env_readme.py
            ${PROJECT_SOURCE_DIR}/README.md $<TARGET_FILE:test_env>)
else()
  add_test(NAME env_readme
    COMMAND ${SKUA_SH} -c "echo 'env_readme skipped: no python3 or test_env'; exit 77")
endif()
set_tests_properties(env_readme PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60)
