import sys

from safedesk.cli import main

sys.exit(main())
