"""Sub-commands of the core package (`winnow labels`, `winnow clean`)."""
