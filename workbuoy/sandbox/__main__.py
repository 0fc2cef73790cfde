import argparse

from workbuoy.sandbox.cli import add_arguments, run

parser = argparse.ArgumentParser(prog="python -m workbuoy.sandbox", description="The sandbox WorkBuoy server.")
add_arguments(parser)
raise SystemExit(run(parser.parse_args()))
