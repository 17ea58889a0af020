"""A correct notebook saved by an editor that drops every cell's metadata.

Each cell is recognised by its content and given back its metadata and
points: full marks.
"""
STRIP_METADATA = True
