"""Splits a `perf script --inline -F tid,ip,sym` dump of loopfix into phases (bench/profile.sh).

Each sample is put in the phase of the innermost frame of its call stack that names one;
samples with no such frame are "other", and the most common leaf symbols of those are listed
so that the table can be checked.
"""

import collections
import re
import sys

# (phase, pattern), tried against each frame from the leaf outwards; the first hit wins.
PHASES = [
    ("walk (directory traversal, exclusion globs)", r"loopfix::walk|collect_files|ignore::walk|ignore::dir|ignore::gitignore|WalkBuilder|getdents|filter_entry"),
    ("settings resolution (per file)", r"settings_for|Resolver|config::Discovery|analysis_for"),
    ("prefilter (memmem over the bytes)", r"might_contain_loop|memchr::memmem|memchr::arch"),
    ("read (open, read, close)", r"std::fs::read|fs::read::inner|read_to_end|vfs_read|ksys_read|do_sys_openat|__x64_sys_openat|__x64_sys_close|do_filp_open|filemap_read|std::fs::File::open|__libc_open|__libc_read"),
    ("parse (tree-sitter)", r"ts_parser_parse|loopfix::parse::parse|tree_sitter::Parser::parse|Parser>::parse"),
    ("free the syntax tree", r"ts_tree_delete|ts_subtree_release|drop_in_place<tree_sitter::Tree>"),
    ("source decoding (SourceFile::new: encoding, line index)", r"SourceFile::new|loopfix::source"),
    ("semantic model (Model::build)", r"loopfix::semantic|Model::build"),
    ("noqa suppression lookup", r"loopfix::noqa|suppression_at"),
    ("fix planning (fix_source, re-parse of fixed code)", r"loopfix::plan|fix_source"),
    ("analysis (transform passes, queries)", r"loopfix::transform|loopfix::detect|loopfix::check::analyze|check::analyze"),
    ("diff rendering", r"similar::|loopfix::diff"),
    ("output and summary", r"loopfix::output"),
    ("process start, argument parsing, exit", r"_dl_start|_dl_relocate|dl_main|clap_builder|__libc_start_main|exit_mmap|do_exit|mmput|execve|load_elf_binary"),
    ("rayon scheduling and idle", r"rayon_core::sleep|rayon_core::registry::WorkerThread::wait_until|crossbeam|sched_yield|futex|rayon_core::job"),
]
COMPILED = [(name, re.compile(pat)) for name, pat in PHASES]


def samples(lines):
    stack = []
    for line in lines:
        if not line.strip():
            if stack:
                yield stack
            stack = []
        elif line[0] in " \t":
            parts = line.strip().split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else "?")
        # else: the "tid" header of a sample
    if stack:
        yield stack


def main():
    counts = collections.Counter()
    other = collections.Counter()
    total = 0
    for stack in samples(sys.stdin):
        total += 1
        for frame in stack:
            hit = next((name for name, rx in COMPILED if rx.search(frame)), None)
            if hit:
                counts[hit] += 1
                break
        else:
            counts["other"] += 1
            other[stack[0][:90]] += 1
    print(f"| phase | samples | share |")
    print(f"| --- | ---: | ---: |")
    for name, n in counts.most_common():
        print(f"| {name} | {n} | {100 * n / total:.1f}% |")
    print(f"| total | {total} | 100% |")
    if other:
        print()
        print("Most common leaf symbols of 'other':", file=sys.stderr)
        for sym, n in other.most_common(12):
            print(f"  {n:6d}  {sym}", file=sys.stderr)


if __name__ == "__main__":
    main()
