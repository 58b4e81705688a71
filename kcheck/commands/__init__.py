"""Groups of `kcheck` subcommands, each module registering its commands on the main group."""
