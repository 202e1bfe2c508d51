# SPDX-License-Identifier: BSD-2-Clause
# The parking protocol's Promela model (lib/park.pml, lib/park.md), checked
# by spin (Debian package `spin`).  Without spin the tests report SKIP.
#
#   park_model          the model of the protocol as implemented verifies:
#                       no lost wake-up, no invalid end state.
#   park_model_mutants  the model has teeth: each mutation (S3 removed, P3
#                       removed, P3's loads before P1, S1 after S3, the
#                       outside waiter's re-check removed) makes spin fail.
find_program(SKUA_SPIN spin)
find_program(SKUA_SH sh REQUIRED)
if(NOT SKUA_SPIN)
  message(STATUS "spin not found: the park_model tests will report SKIP")
  set(SKUA_SPIN spin-NOTFOUND)
endif()

foreach(mode pass mutants)
  if(mode STREQUAL "pass")
    set(tname park_model)
  else()
    set(tname park_model_mutants)
  endif()
  add_test(NAME ${tname}
    COMMAND ${SKUA_SH} ${CMAKE_CURRENT_SOURCE_DIR}/park_model.sh
            ${SKUA_SPIN} ${CMAKE_C_COMPILER}
            ${PROJECT_SOURCE_DIR}/lib/park.pml ${mode})
  set_tests_properties(${tname} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120
    LABELS model)
endforeach()

# The stronger invariant (never work queued while a worker sleeps and none
# searches, lib/park.md D1) holds for the code, and fails for the code
# before the fix (-DMORE_ONLY) and for a last searcher that re-checks the
# queues before leaving the searching count (-DEARLY_RECHECK).
add_test(NAME park_model_strong
  COMMAND ${SKUA_SH} ${CMAKE_CURRENT_SOURCE_DIR}/park_model.sh
          ${SKUA_SPIN} ${CMAKE_C_COMPILER} ${PROJECT_SOURCE_DIR}/lib/park.pml pass -DSTRONG)
add_test(NAME park_model_strong_mutant
  COMMAND ${SKUA_SH} ${CMAKE_CURRENT_SOURCE_DIR}/park_model.sh
          ${SKUA_SPIN} ${CMAKE_C_COMPILER} ${PROJECT_SOURCE_DIR}/lib/park.pml fail -DSTRONG -DMORE_ONLY)
add_test(NAME park_model_strong_early_recheck
  COMMAND ${SKUA_SH} ${CMAKE_CURRENT_SOURCE_DIR}/park_model.sh
          ${SKUA_SPIN} ${CMAKE_C_COMPILER} ${PROJECT_SOURCE_DIR}/lib/park.pml fail -DSTRONG -DEARLY_RECHECK)
set_tests_properties(park_model_strong park_model_strong_mutant
  park_model_strong_early_recheck PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 180 LABELS model)
