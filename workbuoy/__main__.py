from workbuoy.cli import main

raise SystemExit(main())
