# SPDX-License-Identifier: BSD-2-Clause
# SKUA_WITH_MPI: the MPI examples (examples/mpi_*.c) and their tests
# (tests/mpi.cmake).  AUTO, the default, builds them when an MPI C library
# is found (Debian: libopenmpi-dev, with mpirun from openmpi-bin); ON
# requires MPI and mpirun and fails the configure without them; OFF never
# looks.  Only those programs link MPI: libskua itself never does, so one
# libskua.a serves MPI and non-MPI programs alike.
#
# Sets SKUA_MPI_BUILD (ON when the examples are built) and
# SKUA_MPI_WHY_NOT (a sentence for the skipped tests when they are not).
set(SKUA_WITH_MPI AUTO CACHE STRING
  "Build the MPI examples and tests: AUTO (when MPI is found), ON or OFF")
set_property(CACHE SKUA_WITH_MPI PROPERTY STRINGS AUTO ON OFF)

string(TOUPPER "${SKUA_WITH_MPI}" _skua_mpi)
if(_skua_mpi MATCHES "^(ON|YES|TRUE|1)$")
  set(_skua_mpi ON)
elseif(_skua_mpi MATCHES "^(OFF|NO|FALSE|0)$")
  set(_skua_mpi OFF)
elseif(NOT _skua_mpi STREQUAL "AUTO")
  message(FATAL_ERROR "SKUA_WITH_MPI must be AUTO, ON or OFF, not '${SKUA_WITH_MPI}'")
endif()

set(SKUA_MPI_BUILD OFF)
set(SKUA_MPI_WHY_NOT "")
if(_skua_mpi STREQUAL "OFF")
  set(SKUA_MPI_WHY_NOT "SKUA_WITH_MPI=OFF")
elseif(NOT SKUA_BUILD_EXAMPLES)
  # The tests run the examples: nothing to build them from.
  if(_skua_mpi STREQUAL "ON")
    message(FATAL_ERROR "SKUA_WITH_MPI=ON needs SKUA_BUILD_EXAMPLES=ON (it builds examples/mpi_*.c)")
  endif()
  set(SKUA_MPI_WHY_NOT "SKUA_BUILD_EXAMPLES=OFF")
else()
  if(_skua_mpi STREQUAL "ON")
    find_package(MPI COMPONENTS C REQUIRED)
    if(NOT MPIEXEC_EXECUTABLE)
      message(FATAL_ERROR "SKUA_WITH_MPI=ON: MPI found, but no mpiexec/mpirun (Debian: openmpi-bin)")
    endif()
  else()
    find_package(MPI COMPONENTS C QUIET)
  endif()
  if(MPI_C_FOUND)
    set(SKUA_MPI_BUILD ON)
    message(STATUS "skua: MPI examples and tests on (MPI ${MPI_C_VERSION}, ${MPIEXEC_EXECUTABLE})")
  else()
    set(SKUA_MPI_WHY_NOT "no MPI C library found (Debian: libopenmpi-dev openmpi-bin; tools/dev.sh deps installs them)")
    message(STATUS "skua: MPI examples and tests off: ${SKUA_MPI_WHY_NOT}")
  endif()
endif()
unset(_skua_mpi)
