"""Run the toolkit's command line: ``python -m toolkit --help``."""

import sys

from .cli import main

sys.exit(main())
