"""``workbuoy doctor``: check the database files, modes, free space, keyring and server; exit 1 on a finding."""

from __future__ import annotations

import argparse

from workbuoy.cli.common import env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments: every check runs."""


def run(args: argparse.Namespace) -> int:
    from workbuoy import doctor

    findings = doctor.run(env())
    print(doctor.report(findings))
    return 1 if any(not f.ok for f in findings) else 0
