#!/usr/bin/env python3
"""Build the Alternative Provision Directory. Run `python build.py --help` for the commands."""
import os
import sys

from apdirectory.commands.cli import main

if __name__ == "__main__":
    code = main()
    # Leave without freeing every object one by one: at 10,000 providers that took two seconds,
    # after everything was written, closed and reported.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
