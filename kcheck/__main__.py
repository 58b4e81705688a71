from kcheck.cli import main

main()
