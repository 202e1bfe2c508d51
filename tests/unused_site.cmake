# SPDX-License-Identifier: BSD-2-Clause
# A SKUA_CHUNK_SIZE_<SITE> whose site no loop used (the typo
# SKUA_CHUNK_SIZE_PRIMS for the site "primes") gets one warning when the
# last pool is destroyed, naming the sites that ran; a used one gets none.
# (examples/ is configured after tests/: test the option, not the target.)
if(SKUA_BUILD_EXAMPLES)
  add_test(NAME unused_site_warning
    COMMAND ${CMAKE_COMMAND} -E env SKUA_CHUNK_SIZE_PRIMS=64
            SKUA_CHUNK_SIZE_PRIMES=100 $<TARGET_FILE:example_primes> 100000)
  set_tests_properties(unused_site_warning PROPERTIES TIMEOUT 60
    PASS_REGULAR_EXPRESSION "skua: SKUA_CHUNK_SIZE_PRIMS is set, but no loop with that site ran \\(sites that ran: primes\\); a typo\\?")
  add_test(NAME unused_site_quiet
    COMMAND ${CMAKE_COMMAND} -E env SKUA_CHUNK_SIZE_PRIMES=100
            $<TARGET_FILE:example_primes> 100000)
  set_tests_properties(unused_site_quiet PROPERTIES TIMEOUT 60
    PASS_REGULAR_EXPRESSION "OK\n" FAIL_REGULAR_EXPRESSION "a typo")
endif()
