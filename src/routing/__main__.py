from routing.cli.main import main

raise SystemExit(main())
