"""`python -m growth_enrollments <command>`: the same as `growth-enrollments <command>`."""

import sys

from growth_enrollments.cli import main

sys.exit(main())
