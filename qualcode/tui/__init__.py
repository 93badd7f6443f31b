"""The Textual coding workspace: the only package that imports textual."""
