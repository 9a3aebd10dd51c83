"""The `thumbrouter` console script: one subcommand per module in this package."""

import argparse
import importlib
import sys

# subcommand -> module in router.cli; each module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS = {
    "dev": "dev",
    "backfill": "backfill",
    "build-lambda": "build_lambda",
    "deploy": "deploy",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thumbrouter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"thumbrouter.cli.{module_name}")
        module.add_arguments(sub.add_parser(name, help=module.__doc__.splitlines()[0]))
        sub.choices[name].set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
