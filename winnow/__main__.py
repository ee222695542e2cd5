"""`python -m winnow` = the `winnow` command."""

import sys

from winnow.cli import main

if __name__ == "__main__":
    sys.exit(main())
