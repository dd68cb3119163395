"""Write: classify file changes, merge hand edits three ways, write atomically."""
