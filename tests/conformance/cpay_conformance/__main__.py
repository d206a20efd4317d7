"""``python -m cpay_conformance``: see ``_runner``."""

import sys

from cpay_conformance._runner import main

sys.exit(main())
