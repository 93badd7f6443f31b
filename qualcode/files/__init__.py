"""Files on disk, the one way in and the one way out.

``reading`` opens only regular files with stated limits (and archives with limits per
entry, in total and by ratio); ``writing`` writes every output through one writer that
never replaces what is not ours. Everything above (importers, exporters, storage,
services, front ends) reads and writes user-named paths through these two modules.
"""
