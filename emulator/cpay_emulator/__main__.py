"""``python -m cpay_emulator``: the ``cpay-emulator`` command."""

import sys

from cpay_emulator.cli.main import main

sys.exit(main())
