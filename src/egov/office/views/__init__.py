"""Officer UI pages, one module per page group."""
