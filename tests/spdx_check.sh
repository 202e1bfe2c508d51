#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every source, header, script and build file carries the licence's SPDX
# line in its first three lines (issue 17).  Usage: spdx_check.sh SOURCE_DIR
set -eu
cd "$1"
bad=0
for f in $(find CMakeLists.txt include lib tests bench tools examples docs/data/src .ci \
    -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.pml' \
    -o -name '*.sh' -o -name '*.py' -o -name '*.cmake' -o -name CMakeLists.txt \
    -o -name run -o -name dev.sh \) 2>/dev/null); do
	if ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause'; then
		echo "no SPDX line: $f"
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "spdx: every file has its SPDX line"
exit "$bad"
