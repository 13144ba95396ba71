"""Hours: the append-only ledger, verification and corrections, rollups and tallies."""
