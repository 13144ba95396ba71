"""Hours over GraphQL: the ledger's mutations, the entries list and `hourTallies`."""
