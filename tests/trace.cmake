# SPDX-License-Identifier: BSD-2-Clause
# SKUA_TRACE writes a valid Chrome trace (checked with Python's json parser).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_executable(trace_workload trace/trace_workload.c)
  target_link_libraries(trace_workload PRIVATE skua_kernels skua)
  add_test(NAME trace_json
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/trace/check_trace.py
            $<TARGET_FILE:trace_workload>)
  set_tests_properties(trace_json PROPERTIES TIMEOUT 300)
endif()
