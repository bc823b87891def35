"""`python -m apdirectory ...`: the same commands as `python build.py ...`."""
import sys

from apdirectory.commands.cli import main

# The guard matters: a helper process (parallel.py) is started by importing this module again.
if __name__ == "__main__":
    sys.exit(main())
