#!/usr/bin/env python3
"""Build the Alternative Provision Directory. Run `python build.py --help` for the commands."""
import sys

from apdirectory.cli import main

if __name__ == "__main__":
    sys.exit(main())
