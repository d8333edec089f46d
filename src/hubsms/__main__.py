import sys

from hubsms.cli.main import main

sys.exit(main())
