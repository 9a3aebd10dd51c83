"""The `thumbrouter` console script: one subcommand per module in this package."""

import argparse
import importlib
import sys

# subcommand -> (module in thumbrouter.cli, one-line help). Each module has `add_arguments(parser)` and
# `run(args) -> int`. Only the chosen command's module is imported: `thumbrouter --help` needs none of
# their dependencies (boto3, Pillow, flask, python-terraform), so it works from a bare `pip install`.
COMMANDS = {
    "dev": ("dev", "Run a local S3 with demo buckets and sample images; new objects get thumbnails from the "
                   "Lambda handler."),
    "backfill": ("backfill", "Create missing thumbnails for objects already in a bucket (bounded concurrency, "
                             "resumable)."),
    "build-lambda": ("build_lambda", "Build a Lambda zip into dist/: the thumbnailer (image core, S3 job, Pillow, "
                                     "isal, zlib-ng and pillow-heif for the Lambda platform, cykooz-resizer on "
                                     "x86_64) or, with --function router, the router."),
    "deploy": ("deploy", "Plan, apply, destroy, check or show the outputs of a Terraform environment "
                         "(terraform/environments/ENV)."),
    "replay": ("replay", "Re-run the thumbnail function's failed events from its failure queue "
                         "(terraform/environments/ENV's outputs); delete each one that succeeds."),
    "qiniu-style": ("qiniu_style", "Show the Qiniu image style that matches the S3 thumbnails, or check a bucket "
                                   "has it."),
}
INSTALL_HINT = "pip install 'thumbrouter[cli]'"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command listed; only `command` (if given) gets its arguments and module."""
    parser = argparse.ArgumentParser(prog="thumbrouter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        subparser = sub.add_parser(name, help=summary, description=summary)
        if name == command:
            module = load_command(name, module_name)
            module.add_arguments(subparser)
            subparser.set_defaults(run=module.run)
    return parser


def load_command(name: str, module_name: str):
    """Import one command's module; a missing third-party package exits 2 with the install hint."""
    try:
        return importlib.import_module(f"{__name__}.{module_name}")
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] == "thumbrouter":
            raise
        print(f"thumbrouter {name} needs {exc.name!r}, which is not installed: {INSTALL_HINT}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # There are no global options that take a value, so the first bare word is the command.
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(command if command in COMMANDS else None).parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
