"""The Markdown table of interleaved benchmark rounds, compared with the raw pipe of each round.

    python benches/round_table.py TIMES ROWS pipe=LABEL name=LABEL ...

TIMES holds one line per run: ``round name start end`` (seconds). The first pair names the
reference (the pipe); every row gives median, min, max, rows per second and the median of the
per-round ratio to the reference.
"""

import statistics
import sys


def main() -> None:
    times_file, rows = sys.argv[1], int(sys.argv[2])
    labels = dict(arg.split("=", 1) for arg in sys.argv[3:])
    reference = next(iter(labels))
    runs: dict[str, dict[int, float]] = {}
    with open(times_file) as f:
        for line in f:
            r, name, start, end = line.split()
            runs.setdefault(name, {})[int(r)] = float(end) - float(start)
    print("| command | median | min | max | rows/s (median) | vs the pipe of the same round (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, label in labels.items():
        times = list(runs[name].values())
        ratio = statistics.median(runs[reference][r] / t for r, t in runs[name].items())
        med = statistics.median(times)
        print(
            f"| {label} | {med:.3f} s | {min(times):.3f} s | {max(times):.3f} s "
            f"| {rows / med:,.0f} | {ratio:.0%} |"
        )
    print()


if __name__ == "__main__":
    main()
