"""Migration scripts: 0001 core, 0002 handoffs/staff, ..."""
