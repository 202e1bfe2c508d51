# SPDX-License-Identifier: BSD-2-Clause
# The MPI examples under mpirun (cmake/mpi.cmake, SKUA_WITH_MPI), through
# tests/mpi_run.sh, which checks the printed answer as well as the exit
# status.  -np 1, 2 and 3 on CI's 2 cores: -np 1 and 2 get a core per rank
# (Open MPI's default binding), so 1 worker each; -np 3 oversubscribes, and
# mpirun leaves the ranks unbound: 3 ranks of 2 workers on 2 cores.
#
# mpi_primes runs N = 10^7 (664579) at every -np: about 3.5 CPU-seconds.
# mpi_futures also counts every item again serially on rank 0, which
# doubles its cost, so 10^7 runs at -np 2 only and -np 1 and 3 count
# 2 * 10^6 (148933) in 40 items.
#
# Where the examples are not built (no MPI found, SKUA_WITH_MPI=OFF) the
# same tests exist and are skipped with the reason, never passed; where
# they are built but no mpirun is found at run time, mpi_run.sh skips.
#
# Sanitizer builds run them too, with two changes for Open MPI's sake,
# whose libraries are not built with the sanitizers (measured with Debian
# 12's Open MPI 4.1.4):
#  - ASan: LeakSanitizer reports what Open MPI allocates and never frees
#    (mpi_primes -np 2: 121351 bytes in 3351 allocations, every stack in
#    libopen-pal, libmpi or a dlopen'ed MCA component), which would fail the
#    test on Open MPI, not on skua; mpi_run.sh turns leak checking off for
#    these tests only (MPI_RUN_NO_LEAK_CHECK), ASan and UBSan still check.
#  - TSan: it reports a lock-order inversion inside Open MPI's TCP
#    transport (mca_btl_tcp_add_procs against mca_btl_tcp_del_procs), Open
#    MPI's locks, not skua's; one node needs only shared memory, so
#    OMPI_MCA_btl=self,vader leaves TCP out, and TSan is then clean.
set(_skua_mpi_tests
  "mpi_primes_np1|1|^primes below 10000000: 664579 \\(1 ranks|mpi_primes|10000000"
  "mpi_primes_np2|2|^primes below 10000000: 664579 \\(2 ranks|mpi_primes|10000000"
  "mpi_primes_np3|3|^primes below 10000000: 664579 \\(3 ranks|mpi_primes|10000000"
  "mpi_futures_np1|1|^primes below 2000000: 148933 \\(40 items over 1 ranks|mpi_futures|2000000|40"
  "mpi_futures_np2|2|^primes below 10000000: 664579 \\(100 items over 2 ranks|mpi_futures|10000000|100"
  "mpi_futures_np3|3|^primes below 2000000: 148933 \\(40 items over 3 ranks|mpi_futures|2000000|40")

set(_skua_mpi_skip "")
if(NOT SKUA_MPI_BUILD)
  set(_skua_mpi_skip "${SKUA_MPI_WHY_NOT}")
endif()
set(_skua_mpi_env "MPI_RUN_TIMEOUT=100")
if(SKUA_SANITIZE STREQUAL "address")
  list(APPEND _skua_mpi_env "MPI_RUN_NO_LEAK_CHECK=1")
elseif(SKUA_SANITIZE STREQUAL "thread")
  list(APPEND _skua_mpi_env "OMPI_MCA_btl=self,vader")
endif()

foreach(t ${_skua_mpi_tests})
  string(REPLACE "|" ";" t "${t}")
  list(GET t 0 name)
  list(GET t 1 np)
  list(GET t 2 expect)
  list(GET t 3 prog)
  list(SUBLIST t 4 -1 args)
  if(_skua_mpi_skip STREQUAL "")
    add_test(NAME ${name}
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/mpi_run.sh "${MPIEXEC_EXECUTABLE}" ${np}
              "${expect}" $<TARGET_FILE:example_${prog}> ${args})
  else()
    add_test(NAME ${name} COMMAND sh -c "echo \"skipped: $0\"; exit 77" "${_skua_mpi_skip}")
  endif()
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120
    ENVIRONMENT "${_skua_mpi_env}")
endforeach()
# The check itself: a figure that is not printed fails (WILL_FAIL), so the
# tests above cannot pass on the exit status alone (no mpirun: skipped, not
# passed).
if(_skua_mpi_skip STREQUAL "")
  add_test(NAME mpi_run_rejects_wrong_figure
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/mpi_run.sh "${MPIEXEC_EXECUTABLE}" 1
            "^primes below 1000000: 78499 " $<TARGET_FILE:example_mpi_primes> 1000000)
  set_tests_properties(mpi_run_rejects_wrong_figure PROPERTIES WILL_FAIL TRUE SKIP_RETURN_CODE 77
    TIMEOUT 120 ENVIRONMENT "${_skua_mpi_env}")
endif()
unset(_skua_mpi_tests)
unset(_skua_mpi_skip)
unset(_skua_mpi_env)
