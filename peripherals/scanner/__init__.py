"""QR/barcode scanner on a serial port: plain lines (CR/LF suffix) or Zebra SSI command mode.

Layers:
  lines.py   split the stream into codes at CR / LF / CR LF (pure)
  ssi.py     Zebra SSI packets: encode, checksum, incremental decoder (pure)
  driver.py  the Device: CodeScanned / ReadError events; enable, disable, beep

Errors:
    PeripheralError (peripherals.errors)
    ├── ConfigurationError       bad option (unknown mode…)
    ├── DeviceUnavailable        the port is gone (the transport reconnects)
    ├── DeviceTimeout            the scanner did not ACK a command in time (SSI)
    ├── DeviceFault              the scanner NAKed a command (SSI)
    └── NotSupported (ours)      a command the mode cannot do (beep in line mode)
"""

from peripherals.scanner.driver import NotSupported, Scanner

__all__ = ["NotSupported", "Scanner"]
