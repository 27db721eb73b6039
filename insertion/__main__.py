import sys

from insertion.outputs.cli import main

sys.exit(main())
