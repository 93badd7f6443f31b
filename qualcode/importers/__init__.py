"""File -> domain objects (transcripts, codebooks, cases, codings)."""
