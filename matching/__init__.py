"""The matching engine: pure Python + numpy, no I/O. Fed documents, answers with ranked ids."""
