"""`python -m apdirectory ...`: the same commands as `python build.py ...`."""
import sys

from apdirectory.commands.cli import main

sys.exit(main())
