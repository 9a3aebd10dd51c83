"""Run every benchmark module, then join their reports into bench/RESULTS.md.

Each module in BENCHMARKS has `main() -> None` and writes bench/results/<name>.md.
`python -m bench thumbnails router` runs only the named ones (the others keep their last report).
"""

import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = ["thumbnails", "heic", "bytes", "handler", "router", "ondemand", "hotroutes", "spike", "hostile",
              "hotpaths", "coldstart", "cdn"]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
            f"load average when joined: {load}")


def join_reports() -> None:
    parts = ["# Benchmark results\n", f"Machine: {machine()}\n",
             "Each section is written by one benchmark run; ratios compare methods measured in the same run.\n"]
    for name in BENCHMARKS:
        report = HERE / "results" / f"{name}.md"
        parts.append(report.read_text() if report.exists() else f"## {name}\n\nNot run yet.\n")
    (HERE / "RESULTS.md").write_text("\n".join(parts))


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        if name not in BENCHMARKS:
            sys.exit(f"unknown benchmark {name!r}; choose from {BENCHMARKS}")
        print(f"== bench {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    join_reports()
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main(sys.argv[1:])
