"""Command line: ``python -m tools.demo_data [--out DIR | --check]``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tools.demo_data.build import OUT_DIR, build, write


def main(argv: list[str] | None = None) -> int:
    """Write the demo set (default data/demo); with --check, report the files that differ."""
    parser = argparse.ArgumentParser(prog="python -m tools.demo_data", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write the JSON files")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file in --out differs"
    )
    args = parser.parse_args(argv)
    try:
        data = build()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not args.check:
        for path in write(data, args.out):
            print(f"wrote {path}: {len(data[path.stem])} records")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        stale = [
            path.name
            for path in write(data, Path(scratch))
            if not (args.out / path.name).is_file()
            or (args.out / path.name).read_bytes() != path.read_bytes()
        ]
    for name in stale:
        print(f"{args.out / name} differs from the sources: run python -m tools.demo_data")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
