from ecoloop.cli import main

main()
