"""qualcode: code interview transcripts with codebook themes from the terminal."""

__version__ = "0.1.0"
