#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""docs/api.md against the public headers (issue 13).

usage: api_doc_check.py REPO
       api_doc_check.py --mutants REPO   (each mutant below must fail)

Checks, and names every miss:
  1. every SKUA_API function of include/ (skua.h, skua/*.h, skua/bits/*.h)
     has an entry in docs/api.md: a "### name[, name...]" heading, or a
     declaration "name(" in a ```c block of a "## " section (the version
     calls are documented together that way).  skua_abi_* are exempt: they
     are the out-of-line halves of the inline fast paths, an ABI, not API.
  2. every name api.md documents in a "### " heading is declared in a
     header: a SKUA_API function, a static inline function or a macro.
  3. errors: for a function whose header comment names error codes
     (-EINVAL, -ENOMEM, ...) from its RETURNS / ERRORS lines on, each of
     them appears in its api.md entry's RETURNS / ERRORS prose (code
     blocks aside), and each code that prose names appears in the header
     comment.  A
     comment shared by several declarations counts for each; a function
     whose comment or entry names no code at all is not compared (ERRORS
     none, or "see above"), nor are codes of an entry shared by several
     names whose headers split them (the union of the group is compared).
  4. every public macro, a SKUA_* name that skua.h or skua/*.h defines
     (skua/bits/ is private; SKUA__* and include guards are not API), is
     named in docs/api.md; a numbered family (SKUA_TASK_1 .. _6) by its
     SKUA_TASK_n.
Exit status 1 with one line per miss, 0 when everything agrees.
"""
import glob
import os
import re
import sys

CODE = re.compile(r'-E[A-Z]{2,}')
DECL = re.compile(r'^\s*SKUA_API\b[^;{]*?\b(skua_\w+)\s*\(', re.M)
INLINE = re.compile(r'^\s*static\s+inline\b[^;{]*?\b(skua_\w+)\s*\(', re.M)
MACRO = re.compile(r'^\s*#\s*define\s+(skua_\w+|SKUA_\w+)', re.M)
COMMENT = re.compile(r'/\*.*?\*/', re.S)


def outcome(text):
	"""The RETURNS/ERRORS part of a description: a code named earlier
	is prose about something else (pool_create's note on fork())."""
	m = re.search(r'\b(RETURNS|ERRORS)\b', text)
	return text[m.start():] if m else ''


def headers(repo):
	inc = os.path.join(repo, 'include')
	return sorted(glob.glob(os.path.join(inc, '*.h')) +
	    glob.glob(os.path.join(inc, 'skua', '*.h')) +
	    glob.glob(os.path.join(inc, 'skua', 'bits', '*.h')))


def parse_headers(repo):
	"""{name: set of codes in its comment}, set of every declared name."""
	api, declared = {}, set()
	for path in headers(repo):
		text = open(path, encoding='utf-8').read()
		declared.update(INLINE.findall(text))
		declared.update(MACRO.findall(text))
		# The comment that belongs to a declaration: the last one that
		# ends before it with nothing but declarations in between.
		comments = [(m.start(), m.end(), m.group(0))
		    for m in COMMENT.finditer(text)]
		for m in DECL.finditer(text):
			name = m.group(1)
			declared.add(name)
			if name.startswith('skua_abi_'):
				continue
			before = [c for c in comments if c[1] <= m.start()]
			codes = set()
			if before:
				start, end, body = before[-1]
				gap = COMMENT.sub('', text[end:m.start()])
				if all(st.strip() == '' or 'SKUA_API' in st
				    for st in gap.split(';')):
					codes = set(CODE.findall(outcome(body)))
			api[name] = codes
	return api, declared


def public_macros(repo):
	"""The SKUA_* macros of skua.h and skua/*.h: the public ones."""
	inc = os.path.join(repo, 'include')
	names = set()
	for path in [os.path.join(inc, 'skua.h')] + \
	    sorted(glob.glob(os.path.join(inc, 'skua', '*.h'))):
		text = open(path, encoding='utf-8').read()
		for name in re.findall(r'^\s*#\s*define\s+(SKUA_\w+)', text, re.M):
			if not name.startswith('SKUA__') and \
			    not name.endswith('_H'):
				names.add(name)
	return names


def parse_doc(repo):
	"""[(names, codes, line)] per "### " entry, and names declared in
	```c blocks of "## " sections."""
	path = os.path.join(repo, 'docs', 'api.md')
	entries, in_blocks = [], set()
	cur, in_code, lang = None, False, ''
	for no, line in enumerate(open(path, encoding='utf-8'), 1):
		if line.startswith('```'):
			in_code = not in_code
			lang = line[3:].strip()
			continue
		if in_code:
			if lang.startswith('c'):
				for name in re.findall(r'\b(skua_\w+)\s*\(', line):
					if re.match(r'^\s*(const\s+)?[\w ]+[\s*]+' +
					    name + r'\s*\(', line):
						in_blocks.add(name)
			continue
		if line.startswith('### '):
			names = re.findall(r'\b(skua_\w+|SKUA_\w+)', line)
			cur = (names, [], no)
			entries.append(cur)
		elif line.startswith('## ') or line.startswith('---'):
			cur = None
		elif cur is not None:
			cur[1].append(line)
	entries = [(names, set(CODE.findall(outcome(''.join(prose)))), no)
	    for names, prose, no in entries]
	return entries, in_blocks


# Mutants of the real files that the check must catch, so that a check
# broken into passing everything fails the test: (file, old, new).
MUTANTS = [
	('docs/api.md', '### skua_pool_workers', '### skua_pool_workerz'),
	('docs/api.md', '### skua_channel_close', '### skua_channel_shut'),
	('include/skua/pool.h', 'ERRORS  -EINVAL (pool is NULL), -EDEADLK',
	    'ERRORS  -EINVAL (pool is NULL), -EBUSY, -EDEADLK'),
	('docs/api.md', 'ERRORS `-EINVAL` (`pool` is NULL), `-EDEADLK`',
	    'ERRORS `-EINVAL` (`pool` is NULL)'),
	('include/skua/blocking.h', '#define SKUA_BLOCKING_NEST_MAX 16',
	    '#define SKUA_BLOCKING_NEST_MAX 16\n#define SKUA_BLOCKING_UNDOCUMENTED 1'),
]


def run_mutants(repo):
	import shutil
	import tempfile
	bad = 0
	for i, (rel, old, new) in enumerate(MUTANTS):
		with tempfile.TemporaryDirectory() as tmp:
			shutil.copytree(os.path.join(repo, 'include'),
			    os.path.join(tmp, 'include'))
			os.mkdir(os.path.join(tmp, 'docs'))
			shutil.copy(os.path.join(repo, 'docs', 'api.md'),
			    os.path.join(tmp, 'docs'))
			path = os.path.join(tmp, rel)
			text = open(path, encoding='utf-8').read()
			if old not in text:
				print('mutant %d: %r is no longer in %s: update '
				    'MUTANTS' % (i, old, rel))
				bad += 1
				continue
			open(path, 'w', encoding='utf-8').write(
			    text.replace(old, new, 1))
			if check(tmp, quiet=True) == 0:
				print('mutant %d (%s: %r -> %r) passed the check'
				    % (i, rel, old, new))
				bad += 1
	print('api_doc_check: %d mutants, %d survived' % (len(MUTANTS), bad))
	return 1 if bad else 0


def main():
	if len(sys.argv) > 2 and sys.argv[1] == '--mutants':
		return run_mutants(sys.argv[2])
	return check(sys.argv[1] if len(sys.argv) > 1 else '.')


def check(repo, quiet=False):
	api, declared = parse_headers(repo)
	entries, in_blocks = parse_doc(repo)
	misses = []
	documented = {n for names, _, _ in entries for n in names}
	for name in sorted(api):
		if name not in documented and name not in in_blocks:
			misses.append('%s: a public function (SKUA_API) with no '
			    'entry in docs/api.md' % name)
	for names, codes, no in entries:
		for n in names:
			if n not in declared:
				misses.append('docs/api.md:%d: %s is documented but '
				    'no header declares it' % (no, n))
		hdr = set()
		for n in names:
			hdr |= api.get(n, set())
		if not hdr or not codes:
			continue
		for c in sorted(hdr - codes):
			misses.append('docs/api.md:%d: %s: the header names %s, '
			    'the entry does not' % (no, ', '.join(names), c))
		for c in sorted(codes - hdr):
			misses.append('docs/api.md:%d: %s: the entry names %s, '
			    'the header comment does not' % (no, ', '.join(names), c))
	doc = open(os.path.join(repo, 'docs', 'api.md'),
	    encoding='utf-8').read()
	macros = public_macros(repo)
	for name in sorted(macros):
		family = re.sub(r'_[0-9]+$', '_n', name)
		if not re.search(r'\b%s\b' % name, doc) and \
		    not re.search(r'\b%s\b' % family, doc):
			misses.append('%s: a public macro with no mention in '
			    'docs/api.md' % name)
	if quiet:
		return 1 if misses else 0
	for m in misses:
		print(m)
	checked = sum(1 for names, codes, _ in entries
	    if codes and any(api.get(n) for n in names))
	print('api_doc_check: %d public functions, %d public macros, %d '
	    'entries, errors compared for %d entries, %d misses' % (len(api),
	    len(macros), len(entries), checked, len(misses)))
	return 1 if misses else 0


if __name__ == '__main__':
	sys.exit(main())
