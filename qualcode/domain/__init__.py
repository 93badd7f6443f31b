"""Pure standard-library core: spans, transcripts, codebook, codings, cases, errors."""
