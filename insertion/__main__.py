import sys

from insertion.cli import main

sys.exit(main())
