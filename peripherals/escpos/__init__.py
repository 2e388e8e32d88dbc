"""ESC/POS receipt printers: the protocol as bytes (commands), printer profiles as data (profiles),
status decoding (status) and the driver (printer)."""
