from sambot.cli import main

raise SystemExit(main())
