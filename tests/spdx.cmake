# SPDX-License-Identifier: BSD-2-Clause
# Every file carries the SPDX line of the licence (tests/spdx_check.sh).
add_test(NAME spdx_lines COMMAND sh ${PROJECT_SOURCE_DIR}/tests/spdx_check.sh
  ${PROJECT_SOURCE_DIR})
